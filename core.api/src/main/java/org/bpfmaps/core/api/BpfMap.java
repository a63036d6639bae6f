package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A handle on one map: the typed face of the same map that {@link Bpf#bpf} reaches by its fd (the
 * handle holds that fd; {@link #fd()} and {@link #id()} are the map's for both faces). Modelled on
 * cilium/ebpf's {@code Map}: lookups answer "not found" as {@code false}, every other failure is a
 * {@link BpfException} with the kernel's errno and a message naming the field and the limit.
 *
 * <p>Keys and values are caller-owned: {@link ByteBuffer}s read and written at their position
 * (positions are never moved), {@code byte[]}s of exactly key_size / the value size, or primitives
 * for 4-byte keys. With caller-supplied buffers and the primitive forms nothing is allocated per
 * call. Per-CPU maps take and give one value per possible CPU ({@link #possibleCpus()}); the
 * handle does the padding.
 *
 * <p>A handle may be used by any number of threads at once. {@link #close()} closes the fd; the
 * map lives on while other fds or pins hold it.
 */
public final class BpfMap implements AutoCloseable {
    private final Bpf bpf;
    private final int fd;
    private final int openFlags;
    private final MapInfo info;
    private final int valueBufSize;
    private final int possibleCpus;
    private final boolean perCpu;
    private final int keySize;
    /**
     * The fd's element commands bound once, or null to go through bpf(); null too once the handle
     * is closed. Why the close clears it: a call then tests one field, not this and
     * {@link #closed}; the slow path that a null sends it to says which of the two it was.
     *
     * <p>Why not volatile: the path makes the one volatile read of a call itself (its state, which
     * the fd's closing clears under the map's lock, so a thread that still sees the path after
     * another closed the handle gets EBADF from it), and every volatile read makes C2 load the
     * caller's buffers' fields again after it. The closing thread sees its own write.
     */
    private ElemPath path;
    /**
     * The path when the primitive forms fit (4-byte key, value of at most 8 bytes, not per-CPU),
     * else null; null too once closed: the primitive calls test this, nothing else, before the map.
     * Not volatile, as {@link #path}.
     */
    private ElemPath longPath;
    /** Whether the primitive forms fit: a 4-byte key and a value of at most 8 bytes. */
    private final boolean primitive;
    private volatile boolean closed;

    /** Per-thread attrs and scratch buffers, so that no call allocates. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private BpfMap(Bpf bpf, int fd, int openFlags) {
        this.bpf = bpf;
        this.fd = fd;
        this.openFlags = openFlags;
        InfoAttr a = new InfoAttr(fd);
        int r = bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        if (r < 0) {
            bpf.close(fd);
            throw BpfException.of("OBJ_GET_INFO_BY_FD", r, a);
        }
        this.info = MapInfo.read(a.info, a.infoLen);
        this.possibleCpus = bpf.settings().possibleCpus();
        MapType t = info.mapType();
        this.perCpu = t != null && t.perCpu();
        this.valueBufSize = perCpu ? ((info.valueSize() + 7) & ~7) * possibleCpus : info.valueSize();
        this.keySize = info.keySize();
        this.path = bpf.elemPath(fd);
        this.primitive = info.keySize() == 4 && info.valueSize() <= 8;
        this.longPath = primitive && !perCpu ? path : null;
    }

    // ---- opening ----

    /** MAP_CREATE from a spec. */
    public static BpfMap create(Bpf bpf, MapSpec spec) {
        MapCreateAttr a = spec.toAttr();
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        if (fd < 0) {
            throw BpfException.of("MAP_CREATE " + spec, fd, a);
        }
        return new BpfMap(bpf, fd, spec.flags() & (BpfFlags.F_RDONLY | BpfFlags.F_WRONLY));
    }

    /** OBJ_GET: a new handle on the map pinned at {@code path} (libbpf's bpf_obj_get, cilium's LoadPinnedMap). */
    public static BpfMap openPinned(Bpf bpf, String path) {
        return openPinned(bpf, path, 0);
    }

    /** OBJ_GET with file flags: {@link BpfFlags#F_RDONLY} or {@link BpfFlags#F_WRONLY} restrict the handle. */
    public static BpfMap openPinned(Bpf bpf, String path, int fileFlags) {
        ObjAttr a = new ObjAttr(path, 0);
        a.fileFlags = fileFlags;
        int fd = bpf.bpf(BpfCmd.OBJ_GET, a);
        if (fd < 0) {
            throw BpfException.of("OBJ_GET " + path, fd, a);
        }
        return new BpfMap(bpf, fd, fileFlags);
    }

    /** MAP_GET_FD_BY_ID: a new handle on the map with this id (cilium's NewMapFromID). */
    public static BpfMap fromId(Bpf bpf, int id) {
        return fromId(bpf, id, 0);
    }

    public static BpfMap fromId(Bpf bpf, int id, int openFlags) {
        GetIdAttr a = new GetIdAttr(id);
        a.openFlags = openFlags;
        int fd = bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, a);
        if (fd < 0) {
            throw BpfException.of("MAP_GET_FD_BY_ID " + Integer.toUnsignedString(id), fd, a);
        }
        return new BpfMap(bpf, fd, openFlags);
    }

    /** Wraps an fd the caller opened through {@link Bpf#bpf}; the handle takes it over. */
    public static BpfMap ofFd(Bpf bpf, int fd) {
        return new BpfMap(bpf, fd, 0);
    }

    /** A second handle with its own fd on the same map, with the same access (cilium's Clone). */
    public BpfMap duplicate() {
        checkOpen();
        return fromId(bpf, info.id(), openFlags);
    }

    // ---- what the map is ----

    public int fd() {
        return fd;
    }

    public int id() {
        return info.id();
    }

    public MapType type() {
        return info.mapType();
    }

    public int keySize() {
        return keySize;
    }

    public int valueSize() {
        return info.valueSize();
    }

    public int maxEntries() {
        return info.maxEntries();
    }

    public String name() {
        return info.name();
    }

    /** The bytes of a value as {@link #lookup(ByteBuffer, ByteBuffer)} reads and writes it (all CPUs for a per-CPU map). */
    public int valueBufferSize() {
        return valueBufSize;
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    public boolean perCpu() {
        return perCpu;
    }

    /** OBJ_GET_INFO_BY_FD now (the flags and name as the map holds them). */
    public MapInfo info() {
        checkOpen();
        InfoAttr a = new InfoAttr(fd);
        check("OBJ_GET_INFO_BY_FD", bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a), a);
        return MapInfo.read(a.info, a.infoLen);
    }

    // ---- elements, ByteBuffer form ----

    // Each call has a fast path, taken when the fd's element commands are bound and the buffers
    // are good, and otherwise goes through bpf() with the same buffers: whatever is wrong (a short
    // or read-only buffer, a frozen map, a write-only fd, bad flags) is then answered by the
    // dispatcher itself, so the typed face rejects what bpf() rejects, in the same order, with the
    // same errno and message. Only a closed handle is answered here: its fd number may already
    // name another object.

    /** Copies the value of {@code key} into {@code value}; false when there is no such element. */
    public boolean lookup(ByteBuffer key, ByteBuffer value) {
        ElemPath p = path;
        if (p != null) {
            // the path checks the buffers after its own volatile read (see ElemPath)
            return p.lookup(key, value);
        }
        checkOpen();
        MapElemAttr a = SCRATCH.get().attr.set(fd, key, value, 0);
        return found("MAP_LOOKUP_ELEM", bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a), a);
    }

    public void update(ByteBuffer key, ByteBuffer value, UpdateFlag flag) {
        ElemPath p = path;
        if (p != null && flag != null) {
            p.update(key, value, flag.bits());
            return;
        }
        checkOpen();
        MapElemAttr a = SCRATCH.get().attr.set(fd, key, value, bits(flag));
        check("MAP_UPDATE_ELEM", bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a), a);
    }

    /** Deletes {@code key}; false when there was no such element. */
    public boolean delete(ByteBuffer key) {
        ElemPath p = path;
        if (p != null) {
            return p.delete(key);
        }
        checkOpen();
        MapElemAttr a = SCRATCH.get().attr.set(fd, key, null, 0);
        return found("MAP_DELETE_ELEM", bpf.bpf(BpfCmd.MAP_DELETE_ELEM, a), a);
    }

    /** Copies the key after {@code key} (null: the first key) into {@code next}; false at the end. */
    public boolean nextKey(ByteBuffer key, ByteBuffer next) {
        checkOpen();
        MapElemAttr a = SCRATCH.get().attr.set(fd, key, null, 0);
        a.nextKey = next;
        return found("MAP_GET_NEXT_KEY", bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a), a);
    }

    /** Copies the value of {@code key} into {@code value} and deletes the element; false when there is none. */
    public boolean lookupAndDelete(ByteBuffer key, ByteBuffer value) {
        checkOpen();
        MapElemAttr a = SCRATCH.get().attr.set(fd, key, value, 0);
        return found("MAP_LOOKUP_AND_DELETE_ELEM", bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a), a);
    }

    // ---- elements, byte[] form ----

    public boolean lookup(byte[] key, byte[] value) {
        checkLength("value", value, valueBufSize);
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(valueBufSize);
        if (!lookup(s.key(key, keySize()), v)) {
            return false;
        }
        v.get(0, value, 0, valueBufSize);
        return true;
    }

    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkLength("value", value, valueBufSize);
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(valueBufSize).put(0, value, 0, valueBufSize);
        update(s.key(key, keySize()), v, flag);
    }

    public boolean delete(byte[] key) {
        return delete(SCRATCH.get().key(key, keySize()));
    }

    /** The key after {@code key} (null: the first key) into {@code next}; false at the end. */
    public boolean nextKey(byte[] key, byte[] next) {
        checkLength("next key", next, keySize);
        Scratch s = SCRATCH.get();
        ByteBuffer n = s.value(keySize);
        if (!nextKey(key == null ? null : s.key(key, keySize), n)) {
            return false;
        }
        n.get(0, next, 0, keySize);
        return true;
    }

    public boolean lookupAndDelete(byte[] key, byte[] value) {
        checkLength("value", value, valueBufSize);
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(valueBufSize);
        if (!lookupAndDelete(s.key(key, keySize), v)) {
            return false;
        }
        v.get(0, value, 0, valueBufSize);
        return true;
    }

    // ---- primitive form: 4-byte keys, values of 8 bytes or less ----

    /**
     * The value at {@code key} as a host-order number (values of up to 8 bytes, zero-extended), or
     * {@code absent} when there is no such element.
     */
    public long lookupLong(int key, long absent) {
        ElemPath p = longPath;
        if (p != null) {
            return p.lookupLong(key, absent);
        }
        checkOpen();
        checkPrimitive(false);
        // the primitive forms fit and no path is bound (longPath would be it): through bpf()
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(8).putLong(0, 0);
        return lookup(s.intKey(key), v) ? v.getLong(0) : absent;
    }

    /** Stores {@code value} (its low value_size bytes, host order) at {@code key}. */
    public void updateLong(int key, long value, UpdateFlag flag) {
        ElemPath p = longPath;
        if (p != null && flag != null) {
            p.updateLong(key, value, flag.bits());
            return;
        }
        checkOpen();
        checkPrimitive(false);
        // the primitive forms fit and no path is bound (longPath would be it): through bpf()
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(8).putLong(0, value);
        update(s.intKey(key), v.limit(valueBufSize), flag);
        v.limit(v.capacity());
    }

    /** Per-CPU values of up to 8 bytes: fills {@code out[cpu]}; false when there is no such element. */
    public boolean lookupPerCpu(int key, long[] out) {
        Scratch s = SCRATCH.get();
        checkPrimitive(true);
        checkLength("out", out == null ? -1 : out.length, possibleCpus);
        ByteBuffer v = s.value(valueBufSize);
        if (!lookup(s.intKey(key), v)) {
            return false;
        }
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            out[cpu] = v.getLong(cpu * 8) & mask();
        }
        return true;
    }

    /** Per-CPU values of up to 8 bytes: stores the low value_size bytes of {@code values[cpu]} for every CPU. */
    public void updatePerCpu(int key, long[] values, UpdateFlag flag) {
        Scratch s = SCRATCH.get();
        checkPrimitive(true);
        checkLength("values", values == null ? -1 : values.length, possibleCpus);
        ByteBuffer v = s.value(valueBufSize);
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            // value_size bytes and zero padding, as the byte[][] form writes: the kernel copies the
            // padding too, so bits of the long past value_size would show through bpf()
            v.putLong(cpu * 8, values[cpu] & mask());
        }
        update(s.intKey(key), v, flag);
    }

    /** Per-CPU values of any size: {@code out[cpu]} receives value_size bytes of each CPU. */
    public boolean lookupPerCpu(byte[] key, byte[][] out) {
        checkPerCpu();
        checkValues("out", out);
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(valueBufSize);
        if (!lookup(s.key(key, keySize()), v)) {
            return false;
        }
        int stride = valueBufSize / possibleCpus;
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            v.get(cpu * stride, out[cpu], 0, valueSize());
        }
        return true;
    }

    /** Per-CPU values of any size: stores {@code values[cpu]} (value_size bytes each) for every CPU. */
    public void updatePerCpu(byte[] key, byte[][] values, UpdateFlag flag) {
        checkPerCpu();
        checkValues("values", values);
        Scratch s = SCRATCH.get();
        ByteBuffer v = s.value(valueBufSize);
        int stride = valueBufSize / possibleCpus;
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            v.put(cpu * stride, values[cpu], 0, valueSize());
            for (int i = valueSize(); i < stride; i++) {
                v.put(cpu * stride + i, (byte) 0);
            }
        }
        update(s.key(key, keySize()), v, flag);
    }

    // ---- iteration and batches ----

    /** A walk over the map's elements, as cilium's MapIterator. */
    public MapIterator iterator() {
        checkOpen();
        return new MapIterator(this);
    }

    /**
     * MAP_LOOKUP_BATCH: copies up to {@code count} elements after the cursor into {@code keys} and
     * {@code values}; returns how many. The cursor is done when the map has no more.
     */
    public int lookupBatch(BatchCursor cursor, ByteBuffer keys, ByteBuffer values, int count) {
        return batch(BpfCmd.MAP_LOOKUP_BATCH, cursor, keys, values, count);
    }

    /** MAP_LOOKUP_AND_DELETE_BATCH: as {@link #lookupBatch}, deleting what it returns. */
    public int lookupAndDeleteBatch(BatchCursor cursor, ByteBuffer keys, ByteBuffer values, int count) {
        return batch(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, cursor, keys, values, count);
    }

    /** MAP_UPDATE_BATCH: stores {@code count} elements; on a failure the exception says how many were stored. */
    public int updateBatch(ByteBuffer keys, ByteBuffer values, int count) {
        return batch(BpfCmd.MAP_UPDATE_BATCH, null, keys, values, count);
    }

    /** MAP_DELETE_BATCH: deletes {@code count} keys; on a failure the exception says how many were deleted. */
    public int deleteBatch(ByteBuffer keys, int count) {
        return batch(BpfCmd.MAP_DELETE_BATCH, null, keys, null, count);
    }

    private int batch(BpfCmd cmd, BatchCursor cursor, ByteBuffer keys, ByteBuffer values, int count) {
        checkOpen();
        if (cursor != null && cursor.done()) {
            return 0;
        }
        MapBatchAttr a = new MapBatchAttr(fd);
        a.keys = keys;
        a.values = values;
        a.count = count;
        if (cursor != null) {
            a.inBatch = cursor.in(keySize());
            a.outBatch = cursor.out(keySize());
        }
        int r = bpf.bpf(cmd, a);
        if (cursor != null && r == Errno.ENOENT.ret()) {
            cursor.finish();
            return a.count;
        }
        if (r < 0) {
            throw BpfException.of(cmd + " (after " + a.count + " element(s))", r, a);
        }
        if (cursor != null) {
            cursor.advance();
        }
        return a.count;
    }

    // ---- the map as an object ----

    /** OBJ_PIN at {@code path} in the instance's bpffs. */
    public void pin(String path) {
        checkOpen();
        ObjAttr a = new ObjAttr(path, fd);
        check("OBJ_PIN " + path, bpf.bpf(BpfCmd.OBJ_PIN, a), a);
    }

    /** MAP_FREEZE: user space may no longer write the map, through any fd. */
    public void freeze() {
        checkOpen();
        MapElemAttr a = new MapElemAttr(fd);
        check("MAP_FREEZE", bpf.bpf(BpfCmd.MAP_FREEZE, a), a);
    }

    /** Closes the handle's fd; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            path = null;
            longPath = null;
            bpf.close(fd);
        }
    }

    @Override
    public String toString() {
        return "BpfMap[" + type().bpftoolName() + " id " + id() + " fd " + fd + (closed ? " closed" : "") + "]";
    }

    Bpf bpf() {
        return bpf;
    }

    // ---- checks ----

    void checkOpen() {
        if (closed) {
            throw new BpfException(Errno.EBADF, "the handle of map id " + id() + " (fd " + fd + ") is closed");
        }
    }

    /** Whether {@code size} bytes lie between the position and the limit (never negative apart). */
    private static boolean fits(ByteBuffer b, int size) {
        return b != null && b.limit() - b.position() >= size;
    }

    /**
     * A buffer the map's data is written into: {@code size} bytes of room, or EFAULT in the
     * dispatcher's words (copy_to_user fails alike on a short or a read-only buffer).
     */
    static void checkRoom(String what, ByteBuffer b, int size) {
        if (!fits(b, size) || b.isReadOnly()) {
            throw new BpfException(Errno.EFAULT, what + " has room for fewer than " + size + " bytes"
                    + (b != null && b.isReadOnly() ? ": the buffer is read-only" : ""));
        }
    }

    private static void checkLength(String what, byte[] b, int size) {
        checkLength(what, b == null ? -1 : b.length, size);
    }

    private static void checkLength(String what, int length, int size) {
        if (length != size) {
            throw new BpfException(Errno.EINVAL, what + " has " + Math.max(length, 0) + " elements; "
                    + size + " expected");
        }
    }

    /** The byte[][] per-CPU forms: a per-CPU map of any value size. */
    private void checkPerCpu() {
        if (!perCpu) {
            throw new BpfException(Errno.EINVAL, "the per-CPU form needs a per-CPU map; this is "
                    + MapSpec.of(type(), keySize(), valueSize(), maxEntries()) + ": use lookup/update");
        }
    }

    /** One array of value_size bytes per possible CPU, all checked before any is read or written. */
    private void checkValues(String what, byte[][] values) {
        checkLength(what, values == null ? -1 : values.length, possibleCpus);
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            checkLength(what + "[" + cpu + "]", values[cpu], valueSize());
        }
    }

    /** The flag's bits; null (which bpf() cannot be given) is EINVAL, as an unknown flag is. */
    private static long bits(UpdateFlag flag) {
        if (flag == null) {
            throw new BpfException(Errno.EINVAL, "flag is null: an update takes UpdateFlag.ANY, NOEXIST or EXIST");
        }
        return flag.bits();
    }

    private void checkPrimitive(boolean forPerCpu) {
        if (!primitive || perCpu != forPerCpu) {
            throw new BpfException(Errno.EINVAL, "the " + (forPerCpu ? "per-CPU " : "") + "primitive form needs a "
                    + (forPerCpu ? "per-CPU" : "non-per-CPU") + " map with key_size 4 and value_size <= 8; this is "
                    + MapSpec.of(type(), keySize(), valueSize(), maxEntries()));
        }
    }

    private long mask() {
        return valueSize() >= 8 ? -1L : (1L << (8 * valueSize())) - 1;
    }

    private static void check(String what, int r, BpfAttr a) {
        if (r < 0) {
            throw BpfException.of(what, r, a);
        }
    }

    /** 0 is true, ENOENT is false, anything else throws. */
    private static boolean found(String what, int r, BpfAttr a) {
        if (r == 0) {
            return true;
        }
        if (r == Errno.ENOENT.ret()) {
            return false;
        }
        throw BpfException.of(what, r, a);
    }

    /** One thread's reusable attr and buffers. */
    private static final class Scratch {
        final MapElemAttr attr = new MapElemAttr();
        private ByteBuffer key = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        private ByteBuffer value = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());

        ByteBuffer intKey(int k) {
            key.clear();
            return key.putInt(0, k).limit(4);
        }

        ByteBuffer key(byte[] k, int size) {
            checkLength("key", k, size);
            if (key.capacity() < size) {
                key = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            }
            key.clear();
            return key.put(0, k, 0, size).limit(size);
        }

        ByteBuffer value(int size) {
            if (value.capacity() < size) {
                value = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            }
            value.clear();
            return value.limit(size);
        }
    }
}
