package org.bpfmaps.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.OpenedSocket;
import org.bpfmaps.core.sock.SocketFactories;
import org.bpfmaps.core.sock.Sockets;

/**
 * Replays one case on one (fresh) instance: creates the map, runs each op as the user-space
 * recorder ran it against the kernel, and compares every answer with the recorded one.
 *
 * <p>Buffers follow the recorder: inputs hold exactly the bytes the corpus gives (a short one is
 * the case's point, and must answer EFAULT as a short user buffer would), outputs are fresh zeroed
 * buffers of exactly the size the kernel writes, so that bytes the kernel leaves alone read as
 * zero, as they did there.
 */
final class CaseReplay {
    private final Bpf bpf;
    private final ConformanceCase c;
    private final MapSpec map;
    private final int cpus;
    private final ValueLayout layout;
    /** The fd MAP_CREATE gave, or -1 when it failed (ops after a failed create then answer EBADF). */
    private int mapFd = -1;
    /** The out_batch of the last lookup batch, which {@code in_batch: "prev"} passes on. */
    private ByteBuffer lastOutBatch;
    /** The objects of {@code sock_new}, by label, in the order made. */
    private final Map<String, Sock> socks = new LinkedHashMap<>();
    /** SOCKMAP and SOCKHASH: a lookup of value_size 8 reads a socket's cookie, recorded as {@code cookie_of}. */
    private final boolean socketMap;

    /** The program ops and the labels of programs and other maps. */
    private final ProgReplay progs;

    /** A {@code sock_new} object: what the factory opened, and its cookie (0 for a non-socket). */
    private record Sock(String label, OpenedSocket opened, long cookie) {
    }

    CaseReplay(Bpf bpf, ConformanceCase c, int cpus) {
        this.bpf = bpf;
        this.c = c;
        this.map = c.map();
        this.cpus = cpus;
        this.layout = new ValueLayout(c.map(), cpus);
        this.socketMap = map.mapType() == MapType.SOCKMAP || map.mapType() == MapType.SOCKHASH;
        this.progs = new ProgReplay(bpf, label -> sock(label).opened().fd());
    }

    /**
     * The first difference from the recording, or null when the case behaves as the kernel did.
     * The helper ends of the case's sockets (peers, listeners) are released at the end; the
     * sockets' fds are the instance's, closed with it.
     */
    Mismatch run() {
        try {
            return replay();
        } finally {
            socks.values().forEach(s -> s.opened().close());
        }
    }

    private Mismatch replay() {
        Mismatch m;
        try {
            m = ResultMatcher.compare(-1, "create", CheckMode.EXACT, c.create(), create());
        } catch (Throwable t) { // a dispatcher bug must fail the case, not the run
            return Mismatch.exception(-1, "create", t);
        }
        if (m != null) {
            return m;
        }
        for (CaseOp op : c.ops()) {
            try {
                m = ResultMatcher.compare(op.index(), op.kind().jsonName(), op.check(), op.result(), execute(op));
            } catch (Throwable t) {
                return Mismatch.exception(op.index(), op.kind().jsonName(), t);
            }
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** MAP_CREATE with the case's fields; remembers the fd for the ops. */
    private Observed create() {
        MapCreateAttr a = new MapCreateAttr();
        a.mapType = map.typeNumber();
        a.keySize = map.keySize();
        a.valueSize = map.valueSize();
        a.maxEntries = map.maxEntries();
        a.mapFlags = map.mapFlags();
        if (map.numaNode() != null) {
            a.numaNode = map.numaNode();
        }
        if (map.mapExtra() != null) {
            a.mapExtra = map.mapExtra();
        }
        a.mapName = map.name();
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        mapFd = fd >= 0 ? fd : -1;
        progs.caseMap(mapFd, map.valueSize());
        return observe(fd, a);
    }

    private Observed execute(CaseOp op) throws IOException {
        switch (op.kind()) {
            case UPDATE:
                return elem(BpfCmd.MAP_UPDATE_ELEM, op, valueOf(op));
            case LOOKUP:
                return lookup(BpfCmd.MAP_LOOKUP_ELEM, op);
            case LOOKUP_AND_DELETE:
                return lookup(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, op);
            case DELETE:
                return elem(BpfCmd.MAP_DELETE_ELEM, op, null);
            case GET_NEXT_KEY:
                return getNextKey(op);
            case FREEZE: {
                // MAP_FREEZE reads only map_fd
                MapElemAttr a = new MapElemAttr(mapFd);
                return observe(bpf.bpf(BpfCmd.MAP_FREEZE, a), a);
            }
            case INFO:
                return info(op);
            case FDINFO:
                return fdinfo();
            case LOOKUP_BATCH:
            case LOOKUP_AND_DELETE_BATCH:
                return lookupBatch(op);
            case UPDATE_BATCH:
            case DELETE_BATCH:
                return writeBatch(op);
            case BATCH_ALL:
                return batchAll(op);
            case ITERATE:
            case DUMP:
                return walk(op.kind() == OpKind.DUMP);
            case SOCK_NEW:
                return sockNew(op);
            case SOCK_CLOSE:
                return new Observed(bpf.close(sock(op.string("label")).opened().fd()), null);
            default:
                if (ProgReplay.PROG_OPS.contains(op.kind())) {
                    return progs.execute(op);
                }
                throw new UnsupportedOperationException(op.kind().jsonName());
        }
    }

    // ---- socket objects ----

    /**
     * {@code sock_new}: an object of the kind, made by the installed parts through the core's
     * extension point (the runner skipped the case if none makes it).
     */
    private Observed sockNew(CaseOp op) throws IOException {
        String label = op.string("label");
        if (socks.containsKey(label)) {
            throw new IllegalArgumentException("sock_new: label '" + label + "' is used by an earlier sock_new");
        }
        OpenedSocket o = SocketFactories.open(bpf, op.string("kind"));
        BpfSocket s = Sockets.byFd(bpf, o.fd());
        socks.put(label, new Sock(label, o, s == null ? 0 : s.cookie()));
        return new Observed(0, null);
    }

    private Sock sock(String label) {
        Sock s = socks.get(label);
        if (s == null) {
            throw new IllegalArgumentException("no sock_new made the label '" + label + "'");
        }
        return s;
    }

    /** The map an element op names ({@code map: label}, a map of {@code map_new}), else the case's. */
    private int targetMap(CaseOp op) {
        return op.has("map") ? progs.fd(op.string("map")) : mapFd;
    }

    /** An fd where a socket map wants one: __u32 or __u64, as value_size says. */
    private ByteBuffer fdValue(long fd) {
        return fdValue(fd, map.valueSize());
    }

    private ByteBuffer fdValue(long fd, int valueSize) {
        ByteBuffer b = ByteBuffer.allocate(Integer.toUnsignedLong(valueSize) >= 8 ? 8 : 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() == 8) {
            b.putLong(0, fd);
        } else {
            b.putInt(0, (int) fd);
        }
        return b;
    }

    /**
     * A socket map's value read back is a cookie: recorded as {@code cookie_of} the label whose
     * socket has it (the kernel's SO_COOKIE differs from run to run, the label does not).
     */
    private void putCookie(Map<String, Object> into, ByteBuffer value) {
        if (!socketMap || value.capacity() != 8) {
            return;
        }
        long cookie = value.duplicate().order(ByteOrder.nativeOrder()).getLong(0);
        String label = "cookie " + Long.toUnsignedString(cookie) + " of no sock_new";
        for (Sock s : socks.values()) {
            if (s.cookie() != 0 && s.cookie() == cookie) {
                label = s.label();
            }
        }
        into.put("cookie_of", label);
    }

    // ---- element commands ----

    private Observed elem(BpfCmd cmd, CaseOp op, ByteBuffer value) {
        MapElemAttr a = new MapElemAttr().set(targetMap(op), key(op), value, op.number("flags", 0));
        return observe(bpf.bpf(cmd, a), a);
    }

    /**
     * A lookup writes the value into a fresh zeroed buffer; an op that gives {@code value} passes
     * exactly those bytes instead (a bloom filter's lookup reads the value it tests), or a NULL
     * pointer for {@code value: null}. After a success the buffer is recorded as it then reads.
     */
    private Observed lookup(BpfCmd cmd, CaseOp op) {
        ByteBuffer value = op.has("value") ? ValueLayout.wrap(op.bytes("value"))
                : ByteBuffer.allocate(layout.valueBufSize());
        MapElemAttr a = new MapElemAttr().set(mapFd, key(op), value, op.number("flags", 0));
        Observed o = observe(bpf.bpf(cmd, a), a);
        if (o.ret >= 0 && value != null) {
            layout.putValue(o.fields, value, 0);
            putCookie(o.fields, value);
        }
        return o;
    }

    /** next_key is a fresh buffer of key_size bytes, or a NULL pointer for {@code next_key: null}. */
    private Observed getNextKey(CaseOp op) {
        MapElemAttr a = new MapElemAttr().set(mapFd, key(op), null, op.number("flags", 0));
        a.nextKey = op.has("next_key") ? ValueLayout.wrap(op.bytes("next_key"))
                : ByteBuffer.allocate(layout.keySize());
        Observed o = observe(bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a), a);
        if (o.ret >= 0 && a.nextKey != null) {
            o.put("next_key", Hex.encode(a.nextKey, 0, layout.keySize()));
        }
        return o;
    }

    /** The value an update writes: raw bytes, per-CPU values, a raw fd number, or a sock_new object's fd. */
    private ByteBuffer valueOf(CaseOp op) {
        if (op.has("value")) {
            return ValueLayout.wrap(op.bytes("value"));
        }
        if (op.has("value_per_cpu")) {
            return ByteBuffer.wrap(layout.perCpuValue(op.bytesList("value_per_cpu")));
        }
        if (op.has("fd_value")) {
            return fdValue(op.number("fd_value", 0)); // a raw integer where a socket map wants an fd
        }
        int valueSize = op.has("map") ? progs.valueSize(op.string("map")) : map.valueSize();
        return fdValue(sock(op.string("sock")).opened().fd(), valueSize);
    }

    // ---- info ----

    private Observed info(CaseOp op) {
        InfoAttr a = new InfoAttr();
        a.bpfFd = mapFd;
        a.infoLen = (int) op.number("info_len", BpfFlags.MAP_INFO_SIZE);
        a.info = ByteBuffer.allocate(Math.toIntExact(Integer.toUnsignedLong(a.infoLen)));
        Observed o = observe(bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a), a);
        if (o.ret >= 0) {
            o.put("info_len", Integer.toUnsignedLong(a.infoLen));
            o.put("info", InfoFields.of(MapInfo.read(a.info, a.infoLen)));
        }
        return o;
    }

    /** The fdinfo lines bpftool shows: memlock (the provider's memory accounting) and frozen. */
    private Observed fdinfo() {
        MapFdInfo i = bpf.fdinfo(mapFd);
        if (i == null) {
            return new Observed(Errno.EBADF.ret(), "fd " + mapFd + " is not an open map");
        }
        return new Observed(0, null).put("memlock", i.memlock()).put("frozen", i.frozen());
    }

    // ---- batches ----

    /** One lookup (and delete) batch call and what it returned. */
    private record Page(int ret, MapBatchAttr attr, List<String> keys, List<Map<String, Object>> values) {
    }

    private Observed lookupBatch(CaseOp op) {
        BpfCmd cmd = op.kind() == OpKind.LOOKUP_BATCH ? BpfCmd.MAP_LOOKUP_BATCH : BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH;
        Page p = page(cmd, inBatch(op), (int) op.number("count", 0), op);
        return observe(p.ret, p.attr)
                .put("count", Integer.toUnsignedLong(p.attr.count))
                .put("keys", p.keys)
                .put("values", p.values)
                .put("out_batch", Hex.encode(p.attr.outBatch, 0, p.attr.outBatch.capacity()));
    }

    /** {@code in_batch}: null to start, "prev" for the last lookup batch's out_batch, or given bytes. */
    private ByteBuffer inBatch(CaseOp op) {
        Object in = op.args().get("in_batch");
        if (in == null) {
            return null;
        }
        return "prev".equals(in) ? lastOutBatch : ValueLayout.wrap(op.bytes("in_batch"));
    }

    /**
     * Calls a lookup batch with room for {@code count} elements. out_batch gets room for a key or
     * a 4-byte bucket cursor, whichever is larger, since the type decides which it writes.
     */
    private Page page(BpfCmd cmd, ByteBuffer inBatch, int count, CaseOp op) {
        int ks = layout.keySize();
        int vs = layout.valueBufSize();
        long n = Integer.toUnsignedLong(count);
        MapBatchAttr a = new MapBatchAttr(mapFd);
        a.inBatch = inBatch;
        a.outBatch = ByteBuffer.allocate(Math.max(ks, 4));
        a.keys = ByteBuffer.allocate(Math.toIntExact(n * ks));
        a.values = ByteBuffer.allocate(Math.toIntExact(n * vs));
        a.count = count;
        a.elemFlags = op.number("elem_flags", 0);
        a.flags = op.number("flags", 0);
        int ret = bpf.bpf(cmd, a);
        lastOutBatch = a.outBatch;
        // the elements are those count says were written back; never more than there is room for
        long got = Math.min(Integer.toUnsignedLong(a.count), n);
        List<String> keys = new ArrayList<>();
        List<Map<String, Object>> values = new ArrayList<>();
        for (int i = 0; i < got; i++) {
            keys.add(Hex.encode(a.keys, i * ks, ks));
            Map<String, Object> v = new LinkedHashMap<>();
            layout.putValue(v, a.values, i * vs);
            values.add(v);
        }
        return new Page(ret, a, keys, values);
    }

    private Observed writeBatch(CaseOp op) {
        List<byte[]> keys = op.bytesList("keys");
        MapBatchAttr a = new MapBatchAttr(mapFd);
        a.keys = ByteBuffer.wrap(ValueLayout.concat(keys));
        if (op.has("values")) {
            a.values = ByteBuffer.wrap(ValueLayout.concat(op.bytesList("values")));
        } else if (op.has("values_per_cpu")) {
            List<byte[]> values = new ArrayList<>();
            for (List<byte[]> perCpu : op.bytesLists("values_per_cpu")) {
                values.add(layout.perCpuValue(perCpu));
            }
            a.values = ByteBuffer.wrap(ValueLayout.concat(values));
        } else if (op.has("socks")) {
            List<byte[]> values = new ArrayList<>();
            for (Object label : (List<?>) op.args().get("socks")) {
                values.add(fdValue(sock((String) label).opened().fd()).array());
            }
            a.values = ByteBuffer.wrap(ValueLayout.concat(values));
        }
        a.count = keys.size();
        a.elemFlags = op.number("elem_flags", 0);
        a.flags = op.number("flags", 0);
        BpfCmd cmd = op.kind() == OpKind.UPDATE_BATCH ? BpfCmd.MAP_UPDATE_BATCH : BpfCmd.MAP_DELETE_BATCH;
        return observe(bpf.bpf(cmd, a), a).put("count", Integer.toUnsignedLong(a.count));
    }

    /**
     * Pages through the whole map with lookup(_and_delete) batches of {@code count}, each from the
     * last one's out_batch, until one fails (ENOENT at the end); the elements of every call, the
     * last one included, make the entries.
     */
    private Observed batchAll(CaseOp op) {
        BpfCmd cmd = op.flag("delete") ? BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH : BpfCmd.MAP_LOOKUP_BATCH;
        int count = (int) op.number("count", 0);
        List<Object> entries = new ArrayList<>();
        ByteBuffer cursor = null;
        long limit = walkLimit();
        for (long calls = 1;; calls++) {
            if (calls > limit) {
                throw new IllegalStateException("batch_all: no error after " + limit + " calls of " + cmd
                        + "; the walk never ends");
            }
            Page p = page(cmd, cursor, count, op);
            for (int i = 0; i < p.keys.size(); i++) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", p.keys.get(i));
                entry.putAll(p.values.get(i));
                entries.add(entry);
            }
            if (p.ret < 0) {
                return new Observed(0, p.attr.errorMessage())
                        .put("count", (long) entries.size())
                        .put("entries", entries)
                        .put("end_errno", Errno.nameOf(p.ret));
            }
            cursor = p.attr.outBatch;
        }
    }

    // ---- walks ----

    /**
     * get_next_key from NULL until an error, as {@code bpftool map dump} walks; a dump also looks
     * up every key, recording the value or the lookup's errno.
     */
    private Observed walk(boolean dump) {
        int ks = layout.keySize();
        List<Object> keys = new ArrayList<>();
        List<Object> entries = new ArrayList<>();
        ByteBuffer prev = null;
        long limit = walkLimit();
        MapElemAttr a = new MapElemAttr();
        while (true) {
            if (keys.size() > limit) {
                throw new IllegalStateException("get_next_key gave " + keys.size() + " keys without an error "
                        + "(max_entries " + Integer.toUnsignedLong(map.maxEntries()) + "); the walk never ends");
            }
            a.set(mapFd, prev, null, 0);
            a.nextKey = ByteBuffer.allocate(ks);
            int ret = bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a);
            if (ret < 0) {
                Observed o = new Observed(0, a.errorMessage()).put("end_errno", Errno.nameOf(ret));
                return dump ? o.put("count", (long) entries.size()).put("entries", entries) : o.put("keys", keys);
            }
            String key = Hex.encode(a.nextKey, 0, ks);
            keys.add(key);
            if (dump) {
                entries.add(dumpEntry(a.nextKey, key));
            }
            prev = a.nextKey;
        }
    }

    private Map<String, Object> dumpEntry(ByteBuffer key, String hex) {
        ByteBuffer value = ByteBuffer.allocate(layout.valueBufSize());
        MapElemAttr l = new MapElemAttr().set(mapFd, key, value, 0);
        int ret = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, l);
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("key", hex);
        if (ret < 0) {
            e.put("errno", Errno.nameOf(ret));
        } else {
            layout.putValue(e, value, 0);
            putCookie(e, value);
        }
        return e;
    }

    /**
     * The most keys a walk may give before it is taken as endless: every entry once, with room
     * for types that round max_entries up (LRU lists per CPU).
     */
    private long walkLimit() {
        return 2 * Integer.toUnsignedLong(map.maxEntries()) + cpus + 2;
    }

    /** The op's key: its bytes, or a NULL pointer for {@code key: null}. */
    private static ByteBuffer key(CaseOp op) {
        return ValueLayout.wrap(op.bytes("key"));
    }

    private static Observed observe(int ret, BpfAttr a) {
        return new Observed(ret, ret < 0 ? a.errorMessage() : null);
    }
}
