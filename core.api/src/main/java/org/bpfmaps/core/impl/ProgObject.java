package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgContext;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbContext;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpContext;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.CurrentCpu;
import org.bpfmaps.core.spi.ObjectKind;
import org.bpfmaps.core.spi.ProgRef;

/**
 * A loaded program (the kernel's {@code struct bpf_prog}): a kind {@link ObjectKind#PROG} object
 * of the instance's table with an id, fds and pins, the maps it holds, and its code.
 *
 * <p>The code may go while the program lives: code a bundle contributes by name
 * ({@link org.bpfmaps.core.prog.ProgramProvider}) leaves with the bundle. The program then keeps
 * its fd, id, pins (and, later, attachments) and is <em>unbound</em>: {@link #run} answers as if no
 * program were attached ({@code SK_PASS}: traffic passes; a stream parser's caller takes the whole
 * buffer, as {@code sk_psock_strp_parse} does without a parser) and counts the run as unbound.
 * Code of the same name and type that comes back is bound again. Code given directly at load is
 * the caller's and stays bound.
 */
public final class ProgObject extends BpfObject implements ProgRef {
    final ProgType type;
    final String name;
    final int expectedAttachType;
    /** The name the code was loaded by, or null for code given directly. */
    final String codeName;
    final boolean gplCompatible;
    final long loadTime;
    final int createdByUid;
    private final byte[] tag;
    /** The maps the program holds (one reference each), by the index its context reaches them by. */
    private final MapObject[] maps;
    private final ProgMapAccess[] access;
    private final Instance instance;
    private volatile ProgramCode code;
    /** The registry entry the code came from, or null (direct code, or unbound). */
    private ProgramRegistry.Entry source;
    /**
     * The device a dev-bound XDP program ({@code BPF_F_XDP_DEV_BOUND_ONLY} with prog_ifindex) may
     * attach to, or 0; set once before the program is published.
     */
    int boundIfindex;
    private final LongAdder runs = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final LongAdder unboundRuns = new LongAdder();

    ProgObject(Instance instance, ProgType type, String name, int expectedAttachType, String codeName,
            ProgramCode code, ProgramRegistry.Entry source, boolean gplCompatible, MapObject[] maps) {
        super(ObjectKind.PROG);
        this.instance = instance;
        this.type = type;
        this.name = name;
        this.expectedAttachType = expectedAttachType;
        this.codeName = codeName;
        this.code = code;
        this.source = source;
        this.gplCompatible = gplCompatible;
        this.maps = maps;
        this.access = new ProgMapAccess[maps.length];
        for (int i = 0; i < maps.length; i++) {
            access[i] = ProgMapAccess.of(maps[i]);
        }
        this.loadTime = BootClock.nanos();
        this.createdByUid = BootClock.uid();
        this.tag = tagOf(code);
    }

    @Override
    public ProgType type() {
        return type;
    }

    public String name() {
        return name;
    }

    public int expectedAttachType() {
        return expectedAttachType;
    }

    /** The device a dev-bound XDP program is bound to, or 0. */
    public int boundIfindex() {
        return boundIfindex;
    }

    /** Whether the program has code now; false after its bundle left and before it came back. */
    public boolean bound() {
        return code != null;
    }

    /** Runs that called the code. */
    public long runs() {
        return runs.sum();
    }

    /** Runs whose code threw, answered as an aborted program ({@code SK_DROP}). */
    public long aborted() {
        return aborted.sum();
    }

    /** Runs while the program had no code, answered {@code SK_PASS}. */
    public long unboundRuns() {
        return unboundRuns.sum();
    }

    /** The program-side map access of the map at this index, or null. */
    ProgMapAccess map(int index) {
        return index >= 0 && index < access.length ? access[index] : null;
    }

    int mapCount() {
        return access.length;
    }

    /** The map at this index, or null: what the redirect helpers look sockets up in. */
    MapObject mapObject(int index) {
        return index >= 0 && index < maps.length ? maps[index] : null;
    }

    /**
     * Runs the program on a context of its type, standing for the context's CPU
     * ({@link CurrentCpu}) so that per-CPU maps reached through the helpers see it. The verdict:
     * what the code returns; {@code SK_PASS} ({@code XDP_PASS}) while unbound; {@code SK_DROP}
     * ({@code XDP_ABORTED}) when the code throws (counted in {@link #aborted}), as an aborted
     * program's verdict drops. The thread survives.
     *
     * @throws IllegalArgumentException for a context of another family than the program's type
     */
    public int run(RunContext ctx) {
        if (ctx.prog != this) {
            throw new IllegalArgumentException("the context was made for another program");
        }
        ProgramCode c = code;
        ctx.outcome = RunContext.RAN;
        if (c == null) {
            ctx.outcome = RunContext.UNBOUND;
            unboundRuns.increment();
            return type == ProgType.XDP ? XdpAction.XDP_PASS : SkAction.SK_PASS;
        }
        runs.increment();
        int previous = CurrentCpu.enter(ctx.cpu()); // no scope object: a run allocates nothing, compiled or not
        try {
            if (c instanceof SkSkbProgram p && ctx instanceof SkSkbContext k) {
                return p.run(k);
            }
            if (c instanceof SkMsgProgram p && ctx instanceof SkMsgContext k) {
                return p.run(k);
            }
            if (c instanceof XdpProgram p && ctx instanceof XdpContext k) {
                return p.run(k);
            }
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            ctx.outcome = RunContext.ABORTED;
            aborted.increment();
            return type == ProgType.XDP ? XdpAction.XDP_ABORTED : SkAction.SK_DROP;
        } finally {
            CurrentCpu.exit(previous);
        }
        throw new IllegalArgumentException("a " + ctx.getClass().getSimpleName() + " is no context of a "
                + type.bpftoolName() + " program");
    }

    /**
     * The XDP code bound now, or null (unbound, or no XDP program): what a data path that runs
     * many frames binds once per batch instead of choosing the code per run ({@link #run}'s
     * checks). It then counts what it ran with {@link #ran}: the verdicts are {@link #run}'s
     * (unbound: XDP_PASS; a throw: XDP_ABORTED, counted with {@link #abortedRun}).
     */
    public XdpProgram xdpCode() {
        return code instanceof XdpProgram p ? p : null;
    }

    /** Counts a batch's runs: {@code ran} that called the code, {@code unbound} answered without code. */
    public void ran(int ran, int unbound) {
        if (ran != 0) {
            runs.add(ran);
        }
        if (unbound != 0) {
            unboundRuns.add(unbound);
        }
    }

    /** Counts a run of {@link #xdpCode} that threw, answered XDP_ABORTED. */
    public void abortedRun() {
        aborted.increment();
    }

    /** Code of the program's name came: bound to it when the program has none and the type fits. */
    synchronized void offer(ProgramRegistry.Entry e) {
        if (code == null && codeName != null && codeName.equals(e.name()) && fits(e.code())) {
            source = e;
            code = e.code();
        }
    }

    /** Code left: unbound when it was this program's, then bound to other code of the name, if any. */
    synchronized void withdraw(ProgramRegistry.Entry gone, ProgramRegistry.Entry other) {
        if (source != gone) {
            return;
        }
        source = null;
        code = null;
        if (other != null) {
            offer(other);
        }
    }

    /** Whether code is of the program's type (a family interface that matches it). */
    boolean fits(ProgramCode c) {
        ProgType t;
        try {
            t = c.progType();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
        return t == type && switch (t) {
            case SK_SKB -> c instanceof SkSkbProgram;
            case SK_MSG -> c instanceof SkMsgProgram;
            case XDP -> c instanceof XdpProgram;
            case SOCKET_FILTER -> c instanceof org.bpfmaps.core.prog.SocketFilterProgram;
            default -> false;
        };
    }

    /**
     * {@code bpf_prog_get_info_by_fd} (kernel/bpf/syscall.c): the caller's bytes past the ones
     * the kernel reads must be zero (E2BIG); the fields a program has are written over the
     * caller's bytes, the others (the pointers, ifindex, netns) come back as given, as measured on
     * 6.18. Nothing is behind pointers here but the map ids, which go to {@link InfoAttr#mapIds}.
     */
    @Override
    int info(InfoAttr a) {
        int err = ObjCommands.tailZero(a, ProgInfo.INPUT_END);
        if (err != 0) {
            return err;
        }
        int n = (int) Math.min(Integer.toUnsignedLong(a.infoLen), ProgInfo.SIZE);
        ByteBuffer b = ByteBuffer.allocate(ProgInfo.SIZE).order(ByteOrder.nativeOrder());
        if (n > 0 && !Bytes.canRead(a.info, 0, n)) {
            return a.fail(Errno.EFAULT, "info holds fewer than info_len (%d) bytes", n);
        }
        if (n > 0) {
            Bytes.copy(a.info, a.info.position(), b, 0, n);
        }
        int wanted = b.getInt(ProgInfo.OFF_NR_MAP_IDS);
        if (wanted != 0 && maps.length > 0) {
            int count = (int) Math.min(Integer.toUnsignedLong(wanted), maps.length);
            if (a.mapIds == null || a.mapIds.length < count) {
                return a.fail(Errno.EFAULT, "mapIds has room for fewer than the %d map ids nr_map_ids asks for",
                        count);
            }
            for (int i = 0; i < count; i++) {
                a.mapIds[i] = maps[i].id();
            }
        }
        b.putInt(ProgInfo.OFF_TYPE, type.number());
        b.putInt(ProgInfo.OFF_ID, id());
        b.put(ProgInfo.OFF_TAG, tag);
        b.putLong(ProgInfo.OFF_JITED_PROG_LEN, 0); // jited_prog_len, xlated_prog_len: no instructions
        b.putLong(ProgInfo.OFF_LOAD_TIME, loadTime);
        b.putInt(ProgInfo.OFF_CREATED_BY_UID, createdByUid);
        b.putInt(ProgInfo.OFF_NR_MAP_IDS, maps.length);
        b.put(ProgInfo.OFF_NAME, new byte[BpfFlags.OBJ_NAME_LEN]);
        b.put(ProgInfo.OFF_NAME, name.getBytes(StandardCharsets.US_ASCII));
        int word = b.getInt(ProgInfo.OFF_GPL_COMPATIBLE);
        b.putInt(ProgInfo.OFF_GPL_COMPATIBLE, gplCompatible ? word | 1 : word & ~1);
        b.putLong(ProgInfo.OFF_NR_JITED_KSYMS, 0); // and nr_jited_func_lens
        b.putInt(ProgInfo.OFF_BTF_ID, 0);
        b.putInt(ProgInfo.OFF_FUNC_INFO_REC_SIZE, 8); // sizeof(struct bpf_func_info), always written
        b.putLong(ProgInfo.OFF_NR_FUNC_INFO, 0); // and nr_line_info
        b.putInt(ProgInfo.OFF_NR_JITED_LINE_INFO, 0);
        b.putInt(ProgInfo.OFF_LINE_INFO_REC_SIZE, 16); // sizeof(struct bpf_line_info)
        b.putInt(ProgInfo.OFF_JITED_LINE_INFO_REC_SIZE, 8); // sizeof(__u64)
        // func_cnt ? : 1: one function, one tag; the count is written even with no prog_tags pointer
        b.putInt(ProgInfo.OFF_NR_PROG_TAGS, 1);
        // run_time_ns, run_cnt, recursion_misses: 0, as the kernel's while stats are off (ENABLE_STATS)
        b.putLong(ProgInfo.OFF_RUN_TIME_NS, 0).putLong(ProgInfo.OFF_RUN_CNT, 0).putLong(ProgInfo.OFF_RECURSION_MISSES, 0);
        b.putInt(ProgInfo.OFF_VERIFIED_INSNS, 0);
        b.putInt(ProgInfo.OFF_ATTACH_BTF_ID, 0);
        return ObjCommands.copyOut(b, a);
    }

    /** {@code bpf_prog_show_fdinfo}'s lines. */
    @Override
    Map<String, String> fdinfoLines() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("prog_type", Integer.toString(type.number()));
        m.put("prog_jited", "0");
        m.put("prog_tag", hex(tag));
        m.put("prog_id", Integer.toString(id()));
        m.put("run_time_ns", "0");
        m.put("run_cnt", "0");
        m.put("recursion_misses", "0");
        m.put("verified_insns", "0");
        return m;
    }

    @Override
    protected void free() {
        instance.forget(this);
        for (MapObject m : maps) {
            m.release();
        }
    }

    /** The tag: the first 8 bytes of the SHA-1 of the code's class name (no instructions to hash). */
    static byte[] tagOf(ProgramCode code) {
        byte[] t = new byte[ProgInfo.TAG_SIZE];
        if (code == null) {
            return t;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-1")
                    .digest(code.getClass().getName().getBytes(StandardCharsets.UTF_8));
            System.arraycopy(h, 0, t, 0, t.length);
        } catch (NoSuchAlgorithmException e) {
            // every Java platform has SHA-1; zeros otherwise
        }
        return t;
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }
}
