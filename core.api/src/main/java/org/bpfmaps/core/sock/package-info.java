/**
 * The core's socket layer: real {@code java.nio} sockets as objects of an instance's object
 * table, the first kind that is not a map. {@link org.bpfmaps.core.sock.Sockets#register} hands a
 * channel to an instance and gives an fd for it, in the same table as maps;
 * {@link org.bpfmaps.core.sock.Sockets#byFd} gives the {@link org.bpfmaps.core.sock.BpfSocket}
 * behind an fd to the bundles whose maps hold sockets (SOCKMAP, SOCKHASH, later XSKMAP).
 *
 * <p>Sockets are the core's and not a map bundle's because a socket must outlive an update or
 * removal of the bundle whose maps hold it (the application still holds its fd), and because more
 * than one map family must recognise the same socket. The package is its own, apart from
 * {@code org.bpfmaps.core.spi}, so that the socket API gets versions of its own and a map bundle
 * that stores no sockets does not import it.
 *
 * <p>1.0: {@link org.bpfmaps.core.sock.Sockets}, {@link org.bpfmaps.core.sock.BpfSocket},
 * {@link org.bpfmaps.core.sock.SocketKind}, {@link org.bpfmaps.core.sock.SocketState}.
 *
 * <p>1.1: {@link org.bpfmaps.core.sock.Sockets#byCookie}, how a map restored after its bundle's
 * update finds its sockets again; {@code Sockets.byFd(ObjectHost, int)} for providers.
 *
 * <p>1.2: {@link org.bpfmaps.core.sock.NativeSocket} and
 * {@code Sockets.register(Bpf, NativeSocket, ErrorSink)}, sockets that are no JDK channel
 * ({@link org.bpfmaps.core.sock.BpfSocket#channel()} null for them); the socket-kind extension point
 * {@link org.bpfmaps.core.sock.SocketFactory} with {@link org.bpfmaps.core.sock.OpenedSocket} and
 * its entry point {@link org.bpfmaps.core.sock.SocketFactories} ({@code kinds()}, {@code open});
 * {@link org.bpfmaps.core.sock.SocketRule}, which sockets a map type takes and how an
 * update's value names one, as data in the type's traits, so that a detached map answers those
 * checks as its provider would; {@link org.bpfmaps.core.sock.TcpStateSource}, the extension point
 * of a faster reader of TCP states than {@code /proc/net/tcp} (the native bundle's exact
 * {@code NETLINK_SOCK_DIAG} lookup);
 * listings, for tools: {@link org.bpfmaps.core.sock.Sockets#list}, an instance's sockets by
 * fd; {@link org.bpfmaps.core.sock.SocketLink}, the close listener a map registers per element, made
 * to name its map and key, {@link org.bpfmaps.core.sock.BpfSocket#links} and
 * {@link org.bpfmaps.core.sock.Sockets#slots}, the maps (id and key, {@link org.bpfmaps.core.sock.MapSlot})
 * a socket is in; {@link org.bpfmaps.core.sock.SocketKind#XDP}, AF_XDP sockets (the package
 * {@code org.bpfmaps.core.xdp});
 * {@link org.bpfmaps.core.sock.SocketPrograms}, the programs a socket took from the maps it was
 * inserted into (the kernel's {@code sk_psock} progs), {@link org.bpfmaps.core.sock.BpfSocket#programs};
 * {@link org.bpfmaps.core.sock.SockChannel}, the application's channel of a socket whose data path the
 * core owns (programs on what it receives and sends), and {@link org.bpfmaps.core.sock.SocketMapLookup},
 * what a socket map's ops give the redirect helpers;
 * {@link org.bpfmaps.core.sock.Sockets#channel}, the {@code SockChannel} of a TCP socket whose I/O
 * the core's data path owns since it took a program from a map (one data path per instance).
 */
@Export
@Version("1.2.0")
package org.bpfmaps.core.sock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
