package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.zip.CRC32C;

/**
 * A client that streams {@code bytes} of a {@link StreamPattern} to an echo (through a proxy)
 * and reads the echo back, two blocking threads: the writer (then a half-close: shutdownOutput)
 * and the reader, which checks every byte against the pattern and keeps a CRC32C. The reader
 * takes only what an optional {@link Gate} grants: a slow reader at the client end.
 *
 * <p>Bounded: {@link #await(Duration)} aborts the connection at its deadline, so a broken proxy
 * fails the check, never hangs it. Threads are named {@value #THREAD_PREFIX}-...
 */
public final class StreamClient implements AutoCloseable {
    public static final String THREAD_PREFIX = "traffic-client";
    private static final int BUFFER = 64 * 1024;

    /**
     * What the two ends saw. The stream arrived whole when {@link #intact()}: all bytes sent, as
     * many received, then end of stream, no mismatch with the pattern, and equal CRC32Cs.
     */
    public record Result(long bytes, long sent, int sentCrc, long received, int receivedCrc,
                         long firstMismatch, boolean eof, boolean timedOut, String error) {
        public boolean intact() {
            return !timedOut && error == null && eof && sent == bytes && received == bytes
                    && firstMismatch < 0 && sentCrc == receivedCrc;
        }
    }

    private final SocketChannel ch;
    private final StreamPattern pattern;
    private final Gate readGate;
    private final CRC32C sentCrc = new CRC32C();
    private final CRC32C receivedCrc = new CRC32C();
    private Thread writer;
    private Thread reader;
    private long bytes;
    private volatile long sent;
    private volatile long received;
    private volatile long firstMismatch = -1;
    private volatile boolean eof;
    private volatile boolean aborted;
    private volatile String error;

    private StreamClient(SocketChannel ch, long seed, Gate readGate) {
        this.ch = ch;
        this.pattern = new StreamPattern(seed);
        this.readGate = readGate;
    }

    /**
     * Connects to {@code to}. {@code readGate}: null for a reader at full speed.
     * {@code socketBuffer}: SO_SNDBUF/SO_RCVBUF, 0 for the kernel's autotuning.
     */
    public static StreamClient connect(InetSocketAddress to, long seed, Gate readGate, int socketBuffer)
            throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            if (socketBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, socketBuffer);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, socketBuffer);
            }
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(to);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new StreamClient(ch, seed, readGate);
    }

    /** Starts streaming {@code bytes} bytes and reading the echo. */
    public StreamClient start(long bytes) {
        if (writer != null) {
            throw new IllegalStateException("already started");
        }
        this.bytes = bytes;
        writer = new Thread(this::write, THREAD_PREFIX + "-write");
        reader = new Thread(this::read, THREAD_PREFIX + "-read");
        writer.setDaemon(true);
        reader.setDaemon(true);
        reader.start();
        writer.start();
        return this;
    }

    public long sent() {
        return sent;
    }

    public long received() {
        return received;
    }

    /** The writer has sent everything and half-closed (or stopped on an error). */
    public boolean sendEnded() {
        return writer != null && !writer.isAlive();
    }

    /** Waits until the reader has received at least {@code n} bytes (or has ended short of it). */
    public synchronized void awaitReceived(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received < n && reader.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("received " + received + " of " + n + " bytes within "
                        + timeout.toMillis() + " ms");
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (received < n) {
            throw new AssertionError("the stream ended at " + received + " bytes, before " + n
                    + (error == null ? "" : ": " + error));
        }
    }

    /**
     * Waits for both directions to end, then closes the socket; at the deadline aborts the
     * connection and says so in the result.
     */
    public Result await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        joinUntil(writer, deadline);
        joinUntil(reader, deadline);
        boolean timedOut = writer.isAlive() || reader.isAlive();
        if (timedOut) {
            abort();
            writer.join();
            reader.join();
        }
        EchoServer.closeQuietly(ch); // both directions have ended: the socket goes
        return new Result(bytes, sent, (int) sentCrc.getValue(), received, (int) receivedCrc.getValue(),
                firstMismatch, eof, timedOut, error);
    }

    private static void joinUntil(Thread t, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            t.join(Math.max(1, left / 1_000_000));
        }
    }

    /** Closes the connection mid-stream (the client side going away); both threads end. */
    public void abort() {
        aborted = true;
        if (readGate != null) {
            readGate.open();
        }
        EchoServer.closeQuietly(ch);
    }

    @Override
    public void close() throws InterruptedException {
        abort();
        if (writer != null) {
            writer.join();
            reader.join();
        }
    }

    private void write() {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try {
            long offset = 0;
            while (offset < bytes) {
                buf.clear().limit((int) Math.min(BUFFER, bytes - offset));
                pattern.fill(buf, offset);
                buf.flip();
                sentCrc.update(buf);
                buf.rewind();
                while (buf.hasRemaining()) {
                    offset += ch.write(buf);
                    sent = offset;
                }
            }
            ch.shutdownOutput();
        } catch (IOException e) {
            fail("write at " + sent + ": " + e);
        }
    }

    private void read() {
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        ByteBuffer expected = ByteBuffer.allocateDirect(BUFFER);
        try {
            long offset = 0;
            while (true) {
                int want = readGate == null ? BUFFER : readGate.acquire(BUFFER);
                buf.clear().limit(want);
                int n = ch.read(buf);
                if (readGate != null) {
                    readGate.refund(want - Math.max(n, 0));
                }
                if (n < 0) {
                    eof = true;
                    break;
                }
                buf.flip();
                if (firstMismatch < 0) {
                    expected.clear().limit(n);
                    pattern.fill(expected, offset);
                    expected.flip();
                    int m = buf.mismatch(expected);
                    if (m >= 0) {
                        firstMismatch = offset + m;
                    }
                }
                receivedCrc.update(buf);
                offset += n;
                synchronized (this) {
                    received = offset;
                    notifyAll();
                }
            }
        } catch (IOException | InterruptedException e) {
            fail("read at " + received + ": " + e);
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void fail(String what) {
        if (error == null) {
            error = what;
        }
    }
}
