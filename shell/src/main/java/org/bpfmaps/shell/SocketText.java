package org.bpfmaps.shell;

import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.Locale;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;

/**
 * How the shell shows a socket of the instance: {@code sock show}'s entry (plain, in the layout of
 * bpftool's {@code map show}, or a JSON object) and the one-line note {@code map dump} adds under
 * an element that holds it. Everything is read from the socket when shown (its state from the
 * kernel), so a socket shown as closed is one that closed.
 */
final class SocketText {
    private SocketText() {
    }

    /** What one socket is now: the fields every view shows. */
    record View(int fd, long cookie, String kind, String state, String local, String remote, List<MapSlot> maps) {
        static View of(Bpf bpf, int fd, BpfSocket s) {
            String state;
            try {
                state = s.state().name(); // first: a read that finds it closed takes it out of its maps
            } catch (UncheckedIOException e) {
                state = "unknown";
            }
            return new View(fd, s.cookie(), s.kind().name().toLowerCase(Locale.ROOT), state,
                    address(s.localAddress()), address(s.remoteAddress()), Sockets.slots(bpf, s));
        }
    }

    /**
     * An address as people write it: {@code 127.0.0.1:4000}, {@code [::1]:4000}, a Unix socket's
     * path; null for none (unbound, unconnected, or a Unix socket without a name).
     */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress in && in.getAddress() != null) {
            InetAddress ip = in.getAddress();
            return (ip instanceof Inet6Address ? "[" + ipv6(ip.getAddress()) + "]" : ip.getHostAddress()) + ":"
                    + in.getPort();
        }
        if (a instanceof UnixDomainSocketAddress u) {
            String p = u.getPath().toString();
            return p.isEmpty() ? null : p;
        }
        return a == null ? null : a.toString();
    }

    /** An IPv6 address in its short form (RFC 5952: the longest run of two or more zero groups as {@code ::}). */
    static String ipv6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        int best = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** A key as one line of bpftool's hex bytes ({@code 01 00 00 00}), however long. */
    static String hexLine(byte[] key) {
        return Entries.hex(key, 0, key.length).replace("\n", " ").replace("  ", " ");
    }

    /** {@code sock show}'s plain entry: {@code FD: KIND  state S  cookie C}, addresses, then one line per map element. */
    static String plain(View v) {
        StringBuilder b = new StringBuilder();
        b.append(v.fd()).append(": ").append(v.kind()).append("  state ").append(v.state()).append("  cookie ")
                .append(Long.toUnsignedString(v.cookie())).append('\n');
        if (v.local() != null || v.remote() != null) {
            b.append('\t');
            if (v.local() != null) {
                b.append("local ").append(v.local());
            }
            if (v.remote() != null) {
                b.append(v.local() != null ? "  " : "").append("remote ").append(v.remote());
            }
            b.append('\n');
        }
        for (MapSlot m : v.maps()) {
            b.append("\tmap ").append(Integer.toUnsignedString(m.mapId())).append("  key ").append(hexLine(m.key()))
                    .append('\n');
        }
        return b.toString();
    }

    /** {@code sock show}'s JSON object; keys as bpftool writes them ({@code ["0x01",...]}). */
    static void json(JsonWriter j, View v) {
        j.startObject();
        j.numberField("fd", v.fd());
        j.stringField("kind", v.kind());
        j.stringField("state", v.state());
        j.name("cookie");
        j.raw(Long.toUnsignedString(v.cookie()));
        if (v.local() != null) {
            j.stringField("local", v.local());
        }
        if (v.remote() != null) {
            j.stringField("remote", v.remote());
        }
        j.name("maps");
        j.startArray();
        for (MapSlot m : v.maps()) {
            j.startObject();
            j.unsignedField("id", m.mapId());
            j.name("key");
            byte[] key = m.key();
            Entries.hexJson(j, key, 0, key.length);
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    /** The note under a map element that holds the socket: {@code socket: fd 5  tcp  state ...}. */
    static String note(View v) {
        StringBuilder b = new StringBuilder("socket: fd ").append(v.fd()).append("  ").append(v.kind())
                .append("  state ").append(v.state()).append("  cookie ").append(Long.toUnsignedString(v.cookie()));
        if (v.local() != null) {
            b.append("  local ").append(v.local());
        }
        if (v.remote() != null) {
            b.append("  remote ").append(v.remote());
        }
        return b.append('\n').toString();
    }
}
