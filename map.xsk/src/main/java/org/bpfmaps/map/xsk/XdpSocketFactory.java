package org.bpfmaps.map.xsk;

import java.io.IOException;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.UmemConfig;
import org.bpfmaps.core.xdp.XdpSocket;
import org.osgi.service.component.annotations.Component;

/**
 * The AF_XDP socket kinds of the kernel corpus, as sockets of the core's XDP layer
 * ({@link XdpSocket}): {@code xdp_unbound}, a new socket ({@code socket(AF_XDP, SOCK_RAW, 0)});
 * {@code xdp_bound_lo}, one bound in copy mode to queue 0 of the instance's {@code lo} with a UMEM
 * of {@value #FRAMES} frames of {@value #FRAME_SIZE} bytes and its four rings of {@value #RING}
 * entries, as the recorder bound it. A service in a framework, listed in {@code META-INF/services}
 * for a plain class path.
 *
 * <p>A queue takes one UMEM: a second {@code xdp_bound_lo} in the same instance fails (EBUSY), as
 * in the kernel, while the first is open.
 */
@Component(service = SocketFactory.class)
public final class XdpSocketFactory implements SocketFactory {
    static final String UNBOUND = "xdp_unbound";
    static final String BOUND_LO = "xdp_bound_lo";
    static final int FRAMES = 64;
    static final int FRAME_SIZE = 4096;
    static final int RING = 64;
    /** {@code lo}'s ifindex in every instance. */
    static final int LO = 1;

    @Override
    public Set<String> kinds() {
        return Set.of(UNBOUND, BOUND_LO);
    }

    @Override
    public OpenedSocket open(Bpf bpf, String kind) throws IOException {
        if (!kinds().contains(kind)) {
            throw new IllegalArgumentException("this factory makes " + UNBOUND + " and " + BOUND_LO
                    + " sockets, not " + kind);
        }
        String[] why = {""};
        ErrorSink err = (errno, pattern, a, b) -> {
            why[0] = String.format(pattern, a, b);
            return errno.ret();
        };
        int fd = XdpSocket.open(bpf, err);
        if (fd < 0) {
            throw new IOException(Errno.nameOf(fd) + ": no fd for the " + kind + " socket: " + why[0]);
        }
        if (kind.equals(BOUND_LO)) {
            XdpSocket s = XdpSocket.byFd(bpf, fd);
            int r = s.registerUmem(UmemConfig.of(FRAMES, FRAME_SIZE), err);
            for (RingType t : RingType.values()) {
                r = r < 0 ? r : s.createRing(t, RING, err);
            }
            r = r < 0 ? r : s.bind(LO, 0, XdpSocket.XDP_COPY, 0, err);
            if (r < 0) {
                bpf.close(fd); // its last fd: the socket is released
                throw new IOException(Errno.nameOf(r) + ": the " + kind + " socket could not be set up and bound to"
                        + " lo queue 0: " + why[0]);
            }
        }
        return OpenedSocket.of(fd);
    }
}
