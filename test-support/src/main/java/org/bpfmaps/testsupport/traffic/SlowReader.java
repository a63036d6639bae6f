package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * The slow-reader check that every {@link Proxy} must pass: one end (the client, or the echo
 * server) reads only what the check grants, 256 KiB a step. Between steps it waits until the
 * stall has reached the proxy (it holds bytes it cannot write) and checks that the proxy holds no
 * more than its budget and that the sender is held back: what it sent and the client has not yet
 * got back fits in the socket buffers along the path plus the proxy's budget. All sockets have
 * fixed 64 KiB buffers (no autotuning), so that this bound is known; the proxy must fix its own
 * sockets' buffers to the size it is given. Fails with an {@link AssertionError}.
 */
public final class SlowReader {
    public static final int SOCKET_BUFFER = 64 * 1024;
    private static final long BYTES = 16L * 1024 * 1024;
    private static final long STEP = 256 * 1024;

    private SlowReader() {
    }

    /**
     * Runs the check through a proxy made by {@code proxyWithSocketBuffer} (given
     * {@link #SOCKET_BUFFER}), which it starts and closes; returns it closed, for the caller's
     * checks of its counters (its peak against its budget is checked here).
     */
    public static <P extends Proxy> P check(boolean slowClient, IntFunction<P> proxyWithSocketBuffer, Duration timeout,
            InetSocketAddress listen) throws IOException, InterruptedException {
        Gate gate = new Gate();
        P proxy;
        try (EchoServer echo = EchoServer.start(slowClient ? null : gate, true, SOCKET_BUFFER);
             P p = proxyWithSocketBuffer.apply(SOCKET_BUFFER)) {
            proxy = p;
            InetSocketAddress front = proxy.start(listen, echo.address());
            // eight sockets' send and receive buffers on the way there and back (the kernel
            // doubles what is set), the echo's 64 KiB buffer and the proxy's budget
            long inFlightBound = 8L * 2 * 2 * SOCKET_BUFFER + 64 * 1024 + proxy.budgetPerConnection();
            check(BYTES > 4 * inFlightBound, "the stream must be far longer than the path holds");
            try (StreamClient client = StreamClient.connect(front, 3, slowClient ? gate : null, SOCKET_BUFFER)) {
                client.start(BYTES);
                long granted = 0;
                int stalls = 0;
                while (client.received() < BYTES) {
                    Await.until(() -> p.bufferedBytes() > 0 || client.sendEnded(), timeout,
                            () -> "the stall never reached the proxy");
                    if (proxy.bufferedBytes() > 0) {
                        stalls++;
                    }
                    long held = proxy.bufferedBytes();
                    check(held <= proxy.budgetPerConnection(), "proxy holds " + held);
                    long inFlight = client.sent() - client.received();
                    check(inFlight <= inFlightBound, "in flight " + inFlight + " > " + inFlightBound);
                    granted += STEP;
                    gate.grant(STEP);
                    // a slow upstream: what it was granted, less what the path back may still hold
                    long target = Math.min(BYTES, slowClient ? granted : granted - 2 * SOCKET_BUFFER * 4L);
                    client.awaitReceived(Math.max(0, target), timeout);
                    if (granted >= BYTES) {
                        gate.open();
                    }
                }
                StreamClient.Result r = client.await(timeout);
                check(r.intact(), r.toString());
                check(stalls > 10, "the proxy held bytes at " + stalls + " steps");
            }
            check(proxy.peakBufferedBytes() <= proxy.budgetPerConnection(),
                    "peak " + proxy.peakBufferedBytes() + " > budget " + proxy.budgetPerConnection());
        }
        return proxy;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
