package org.bpfmaps.core.sock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A registered {@code java.nio} channel as a socket of the object table: its state read from the
 * kernel for TCP ({@link TcpStates}), from the channel for the others; closing it is
 * closing the channel.
 */
final class ChannelSocket extends SocketObject {
    private final NetworkChannel channel;

    ChannelSocket(NetworkChannel channel, SocketKind kind) {
        super(kind, channel);
        this.channel = channel;
    }

    @Override
    boolean isOpen() {
        return channel.isOpen();
    }

    /** The state of the open channel, from the kernel for TCP, from the channel for the others. */
    @Override
    SocketState read() {
        try {
            if (channel instanceof ServerSocketChannel) {
                SocketAddress local = channel.getLocalAddress();
                if (local == null) {
                    return SocketState.CLOSE;
                }
                return kind() == SocketKind.TCP ? TcpStates.stateOf((InetSocketAddress) local, null)
                        : SocketState.LISTEN; // a bound ServerSocketChannel listens: bind() calls listen()
            }
            if (channel instanceof SocketChannel sc) {
                if (kind() != SocketKind.TCP) {
                    return sc.isConnected() ? SocketState.ESTABLISHED : SocketState.CLOSE;
                }
                SocketAddress remote = sc.getRemoteAddress();
                SocketAddress local = sc.getLocalAddress();
                if (remote == null) {
                    return SocketState.CLOSE; // never connected, or only bound: in no hash table
                }
                return TcpStates.stateOf((InetSocketAddress) local, (InetSocketAddress) remote);
            }
            DatagramChannel dc = (DatagramChannel) channel;
            return dc.isConnected() ? SocketState.ESTABLISHED : SocketState.CLOSE;
        } catch (IOException e) {
            return SocketState.CLOSED; // ClosedChannelException: the application closed it meanwhile
        }
    }

    @Override
    void closeSocket() throws IOException {
        channel.close();
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            if (channel instanceof SocketChannel sc) {
                return sc.getRemoteAddress();
            }
            if (channel instanceof DatagramChannel dc) {
                return dc.getRemoteAddress();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public NetworkChannel channel() {
        return channel;
    }
}
