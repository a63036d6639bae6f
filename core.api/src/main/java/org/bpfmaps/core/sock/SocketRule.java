package org.bpfmaps.core.sock;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * Which sockets a map type takes into its values, and how an update's value names one, as data:
 * the checks {@code sock_map_update_elem_sys} (net/core/sock_map.c) makes before it looks at the
 * flags. The value is a socket fd, a {@code __u32}, or a {@code __u64} when value_size is 8: above
 * S32_MAX it is EINVAL, an fd that is not open EBADF, one that is not a socket ENOTSOCK, a socket
 * the type does not take EOPNOTSUPP (measured on 6.18, corpus/sockmap-extra-6.18.json, case
 * {@code sockmap_update_check_order}: each before the flags and the index).
 *
 * <p>A type gives its rule in its traits ({@code MapTypeTraits.Builder.socketValue}), so that the
 * core answers these checks for one of its maps whose provider has gone (detached) as the provider
 * would; the provider applies the same rule with {@link #socket}. A rule holds only the core's
 * enums and strings, so a detached map that keeps it keeps no class of the departed bundle.
 * Immutable.
 *
 * @since 1.2
 */
public final class SocketRule {
    /** What the rule says for one kind: the states it is taken in (empty: any while open), or bound. */
    private record Take(Set<SocketState> states, boolean whileBound, String refused) {
    }

    private final Map<SocketKind, Take> takes;

    private SocketRule(Map<SocketKind, Take> takes) {
        this.takes = Collections.unmodifiableMap(new EnumMap<>(takes));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Why the type does not take {@code s} now ({@code sock_map_sk_is_suitable} and
     * {@code sock_map_sk_state_allowed}), naming the socket's state; null when it takes it. Reads
     * the socket's state.
     */
    public String refusal(BpfSocket s) {
        SocketState st = s.state();
        Take t = takes.get(s.kind());
        String what = name(s.kind()) + " socket ";
        if (t == null) {
            return what + "not taken by this map type";
        }
        if (st == SocketState.CLOSED) {
            return what + "closed";
        }
        boolean taken = t.whileBound() ? s.bound() : t.states().isEmpty() || t.states().contains(st);
        return taken ? null : what + t.refused() + " (state " + st + ")";
    }

    /**
     * The socket an update's value names in {@code host}'s table, if the type takes it: the checks
     * of the class comment, in the kernel's order.
     *
     * @param value the value, at its position
     * @param valueSize 4 (a {@code __u32} fd) or 8 (a {@code __u64})
     * @return the socket, or null after {@code err.fail} was told the errno and why
     */
    public BpfSocket socket(ObjectHost host, ByteBuffer value, int valueSize, ErrorSink err) {
        long ufd = valueSize == 8 ? Bytes.getLong(value, value.position())
                : Integer.toUnsignedLong(Bytes.getInt(value, value.position()));
        if (ufd < 0 || ufd > Integer.MAX_VALUE) {
            err.fail(Errno.EINVAL, "value " + Long.toUnsignedString(ufd) + ": a socket fd is at most S32_MAX");
            return null;
        }
        int fd = (int) ufd;
        BpfSocket s = Sockets.byFd(host, fd);
        if (s == null) {
            if (host == null || host.id(fd) < 0) {
                err.fail(Errno.EBADF, "fd %d is not open", fd);
            } else {
                err.fail(Errno.ENOTSOCK, "fd %d is not a socket", fd);
            }
            return null;
        }
        String refused = refusal(s);
        if (refused != null) {
            err.fail(Errno.EOPNOTSUPP, refused.replace("%", "%%"));
            return null;
        }
        return s;
    }

    private static String name(SocketKind k) {
        switch (k) {
            case UNIX_STREAM:
                return "Unix stream";
            case UNIX_DGRAM:
                return "Unix datagram";
            default:
                return k.name();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SocketRule r && takes.equals(r.takes);
    }

    @Override
    public int hashCode() {
        return takes.hashCode();
    }

    @Override
    public String toString() {
        return "SocketRule" + takes;
    }

    /** Builds a {@link SocketRule}; a kind given no rule is never taken. */
    public static final class Builder {
        private final Map<SocketKind, Take> takes = new EnumMap<>(SocketKind.class);

        private Builder() {
        }

        /**
         * Takes sockets of {@code kind} in {@code states}, or in any state while open when none is
         * given; {@code refused} says what the others are ("not connected or listening").
         */
        public Builder take(SocketKind kind, String refused, SocketState... states) {
            EnumSet<SocketState> set = EnumSet.noneOf(SocketState.class);
            Collections.addAll(set, states);
            takes.put(Objects.requireNonNull(kind, "kind"), new Take(Collections.unmodifiableSet(set), false,
                    Objects.requireNonNull(refused, "refused")));
            return this;
        }

        /** Takes sockets of {@code kind} while they have a local address (UDP's {@code sk_hashed}). */
        public Builder takeWhileBound(SocketKind kind, String refused) {
            takes.put(Objects.requireNonNull(kind, "kind"), new Take(Set.of(), true,
                    Objects.requireNonNull(refused, "refused")));
            return this;
        }

        public SocketRule build() {
            return new SocketRule(takes);
        }
    }
}
