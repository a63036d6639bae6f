package org.bpfmaps.core.sock;

import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;

/** A bundle's {@link NativeSocket} as a socket of the object table: every read goes to the bundle's object. */
final class NativeSocketObject extends SocketObject {
    private final NativeSocket socket;

    NativeSocketObject(NativeSocket socket, SocketKind kind) {
        super(kind, socket);
        this.socket = socket;
    }

    @Override
    boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    SocketState read() {
        SocketState s = socket.state();
        return s == null ? SocketState.CLOSED : s;
    }

    @Override
    void closeSocket() throws Exception {
        socket.close();
    }

    @Override
    public boolean bound() {
        return isOpen() && socket.bound();
    }

    @Override
    public SocketAddress localAddress() {
        return isOpen() ? socket.localAddress() : null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return isOpen() ? socket.remoteAddress() : null;
    }

    /** Null: the socket is no JDK channel. */
    @Override
    public NetworkChannel channel() {
        return null;
    }

    @Override
    public String toString() {
        return super.toString() + " (" + socket + ")";
    }
}
