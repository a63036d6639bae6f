package org.bpfmaps.core.sock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TCP states read from the kernel's socket tables, {@code /proc/net/tcp} and {@code /proc/net/tcp6}
 * ({@code tcp4_seq_show}, {@code tcp6_seq_show}), by address: no descriptor of the channel is
 * needed, so no {@code --add-opens java.base/sun.nio.ch} either, on any command line.
 *
 * <p>A line is {@code sl local rem st ... uid timeout inode ...}; an address is the {@code __be32}
 * words of the IP address printed as host-order hex ({@code 0100007F} is 127.0.0.1 on x86), then
 * the port in hex. A socket of the JVM has an inode; the table's lines with inode 0 are not sockets
 * a program holds (TIME_WAIT and request socks, connections not accepted yet) and are skipped, so a
 * TIME_WAIT line left by an old connection on the same four-tuple never answers for a new one.
 * IPv4 sockets of the JDK are usually IPv6 sockets (dual stack): their lines are in {@code tcp6}
 * with IPv4-mapped addresses ({@code ::ffff:127.0.0.1}), read here as the IPv4 address Java
 * reports. A socket in neither table is {@link SocketState#CLOSE}: the kernel lists the listening
 * and the connection hash tables only, and a socket that reached CLOSE is in neither.
 */
final class ProcNetTcp {
    static final Path TCP = Path.of("/proc/net/tcp");
    static final Path TCP6 = Path.of("/proc/net/tcp6");

    private ProcNetTcp() {
    }

    /** One line of the table: the addresses (IPv4-mapped ones as IPv4), the state, the inode. */
    record Entry(InetSocketAddress local, InetSocketAddress remote, SocketState state, long inode) {
    }

    /**
     * The state of the socket with these addresses in the kernel's tables now. {@code remote} null
     * looks for a listener ({@code LISTEN} lines have the zero peer); {@code local} null with a
     * peer looks for a connect under way (the JDK knows no local address before it completes).
     */
    static SocketState stateOf(InetSocketAddress local, InetSocketAddress remote) {
        SocketState s = stateIn(TCP6, local, remote);
        if (s == null && (local == null || local.getAddress() instanceof java.net.Inet4Address)) {
            s = stateIn(TCP, local, remote);
        }
        return s == null ? SocketState.CLOSE : s;
    }

    private static SocketState stateIn(Path table, InetSocketAddress local, InetSocketAddress remote) {
        if (!Files.exists(table)) {
            return null; // tcp6 on a kernel without IPv6
        }
        try (BufferedReader r = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            return find(r, local, remote);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TCP states in " + table, e);
        }
    }

    /** The state of the first socket line of {@code lines} matching the addresses, or null. */
    static SocketState find(BufferedReader lines, InetSocketAddress local, InetSocketAddress remote)
            throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
            Entry e = parse(line);
            if (e != null && e.inode() != 0 && matches(e, local, remote)) {
                return e.state();
            }
        }
        return null;
    }

    private static boolean matches(Entry e, InetSocketAddress local, InetSocketAddress remote) {
        if (remote == null) {
            return e.remote().getPort() == 0 && e.remote().getAddress().isAnyLocalAddress() && same(e.local(), local);
        }
        if (local == null) {
            return e.state() == SocketState.SYN_SENT && same(e.remote(), remote);
        }
        return same(e.local(), local) && same(e.remote(), remote);
    }

    /** Same port and address, where 0.0.0.0 and :: are the same wildcard (Java reports either). */
    private static boolean same(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress x = a.getAddress();
        InetAddress y = b.getAddress();
        return x.equals(y) || x.isAnyLocalAddress() && y != null && y.isAnyLocalAddress();
    }

    /** A line of the table, or null for the header and for anything that is not a socket line. */
    static Entry parse(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !f[0].endsWith(":")) {
            return null;
        }
        try {
            InetSocketAddress local = address(f[1]);
            InetSocketAddress remote = address(f[2]);
            SocketState st = SocketState.ofCode(Integer.parseInt(f[3], 16));
            long inode = Long.parseLong(f[9]);
            if (local == null || remote == null || st == null) {
                return null;
            }
            return new Entry(local, remote, st, inode);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code 0100007F:1F90}, or its 32-digit IPv6 form, as an address; null when malformed. */
    static InetSocketAddress address(String hex) {
        int colon = hex.indexOf(':');
        if (colon != 8 && colon != 32 || hex.length() - colon - 1 != 4) {
            return null;
        }
        byte[] ip = new byte[colon / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < ip.length / 4; word++) {
            long w = Long.parseLong(hex, word * 8, word * 8 + 8, 16);
            for (int i = 0; i < 4; i++) {
                // the word was printed as a host-order u32: on little endian its first byte is the low one
                int shift = little ? 8 * i : 8 * (3 - i);
                ip[word * 4 + i] = (byte) (w >>> shift);
            }
        }
        int port = Integer.parseInt(hex, colon + 1, hex.length(), 16);
        try {
            // a 16-byte IPv4-mapped address comes back as the Inet4Address
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }
}
