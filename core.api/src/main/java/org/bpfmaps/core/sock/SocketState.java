package org.bpfmaps.core.sock;

/**
 * A socket's state as the kernel keeps it in {@code sk_state} ({@code include/net/tcp_states.h},
 * with the same numbers), read from the real socket each time it is asked for, plus
 * {@link #CLOSED} for a socket that is closed itself.
 *
 * <p>As in the kernel, the TCP names serve every kind: a UDP socket is {@link #ESTABLISHED} when
 * connected and {@link #CLOSE} otherwise (whether it is bound is {@link BpfSocket#bound()}); a
 * Unix stream socket is {@link #ESTABLISHED} when connected, {@link #LISTEN} when listening,
 * {@link #CLOSE} otherwise.
 */
public enum SocketState {
    /**
     * Not a {@code sk_state}: the socket was closed ({@code sock_close} ran) by the application
     * closing its channel or by its last fd being closed. It is in no map and never comes back.
     */
    CLOSED(0),
    ESTABLISHED(1),
    SYN_SENT(2),
    SYN_RECV(3),
    FIN_WAIT1(4),
    FIN_WAIT2(5),
    TIME_WAIT(6),
    /** TCP_CLOSE: never connected, only bound, or gone through a reset or FINs both ways. */
    CLOSE(7),
    /** The peer sent its FIN, this side has not: still connected as far as a map is concerned. */
    CLOSE_WAIT(8),
    LAST_ACK(9),
    LISTEN(10),
    CLOSING(11),
    NEW_SYN_RECV(12),
    BOUND_INACTIVE(13);

    private static final SocketState[] BY_CODE = new SocketState[14];

    static {
        for (SocketState s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;

    SocketState(int code) {
        this.code = code;
    }

    /** The kernel's number for the state ({@code TCP_ESTABLISHED} is 1); 0 for {@link #CLOSED}. */
    public int code() {
        return code;
    }

    /** The state of a kernel number (the {@code st} column of {@code /proc/net/tcp}), or null for another number. */
    public static SocketState ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
