package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketMapLookup;
import org.bpfmaps.core.prog.ProgContext;
import org.bpfmaps.core.prog.SkAction;

/**
 * The part of every program context the core gives: the CPU of the run and the map helpers over
 * the maps the program holds, through {@link ProgMapAccess} (the verifier's access rules, the
 * buffer checks, the provider's program-side ops). A context is for one program; the data path
 * makes one per run or reuses one on its thread.
 */
public abstract class RunContext implements ProgContext {
    /** How the last {@link ProgObject#run} ended: the code ran, threw, or the program had no code. */
    public static final int RAN = 0;
    public static final int ABORTED = 1;
    public static final int UNBOUND = 2;

    final ProgObject prog;
    private int cpu;
    /** {@link #RAN}, {@link #ABORTED} or {@link #UNBOUND}, set by each run. */
    volatile int outcome;

    protected RunContext(ProgObject prog, int cpu) {
        this.prog = java.util.Objects.requireNonNull(prog, "prog");
        cpu(cpu);
    }

    /** The program this context is for. */
    public final ProgObject program() {
        return prog;
    }

    /** Sets the CPU the next run stands for. */
    public final void cpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": CPUs are numbered from 0");
        }
        this.cpu = cpu;
    }

    /** How the last run ended: {@link #RAN}, {@link #ABORTED} or {@link #UNBOUND}. */
    public final int outcome() {
        return outcome;
    }

    /**
     * The socket at {@code key} of the program's map at index {@code map}, for the redirect
     * helpers: null when there is no such map, it holds no sockets ({@link SocketMapLookup}), is
     * detached, or has no socket there. {@code hash}: whether the helper is the SOCKHASH one.
     */
    final BpfSocket socketAt(int map, ByteBuffer key, boolean hash) {
        MapObject m = prog.mapObject(map);
        if (m == null || m.def().type() != (hash ? MapType.SOCKHASH : MapType.SOCKMAP)) {
            return null; // the verifier lets only the helper's own map type through
        }
        if (m.detached() && !m.freed()) {
            detachedMap = m; // while its provider is updated: the data path waits for it
            detachedKey = ByteBuffer.allocate(key.remaining()).put(key.duplicate()).flip();
            return null;
        }
        return m.socketAt(key);
    }

    /** A SOCKMAP's key for the redirect helpers, in a buffer of the context's (no allocation per run). */
    final ByteBuffer indexKey(int key) {
        return indexKey.putInt(0, key);
    }

    private final ByteBuffer indexKey = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder());

    // The redirect the socket programs' helpers chose (skb_bpf_set_redir, sk_msg.sk_redir).
    private BpfSocket redirect;
    private boolean ingress;

    /** The socket the last run redirected to, or null. */
    public final BpfSocket redirect() {
        return redirect;
    }

    /** Whether the last run's redirect is to the target's read side (BPF_F_INGRESS). */
    public final boolean ingress() {
        return ingress;
    }

    final void clearRedirect() {
        redirect = null;
        ingress = false;
        detachedMap = null;
        detachedKey = null;
    }

    // A redirect whose map was detached (its provider being updated): which map and key, to look
    // up again when the map is back.
    private MapObject detachedMap;
    private ByteBuffer detachedKey;

    /**
     * The map of the last run's redirect when the run dropped because that map was detached (its
     * provider gone), else null: the data path keeps the message and looks {@link #detachedKey()}
     * up again when the map is attached. {@link #ingress()} is the redirect's flag.
     */
    public final MapObject detachedMap() {
        return detachedMap;
    }

    public final ByteBuffer detachedKey() {
        return detachedKey;
    }

    /**
     * {@code bpf_sk_redirect_map}/{@code _hash}, {@code bpf_msg_redirect_map}/{@code _hash}
     * (net/core/sock_map.c): a flag other than BPF_F_INGRESS, or no socket there, is SK_DROP;
     * else the redirect is noted and SK_PASS returned.
     */
    final int redirectTo(int map, ByteBuffer key, boolean hash, long flags) {
        if (key == null || (flags & ~SkAction.BPF_F_INGRESS) != 0) {
            return SkAction.SK_DROP;
        }
        BpfSocket s = socketAt(map, key, hash);
        if (s == null) {
            ingress = detachedMap != null && (flags & SkAction.BPF_F_INGRESS) != 0;
            return SkAction.SK_DROP;
        }
        redirect = s;
        ingress = (flags & SkAction.BPF_F_INGRESS) != 0;
        return SkAction.SK_PASS;
    }

    @Override
    public final int cpu() {
        return cpu;
    }

    @Override
    public final int mapCount() {
        return prog.mapCount();
    }

    @Override
    public final int mapLookupElem(int map, ByteBuffer key, ByteBuffer value) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.lookupElem(key, value);
    }

    @Override
    public final int mapUpdateElem(int map, ByteBuffer key, ByteBuffer value, long flags) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.updateElem(key, value, flags);
    }

    @Override
    public final int mapDeleteElem(int map, ByteBuffer key) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.deleteElem(key);
    }
}
