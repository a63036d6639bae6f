package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A TCP proxy under test: it listens, and each connection it accepts is joined to a new
 * connection to the upstream address. Both the NIO copy loop and the sockmap proxy plug in here,
 * so that the same traffic, the same checks and the same benchmark state run through either.
 *
 * <p>The buffer accounting is the proxy's own: bytes it has taken from one socket and not yet
 * given to the other. It is what a slow reader must keep bounded.
 */
public interface Proxy extends AutoCloseable {

    /**
     * Starts listening on {@code listen} (port 0: any free port) and returns the address clients
     * connect to.
     */
    InetSocketAddress start(InetSocketAddress listen, InetSocketAddress upstream) throws IOException;

    /** Proxied connections open now (a connection counts until both of its sockets are closed). */
    int openConnections();

    /** Bytes held by the proxy now: read from one side and not yet written to the other. */
    long bufferedBytes();

    /** The most {@link #bufferedBytes()} has been since the start. */
    long peakBufferedBytes();

    /** The bound the proxy promises for the bytes it holds per proxied connection. */
    long budgetPerConnection();

    /** Stops listening, closes every proxied connection and ends the proxy's threads. */
    @Override
    void close();
}
