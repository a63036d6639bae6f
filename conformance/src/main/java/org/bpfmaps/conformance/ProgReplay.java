package org.bpfmaps.conformance;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgInfo;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SocketFilterProgram;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;

/**
 * The program ops of a case (corpus/FORMAT.md, {@code prog-sockmap-6.18.json}): programs, other
 * maps and fds got back by id under labels of one namespace ({@code "map"} is the case's map), the
 * attach commands built from the labels' fds, raw values and {@code attr_set}, and ids mapped back
 * to labels through the id each label's object has (read with OBJ_GET_INFO_BY_FD when it is made).
 *
 * <p>A recorded program is "r0 = 1; exit": replayed as a Java program of its type whose every run
 * returns {@code SK_PASS} (1). Cases this runner cannot replay faithfully are skipped with a reason
 * ({@link #skipReason}), never passed.
 */
final class ProgReplay {
    /** The kernel program every recorded load but {@code prog_load_checks} gives: r0 = 1; exit. */
    static final String SK_PASS_INSNS = "b7000000010000009500000000000000";
    /** The ops replayed here; the others of the format are not yet. */
    private static final Set<OpKind> REPLAYED = Set.of(OpKind.PROG_LOAD, OpKind.PROG_CLOSE, OpKind.MAP_NEW,
            OpKind.MAP_CLOSE, OpKind.PROG_ATTACH, OpKind.PROG_DETACH, OpKind.PROG_QUERY, OpKind.PROG_GET_FD_BY_ID,
            OpKind.PROG_ID_WALK, OpKind.PROG_GET_NEXT_ID, OpKind.PROG_INFO, OpKind.OBJ_PIN, OpKind.OBJ_GET,
            OpKind.PIN_REMOVE);
    /**
     * The ops whose {@code attr_set} fields the replay maps onto the attr: named fields, or the
     * attr's {@code tail} (the bytes past the command's last field, which the core checks as the
     * kernel's CHECK_ATTR does).
     */
    private static final Set<OpKind> ATTR_SET = Set.of(OpKind.PROG_ATTACH, OpKind.PROG_DETACH, OpKind.PROG_QUERY,
            OpKind.PROG_LOAD, OpKind.PROG_INFO, OpKind.OBJ_PIN, OpKind.OBJ_GET, OpKind.PROG_GET_FD_BY_ID,
            OpKind.PROG_GET_NEXT_ID);
    /** The bpffs directory the runner owns (the recorder's), in the instance's own bpffs. */
    static final String PIN_DIR = "/sys/fs/bpf/bpfmaps-progrec";
    /** The program ops (and their relatives) that the replay of a case with them needs. */
    static final Set<OpKind> PROG_OPS = Set.of(OpKind.PROG_LOAD, OpKind.PROG_CLOSE, OpKind.MAP_NEW,
            OpKind.MAP_CLOSE, OpKind.PROG_ATTACH, OpKind.PROG_DETACH, OpKind.PROG_QUERY, OpKind.PROG_INFO,
            OpKind.PROG_GET_NEXT_ID, OpKind.PROG_ID_WALK, OpKind.PROG_GET_FD_BY_ID, OpKind.OBJ_PIN,
            OpKind.OBJ_GET, OpKind.PIN_REMOVE);

    private final Bpf bpf;
    /** The fd of a {@code sock_new} label, for ops that name a socket where a map or program goes. */
    private final java.util.function.ToIntFunction<String> sockFd;
    /** The labels of programs (ids are per kind: only these answer a program id). */
    private final Set<String> progLabels = new java.util.HashSet<>();
    /** The labels of maps: the case's, map_new's and what obj_get gave of kind map. */
    private final Set<String> mapLabels = new java.util.HashSet<>(Set.of("map"));
    /** Whether {@link #PIN_DIR} was made in this instance's bpffs. */
    private boolean pinDir;
    /** Label to fd (-1 after a failed make or a close). */
    private final Map<String, Integer> fds = new LinkedHashMap<>();
    /** Label to the id of its object, read when it was made. */
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    /** Label of a map to its value_size (for the fds an update puts in its values). */
    private final Map<String, Integer> valueSizes = new LinkedHashMap<>();

    ProgReplay(Bpf bpf, java.util.function.ToIntFunction<String> sockFd) {
        this.bpf = bpf;
        this.sockFd = sockFd;
    }

    /**
     * Why a case cannot be replayed here, or null: an op of the format this runner does not replay
     * yet, {@code attr_set} on an op whose attr it does not map, or a program that is not the SK_PASS
     * one of a type this project loads Java programs of.
     */
    static String skipReason(ConformanceCase c) {
        for (CaseOp op : c.ops()) {
            if (!PROG_OPS.contains(op.kind())) {
                continue;
            }
            if (!REPLAYED.contains(op.kind())) {
                return "op " + op.kind().jsonName() + " is not replayed by this runner yet";
            }
            if (op.has("attr_set") && !ATTR_SET.contains(op.kind())) {
                return "attr_set on " + op.kind().jsonName() + " is not replayed by this runner yet";
            }
            if (op.kind() == OpKind.PROG_LOAD) {
                ProgType t = progType(op);
                if (t != null && t.number() != 0 && !t.javaFamily()) {
                    return "prog_type " + op.args().get("prog_type") + ": no Java program of this type loads here";
                }
                if (!SK_PASS_INSNS.equals(op.args().get("insns"))) {
                    return "prog_load of instructions other than \"r0 = 1; exit\" has no Java program here";
                }
            }
        }
        return null;
    }

    private static ProgType progType(CaseOp op) {
        Object t = op.args().get("prog_type");
        return t instanceof String s ? ProgType.byName(s) : ProgType.of((int) op.number("prog_type", -1));
    }

    /** The case's own map, under its label {@code "map"}. */
    void caseMap(int fd, int valueSize) {
        fds.put("map", fd);
        valueSizes.put("map", valueSize);
        if (fd >= 0) {
            ids.put("map", idOf(fd));
        }
    }

    /** The fd of a label's object (a map, a program, an fd got back), or -1. */
    int fd(String label) {
        Integer fd = fds.get(label);
        return fd != null ? fd : sockFd.applyAsInt(label);
    }

    int valueSize(String label) {
        return valueSizes.getOrDefault(label, 8);
    }

    Observed execute(CaseOp op) {
        switch (op.kind()) {
            case PROG_LOAD:
                return load(op);
            case MAP_NEW:
                return mapNew(op);
            case PROG_CLOSE:
            case MAP_CLOSE: {
                int fd = fd(op.string("label"));
                fds.put(op.string("label"), -1);
                return new Observed(bpf.close(fd), null);
            }
            case PROG_ATTACH:
            case PROG_DETACH:
                return attach(op);
            case PROG_QUERY:
                return query(op);
            case PROG_GET_FD_BY_ID:
                return fdById(op);
            case PROG_GET_NEXT_ID:
                return nextId(op);
            case PROG_ID_WALK:
                return idWalk(op);
            case PROG_INFO:
                return info(op);
            case OBJ_PIN:
                return pin(op);
            case OBJ_GET:
                return objGet(op);
            case PIN_REMOVE: {
                ObjAttr sink = new ObjAttr();
                int ret = bpf.unlink(pinPath(op), sink);
                return new Observed(ret, ret < 0 ? sink.errorMessage() : null);
            }
            default:
                throw new UnsupportedOperationException(op.kind().jsonName());
        }
    }

    private Observed load(CaseOp op) {
        ProgType t = progType(op);
        // a type number of no program type (0, 999) is replayed as given, with an SK_SKB program's code
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_SKB, passCode(t));
        a.progType = t != null ? t.number() : (int) op.number("prog_type", 0);
        a.progName = progName(op);
        a.license = (String) op.args().getOrDefault("license", "GPL");
        a.expectedAttachType = op.has("expected_attach_type") ? attachType(op, "expected_attach_type") : 0;
        progLabels.add(op.string("label"));
        a.progFlags = (int) op.number("prog_flags", 0);
        return made(op.string("label"), bpf.bpf(BpfCmd.PROG_LOAD, a), a);
    }

    /**
     * "r0 = 1; exit" as Java code of the type: SK_PASS, XDP_DROP (1) and a socket filter keeping 1
     * byte each return 1; a number of no Java family gets an SK_SKB program's code.
     */
    static ProgramCode passCode(ProgType t) {
        if (t == null) {
            return (SkSkbProgram) ctx -> SkAction.SK_PASS;
        }
        return switch (t) {
            case SK_MSG -> (SkMsgProgram) ctx -> SkAction.SK_PASS;
            case XDP -> (XdpProgram) ctx -> XdpAction.XDP_DROP;
            case SOCKET_FILTER -> (SocketFilterProgram) len -> 1;
            default -> (SkSkbProgram) ctx -> SkAction.SK_PASS;
        };
    }

    private Observed mapNew(CaseOp op) {
        MapSpec m = MapSpec.parse(op.args().get("map"), "map_new.map");
        MapCreateAttr a = new MapCreateAttr();
        a.mapType = m.typeNumber();
        a.keySize = m.keySize();
        a.valueSize = m.valueSize();
        a.maxEntries = m.maxEntries();
        a.mapFlags = m.mapFlags();
        a.mapName = m.name();
        valueSizes.put(op.string("label"), m.valueSize());
        mapLabels.add(op.string("label"));
        return made(op.string("label"), bpf.bpf(BpfCmd.MAP_CREATE, a), a);
    }

    private Observed made(String label, int fd, BpfAttr a) {
        fds.put(label, fd >= 0 ? fd : -1);
        if (fd >= 0) {
            ids.put(label, idOf(fd));
        }
        return new Observed(fd, fd < 0 ? a.errorMessage() : null);
    }

    /** The id of an fd's object: bytes 4..8 of its info (map and program info alike). */
    private int idOf(int fd) {
        InfoAttr i = new InfoAttr(fd);
        i.infoLen = 8;
        i.info = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        return bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i) < 0 ? 0 : i.info.getInt(4);
    }

    /** The program label whose object has this id ("other" when none of the case's has it). */
    private String labelOf(int id) {
        return labelOf(id, progLabels);
    }

    /** The label among these (ids are per kind) whose object has this id, or "other". */
    private String labelOf(int id, Set<String> kind) {
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            if (e.getValue() == id && id != 0 && kind.contains(e.getKey())) {
                return e.getKey();
            }
        }
        return "other";
    }

    private int fdOr(CaseOp op, String label, String raw) {
        return op.has(label) ? fd(op.string(label)) : (int) op.number(raw, -1);
    }

    private Observed attach(CaseOp op) {
        ProgAttachAttr a = new ProgAttachAttr();
        a.targetFd = fdOr(op, "target", "target_fd_value");
        a.attachBpfFd = fdOr(op, "prog", "prog_fd_value");
        a.attachType = attachType(op);
        a.attachFlags = (int) op.number("attach_flags", 0);
        for (long[] f : attrSet(op)) {
            if (f[0] >= 32) {
                a.tail |= f[2];
            } else if (f[0] == 16) {
                a.replaceBpfFd = (int) f[2];
            } else if (f[0] == 20) {
                a.relativeFd = (int) f[2];
            } else if (f[0] == 24) {
                a.expectedRevision = f[2];
            } else {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of " + op.kind().jsonName());
            }
        }
        BpfCmd cmd = op.kind() == OpKind.PROG_ATTACH ? BpfCmd.PROG_ATTACH : BpfCmd.PROG_DETACH;
        int ret = bpf.bpf(cmd, a);
        return new Observed(ret, ret < 0 ? a.errorMessage() : null);
    }

    private Observed query(CaseOp op) {
        int cnt = (int) op.number("prog_cnt", 0);
        ProgQueryAttr a = new ProgQueryAttr(fd(op.string("target")), attachType(op), new int[cnt]);
        a.queryFlags = (int) op.number("query_flags", 0);
        for (long[] f : attrSet(op)) {
            if (f[0] >= 64) {
                a.tail |= f[2];
            } else if (f[0] == 12) {
                a.attachFlags = (int) f[2]; // an output: what the caller left there is overwritten
            } else {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of prog_query");
            }
        }
        int ret = bpf.bpf(BpfCmd.PROG_QUERY, a);
        Observed o = new Observed(ret, ret < 0 ? a.errorMessage() : null);
        if (ret >= 0) {
            List<String> progs = new ArrayList<>();
            for (int i = 0; i < Math.min(Integer.toUnsignedLong(a.progCnt), cnt); i++) {
                progs.add(labelOf(a.progIds[i]));
            }
            o.put("attach_flags", Integer.toUnsignedLong(a.attachFlags))
                    .put("prog_cnt", Integer.toUnsignedLong(a.progCnt))
                    .put("progs", progs);
        }
        return o;
    }

    private Observed fdById(CaseOp op) {
        Integer id = op.has("of") ? ids.get(op.string("of")) : Integer.valueOf((int) op.number("id_value", 0));
        GetIdAttr a = new GetIdAttr(id == null ? 0 : id);
        a.openFlags = (int) op.number("open_flags", 0);
        setIdAttr(op, a, "prog_get_fd_by_id");
        int fd = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, a);
        String label = op.string("label");
        progLabels.add(label);
        fds.put(label, fd >= 0 ? fd : -1);
        Observed o = new Observed(fd, fd < 0 ? a.errorMessage() : null);
        if (fd >= 0) {
            ids.put(label, idOf(fd));
            o.put("same_id_as", labelOf(idOf(fd)));
        }
        return o;
    }

    /**
     * The {@code attr_set} fields of a GET_NEXT_ID / GET_FD_BY_ID op: next_id at 4, open_flags at 8,
     * anything from 12 on is the tail past the command's last field.
     */
    private void setIdAttr(CaseOp op, GetIdAttr a, String command) {
        for (long[] f : attrSet(op)) {
            if (f[0] >= 12) {
                a.tail |= f[2];
            } else if (f[0] == 4) {
                a.nextId = (int) f[2];
            } else if (f[0] == 8) {
                a.openFlags = (int) f[2];
            } else {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of " + command);
            }
        }
    }

    /** One PROG_GET_NEXT_ID from a label's id or a raw one; the result says only whether next > start. */
    private Observed nextId(CaseOp op) {
        int start = op.has("start") ? ids.getOrDefault(op.string("start"), 0) : (int) op.number("start_id", 0);
        GetIdAttr a = new GetIdAttr(start);
        setIdAttr(op, a, "prog_get_next_id");
        int ret = bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, a);
        Observed o = new Observed(ret, ret < 0 ? a.errorMessage() : null);
        if (ret >= 0) {
            o.put("next_id_gt_start", Integer.toUnsignedLong(a.nextId) > Integer.toUnsignedLong(start));
        }
        return o;
    }

    /** PROG_GET_NEXT_ID from a label's id (or 0) until an error: the case's programs met, in order. */
    private Observed idWalk(CaseOp op) {
        int id = op.has("start") ? ids.getOrDefault(op.string("start"), 0) : 0;
        List<String> met = new ArrayList<>();
        GetIdAttr a = new GetIdAttr();
        for (int calls = 0; calls < 1 << 16; calls++) {
            a.startId = id;
            int ret = bpf.bpf(BpfCmd.PROG_GET_NEXT_ID, a);
            if (ret < 0) {
                return new Observed(0, a.errorMessage()).put("progs", met)
                        .put("end_errno", org.bpfmaps.core.api.Errno.nameOf(ret));
            }
            if (Integer.toUnsignedLong(a.nextId) <= Integer.toUnsignedLong(id)) {
                throw new IllegalStateException("PROG_GET_NEXT_ID went from " + id + " to " + a.nextId);
            }
            id = a.nextId;
            String label = labelOf(id);
            if (!label.equals("other")) {
                met.add(label);
            }
        }
        throw new IllegalStateException("prog_id_walk: no error after 65536 calls");
    }

    /**
     * {@code prog_name} (offset 48, 16 bytes): the op's name, with what {@code attr_set} writes
     * there (a name of 16 characters and no NUL is recorded so); other offsets are refused.
     */
    private static String progName(CaseOp op) {
        String name = (String) op.args().get("name");
        List<long[]> set = attrSet(op);
        if (set.isEmpty()) {
            return name;
        }
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        byte[] given = name == null ? new byte[0] : name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        b.put(given, 0, Math.min(given.length, 16));
        for (long[] f : set) {
            if (f[0] < 48 || f[0] + f[1] > 64 || (f[1] != 8 && f[1] != 4)) {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of prog_load: only prog_name "
                        + "(48..63) is mapped");
            }
            if (f[1] == 8) {
                b.putLong((int) f[0] - 48, f[2]);
            } else {
                b.putInt((int) f[0] - 48, (int) f[2]);
            }
        }
        int n = 0;
        while (n < 16 && b.get(n) != 0) {
            n++;
        }
        return new String(b.array(), 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /**
     * OBJ_GET_INFO_BY_FD on a program: a zeroed buffer of info_len (232 by default) with one byte
     * 01 at {@code tail_at}; the fields written back, as {@link ProgInfoFields} names them.
     */
    private Observed info(CaseOp op) {
        InfoAttr a = new InfoAttr();
        a.bpfFd = fd(op.string("prog"));
        a.infoLen = (int) op.number("info_len", ProgInfo.SIZE);
        a.info = ByteBuffer.allocate(Math.toIntExact(Integer.toUnsignedLong(a.infoLen))).order(ByteOrder.nativeOrder());
        if (op.has("tail_at")) {
            a.info.put((int) op.number("tail_at", 0), (byte) 1);
        }
        for (long[] f : attrSet(op)) {
            if (f[0] < 16) {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of prog_info");
            }
            a.tail |= f[2];
        }
        int ret = bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        Observed o = new Observed(ret, ret < 0 ? a.errorMessage() : null);
        if (ret >= 0) {
            o.put("info_len", Integer.toUnsignedLong(a.infoLen)).put("info", ProgInfoFields.of(a.info, a.infoLen));
        }
        return o;
    }

    /** A pin's path: {@code pin} under the runner's directory, made in the instance's bpffs at first use. */
    private String pinPath(CaseOp op) {
        if (!pinDir) {
            ObjAttr sink = new ObjAttr();
            int ret = bpf.mkdir(PIN_DIR, sink);
            if (ret < 0 && ret != org.bpfmaps.core.api.Errno.EEXIST.ret()) {
                throw new IllegalStateException("mkdir " + PIN_DIR + ": " + sink.errorMessage());
            }
            pinDir = true;
        }
        return PIN_DIR + "/" + op.string("pin");
    }

    private Observed pin(CaseOp op) {
        ObjAttr a = new ObjAttr(pinPath(op), fd(op.string("obj")));
        objFields(op, a);
        int ret = bpf.bpf(BpfCmd.OBJ_PIN, a);
        return new Observed(ret, ret < 0 ? a.errorMessage() : null);
    }

    /** OBJ_GET: the new fd under {@code label}; its kind (map or prog) and the label with its id. */
    private Observed objGet(CaseOp op) {
        ObjAttr a = new ObjAttr(pinPath(op), 0);
        objFields(op, a);
        int fd = bpf.bpf(BpfCmd.OBJ_GET, a);
        String label = op.string("label");
        fds.put(label, fd >= 0 ? fd : -1);
        Observed o = new Observed(fd, fd < 0 ? a.errorMessage() : null);
        if (fd >= 0) {
            boolean map = bpf.fdinfo(fd) != null;
            (map ? mapLabels : progLabels).add(label);
            int id = idOf(fd);
            ids.put(label, id);
            o.put("kind", map ? "map" : "prog").put("same_id_as", labelOf(id, map ? mapLabels : progLabels));
        }
        return o;
    }

    /** file_flags, and attr_set: path_fd (offset 16) or the tail past it (20 on). */
    private static void objFields(CaseOp op, ObjAttr a) {
        a.fileFlags = (int) op.number("file_flags", 0);
        for (long[] f : attrSet(op)) {
            if (f[0] >= 20) {
                a.tail |= f[2];
            } else if (f[0] == 16) {
                a.pathFd = (int) f[2];
            } else {
                throw new IllegalArgumentException("attr_set offset " + f[0] + " of " + op.kind().jsonName());
            }
        }
    }

    /** {@code attach_type}: a name of the format or a raw number. */
    private static int attachType(CaseOp op) {
        return attachType(op, "attach_type");
    }

    private static int attachType(CaseOp op, String field) {
        Object t = op.args().get(field);
        if (t instanceof String s) {
            switch (s) {
                case "SK_SKB_STREAM_PARSER":
                    return ProgAttachAttr.SK_SKB_STREAM_PARSER;
                case "SK_SKB_STREAM_VERDICT":
                    return ProgAttachAttr.SK_SKB_STREAM_VERDICT;
                case "SK_MSG_VERDICT":
                    return ProgAttachAttr.SK_MSG_VERDICT;
                case "SK_SKB_VERDICT":
                    return ProgAttachAttr.SK_SKB_VERDICT;
                case "XDP":
                    return 37;
                case "CGROUP_INET_INGRESS":
                    return 0;
                default:
                    throw new IllegalArgumentException("attach_type '" + s + "' has no number in this runner");
            }
        }
        return (int) op.number(field, 0);
    }

    /** {@code attr_set}: [offset, width, value] triples. */
    private static List<long[]> attrSet(CaseOp op) {
        List<long[]> out = new ArrayList<>();
        Object v = op.args().get("attr_set");
        if (v == null) {
            return out;
        }
        for (Object t : (List<?>) v) {
            List<?> l = (List<?>) t;
            out.add(new long[] {Json.bigInteger(l.get(0)).longValue(), Json.bigInteger(l.get(1)).longValue(),
                    Json.bigInteger(l.get(2)).longValue()});
        }
        return out;
    }
}
