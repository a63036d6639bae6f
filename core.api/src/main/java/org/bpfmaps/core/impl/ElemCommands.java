package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapMapping;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.sock.SocketRule;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapTypeTraits;

/**
 * The element, batch, freeze and mmap commands: the one pipeline behind both faces. {@code bpf()}
 * resolves the fd number and calls the command; a typed handle's {@link FastElemPath} calls the
 * same static command with the fd entry it is bound to whenever its cached answer says no or an
 * op fails, so both faces give the same errno and message.
 *
 * <p>The checks are {@code kernel/bpf/syscall.c}'s, in its order: flags the command never takes
 * (EINVAL, before the fd), the fd (EBADF when not open, EINVAL when not a map), the fd's access
 * mode and the map's frozen state (EPERM, {@code map_get_sys_perms}), BPF_F_LOCK without a spin
 * lock (EINVAL), the key (EFAULT, or EINVAL for a key given to a key_size 0 map), the value the
 * kernel copies in (EFAULT), then the op; a value or next_key the kernel copies out is checked
 * after the op, as {@code copy_to_user} is: a miss still answers ENOENT.
 *
 * <p>Where the kernel calls the op, two answers have no kernel equivalent, and every command gives
 * them in one order: first ENOTSUPP when the type's traits lack the command (the kernel's NULL op
 * or type switch, which it also decides just before the call), then ENODEV when the map is
 * detached (its provider has gone). So a command the type never has answers ENOTSUPP whether or
 * not a provider serves the map right now. See {@link #attachedCheck}. One exception to "ENODEV
 * at the op": a detached map whose values are socket fds first makes the checks its type makes
 * before its flags, which are data in its traits, and then the flags ({@link #detachedSocketCheck}),
 * so that bad flags are EINVAL there as attached, after the socket, as the kernel orders them.
 *
 * <p>The op runs through one guard ({@link #call}, {@link #batch}; the typed fast path catches
 * alike): a provider's RuntimeException or LinkageError never reaches the caller but becomes
 * EFAULT naming the provider and the map ({@link #providerFailed}).
 *
 * <p>The paths that succeed or miss allocate nothing: failures record a constant reason in the
 * attr.
 */
final class ElemCommands {
    private final Instance in;

    ElemCommands(Instance in) {
        this.in = in;
    }

    // ---- the bpf() face: the fd number resolved, then the command ----

    int lookup(MapElemAttr a) {
        return lookup(in.table.entry(a.mapFd), a);
    }

    int update(MapElemAttr a) {
        return update(in.table.entry(a.mapFd), a);
    }

    int delete(MapElemAttr a) {
        return delete(in.table.entry(a.mapFd), a);
    }

    int getNextKey(MapElemAttr a) {
        return getNextKey(in.table.entry(a.mapFd), a);
    }

    int lookupAndDelete(MapElemAttr a) {
        return lookupAndDelete(in.table.entry(a.mapFd), a);
    }

    int batch(BpfCmd cmd, MapBatchAttr a) {
        return batch(cmd, in.table.entry(a.mapFd), a);
    }

    // ---- the commands, on a resolved fd entry (null: a.mapFd is not open) ----

    static int lookup(FdEntry e, MapElemAttr a) {
        if ((a.flags & ~BpfFlags.F_LOCK) != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: a lookup takes only BPF_F_LOCK (0x4)", a.flags);
        }
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = readCheck(e, a.mapFd, a)) != 0) {
            return err;
        }
        if ((a.flags & BpfFlags.F_LOCK) != 0) {
            return noSpinLock(a);
        }
        if ((err = keyCheck(m, a.key, a)) != 0) {
            return err;
        }
        MapOps ops = m.ops;
        if ((err = attachedCheck(m, ops, BpfCmd.MAP_LOOKUP_ELEM, a)) != 0) {
            return err;
        }
        int vsize = m.def.valueBufSize();
        if (m.def.type() == MapType.BLOOM_FILTER) {
            // map_lookup_elem's one special type: the value is the input to test (copy_from_user)
            // and nothing is copied back
            if (!Bytes.canRead(a.value, 0, vsize)) {
                return a.fail(Errno.EFAULT, "value holds fewer than %d bytes: a bloom filter lookup reads the "
                        + "value to test", vsize);
            }
            err = call(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a.key, a.value, a.flags, a);
            return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a, err);
        }
        if (!Bytes.canWrite(a.value, 0, vsize)) {
            // the kernel copies out only after a hit: a miss still answers ENOENT
            err = call(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a.key, ByteBuffer.allocate(vsize), a.flags, a);
            return err != 0 ? explain(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a, err)
                    : a.fail(Errno.EFAULT, "value has room for fewer than %d bytes" + readOnly(a.value), vsize);
        }
        err = call(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a.key, a.value, a.flags, a);
        return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a, err);
    }

    static int update(FdEntry e, MapElemAttr a) {
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = writeCheck(e, m, a)) != 0) {
            return err;
        }
        if ((a.flags & BpfFlags.F_LOCK) != 0) {
            return noSpinLock(a);
        }
        if ((err = keyCheck(m, a.key, a)) != 0) {
            return err;
        }
        int vsize = m.def.valueBufSize();
        if (!Bytes.canRead(a.value, 0, vsize)) {
            return a.fail(Errno.EFAULT, "value holds fewer than %d bytes (the map's value size)", vsize);
        }
        if (!m.traits.updateFlagsLast() && (err = updateFlagsCheck(a)) != 0) {
            // each kernel op checks this first; here the core checks it for every type that does
            // not check it itself after its own checks (MapTypeTraits.updateFlagsLast)
            return err;
        }
        MapOps ops = m.ops;
        if (ops == null && (err = detachedSocketCheck(m, a)) != 0) {
            return err;
        }
        if ((err = attachedCheck(m, ops, BpfCmd.MAP_UPDATE_ELEM, a)) != 0) {
            return err;
        }
        err = call(ops, m, BpfCmd.MAP_UPDATE_ELEM, a.key, a.value, a.flags, a);
        return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_UPDATE_ELEM, a, err);
    }

    static int delete(FdEntry e, MapElemAttr a) {
        // CHECK_ATTR(BPF_MAP_DELETE_ELEM): every attr byte after key must be 0 (measured on 6.18:
        // EINVAL, before the fd is looked at)
        if (a.flags != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: a delete takes no flags (must be 0)", a.flags);
        }
        if (a.value != null) {
            return a.fail(Errno.EINVAL, "value must be NULL: a delete takes only a key");
        }
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = writeCheck(e, m, a)) != 0) {
            return err;
        }
        if ((err = keyCheck(m, a.key, a)) != 0) {
            return err;
        }
        MapOps ops = m.ops;
        if ((err = attachedCheck(m, ops, BpfCmd.MAP_DELETE_ELEM, a)) != 0) {
            return err;
        }
        err = call(ops, m, BpfCmd.MAP_DELETE_ELEM, a.key, null, 0, a);
        return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_DELETE_ELEM, a, err);
    }

    static int getNextKey(FdEntry e, MapElemAttr a) {
        // CHECK_ATTR(BPF_MAP_GET_NEXT_KEY) ends at next_key: flags must be 0 (measured on 6.18:
        // EINVAL, before the fd is looked at)
        if (a.flags != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: get_next_key takes no flags (must be 0)", a.flags);
        }
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = readCheck(e, a.mapFd, a)) != 0) {
            return err;
        }
        if (a.key != null && (err = keyCheck(m, a.key, a)) != 0) {
            return err;
        }
        MapOps ops = m.ops;
        if ((err = attachedCheck(m, ops, BpfCmd.MAP_GET_NEXT_KEY, a)) != 0) {
            return err;
        }
        int ks = m.def.keySize();
        // a map with key_size 0 (queue, stack, bloom filter) copies no next_key: NULL is not EFAULT
        if (ks != 0 && !Bytes.canWrite(a.nextKey, 0, ks)) {
            // the kernel copies next_key out after the op (measured on 6.18: after the last key a
            // NULL next_key is ENOENT, after another key EFAULT); the walk changes nothing
            err = call(ops, m, BpfCmd.MAP_GET_NEXT_KEY, a.key, ByteBuffer.allocate(ks), 0, a);
            return err != 0 ? explain(ops, m, BpfCmd.MAP_GET_NEXT_KEY, a, err)
                    : a.fail(Errno.EFAULT, "next_key has room for fewer than %d bytes (key_size)"
                            + readOnly(a.nextKey), ks);
        }
        err = call(ops, m, BpfCmd.MAP_GET_NEXT_KEY, a.key, a.nextKey, 0, a);
        return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_GET_NEXT_KEY, a, err);
    }

    static int lookupAndDelete(FdEntry e, MapElemAttr a) {
        if ((a.flags & ~BpfFlags.F_LOCK) != 0) {
            return a.fail(Errno.EINVAL, "flags 0x%x: lookup_and_delete takes only BPF_F_LOCK (0x4)", a.flags);
        }
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = readCheck(e, a.mapFd, a)) != 0) {
            return err;
        }
        if ((err = writeCheck(e, m, a)) != 0) {
            return err;
        }
        if ((a.flags & BpfFlags.F_LOCK) != 0) {
            return noSpinLock(a);
        }
        if ((err = keyCheck(m, a.key, a)) != 0) {
            return err;
        }
        // the kernel's type switch answers ENOTSUPP here, after the key is copied in
        MapOps ops = m.ops;
        if ((err = attachedCheck(m, ops, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a)) != 0) {
            return err;
        }
        int vsize = m.def.valueBufSize();
        if (!Bytes.canWrite(a.value, 0, vsize)) {
            // the kernel copies out only after the element is gone: nothing there is ENOENT, and an
            // element it would lose with EFAULT is kept here (a lookup tells which case it is)
            err = call(ops, m, BpfCmd.MAP_LOOKUP_ELEM, a.key, ByteBuffer.allocate(vsize), 0, a);
            return err != 0 ? explain(ops, m, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a, err)
                    : a.fail(Errno.EFAULT, "value has room for fewer than %d bytes" + readOnly(a.value), vsize);
        }
        err = call(ops, m, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a.key, a.value, a.flags, a);
        return err == 0 ? 0 : explain(ops, m, BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a, err);
    }

    int freeze(MapElemAttr a) {
        if (a.key != null || a.value != null || a.nextKey != null || a.flags != 0) {
            return a.fail(Errno.EINVAL, "MAP_FREEZE reads only map_fd: key, value and flags must be unset");
        }
        FdEntry e = in.table.entry(a.mapFd);
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        if ((err = writeCheck(e, m, a)) != 0) {
            return err;
        }
        synchronized (m) {
            if (m.writableMappings > 0) {
                return a.fail(Errno.EBUSY, "the map has %d writable mmap view(s) open", m.writableMappings);
            }
            if (m.frozen) {
                return a.fail(Errno.EBUSY, "the map is frozen already");
            }
            m.freeze();
        }
        return 0;
    }

    static int batch(BpfCmd cmd, FdEntry e, MapBatchAttr a) {
        int err = mapCheck(e, a.mapFd, a);
        if (err != 0) {
            return err;
        }
        MapObject m = (MapObject) e.obj;
        boolean reads = cmd == BpfCmd.MAP_LOOKUP_BATCH || cmd == BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH;
        boolean writes = cmd != BpfCmd.MAP_LOOKUP_BATCH;
        if (reads && (err = readCheck(e, a.mapFd, a)) != 0) {
            return err;
        }
        if (writes && (err = writeCheck(e, m, a)) != 0) {
            return err;
        }
        // bpf_map_do_batch: a NULL batch op is ENOTSUPP, before the op's own checks (elem_flags)
        MapOps ops = m.ops;
        if ((err = attachedCheck(m, ops, cmd, a)) != 0) {
            return err;
        }
        try {
            switch (cmd) {
                case MAP_LOOKUP_BATCH:
                    err = ops.lookupBatch(m.def, a);
                    break;
                case MAP_LOOKUP_AND_DELETE_BATCH:
                    err = ops.lookupAndDeleteBatch(m.def, a);
                    break;
                case MAP_UPDATE_BATCH:
                    err = ops.updateBatch(m.def, a);
                    break;
                default:
                    err = ops.deleteBatch(m.def, a);
                    break;
            }
        } catch (RuntimeException | LinkageError ex) {
            return providerFailed(m, cmd.name(), ex, a);
        }
        if (err == 0) {
            return 0;
        }
        if (cmd == BpfCmd.MAP_UPDATE_BATCH) {
            return explain(ops, m, BpfCmd.MAP_UPDATE_ELEM, a, err);
        }
        return a.failed(err, err == Errno.ENOENT.ret() && reads
                ? "the walk reached the end of the map (count holds the last elements)"
                : cmd + " stopped after %d element(s)", a.count, 0);
    }

    int mmap(MmapAttr a) {
        FdEntry e = in.table.entry(a.mapFd);
        if (e == null) {
            return a.fail(Errno.EBADF, "fd %d is not open", a.mapFd);
        }
        if (!(e.obj instanceof MapObject m)) {
            return a.fail(Errno.ENODEV, "fd %d is not a map and cannot be mapped", a.mapFd);
        }
        if ((m.traits.flagMask() & BpfFlags.F_MMAPABLE) == 0) {
            return a.fail(Errno.ENOTSUPP, "map type " + m.def.type().bpftoolName() + " cannot be mmapped");
        }
        if (!m.def.hasFlag(BpfFlags.F_MMAPABLE)) {
            return a.fail(Errno.EINVAL, "the map was created without BPF_F_MMAPABLE (0x400)");
        }
        if (a.writable && !e.canWrite) {
            return a.fail(Errno.EACCES, "the fd was opened read-only (BPF_F_RDONLY): no writable mapping");
        }
        if (!e.canWrite) {
            // measured on 6.18: even a read-only shared mapping of a BPF_F_RDONLY fd is refused
            return a.fail(Errno.EINVAL, "the fd was opened read-only (BPF_F_RDONLY) and cannot be mapped");
        }
        if (!e.canRead) {
            return a.fail(Errno.EACCES, "the fd was opened write-only (BPF_F_WRONLY) and cannot be mapped");
        }
        synchronized (m) {
            if (a.writable) {
                if (m.frozen) {
                    return a.fail(Errno.EPERM, "the map is frozen: only a read-only mapping is allowed");
                }
                if (m.def.hasFlag(BpfFlags.F_RDONLY_PROG)) {
                    return a.fail(Errno.EACCES, "a BPF_F_RDONLY_PROG map cannot be mapped writable");
                }
            }
            MapOps ops = m.ops;
            ByteBuffer view;
            try {
                view = ops == null ? null : ops.mmapView();
            } catch (RuntimeException | LinkageError ex) {
                return providerFailed(m, "mmap", ex, a);
            }
            if (view == null) {
                return detached(a);
            }
            if (a.writable) {
                m.writableMappings++;
            }
            a.mapping = new Mapping(m, a.writable ? view : view.asReadOnlyBuffer(), a.writable);
        }
        return 0;
    }

    /** A live view handed out by mmap; closing it is munmap. */
    private static final class Mapping implements MapMapping {
        private final MapObject map;
        private final ByteBuffer buffer;
        private final boolean writable;
        private final AtomicBoolean closed = new AtomicBoolean();

        Mapping(MapObject map, ByteBuffer buffer, boolean writable) {
            this.map = map;
            this.buffer = buffer;
            this.writable = writable;
            map.retain();
        }

        @Override
        public ByteBuffer buffer() {
            return buffer;
        }

        @Override
        public boolean writable() {
            return writable;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                if (writable) {
                    synchronized (map) {
                        map.writableMappings--;
                    }
                }
                map.release();
            }
        }
    }

    // ---- the checks every command shares ----

    /** EBADF for an fd that is not open, EINVAL for one that is not a map: {@code __bpf_map_get}. */
    private static int mapCheck(FdEntry e, int fd, BpfAttr a) {
        if (e == null) {
            return a.fail(Errno.EBADF, "map_fd %d is not an open fd", fd);
        }
        if (!(e.obj instanceof MapObject)) {
            return a.fail(Errno.EINVAL, "map_fd %d is not a map", fd);
        }
        return 0;
    }

    /** EPERM unless the fd may read: one opened BPF_F_WRONLY may not. */
    static int readCheck(FdEntry e, int fd, ErrorSink a) {
        return e.canRead ? 0 : a.fail(Errno.EPERM, "map_fd %d was opened write-only (BPF_F_WRONLY)", fd);
    }

    /** EPERM unless the fd may write and the map is not frozen: {@code map_get_sys_perms}. */
    static int writeCheck(FdEntry e, MapObject m, ErrorSink a) {
        if (!e.canWrite) {
            return a.fail(Errno.EPERM, "the fd was opened read-only (BPF_F_RDONLY)");
        }
        if (m.frozen) {
            return a.fail(Errno.EPERM, "the map is frozen: user space may no longer write it");
        }
        return 0;
    }

    /** The key pointer: key_size bytes readable, or NULL (EINVAL) for a map whose key_size is 0. */
    private static int keyCheck(MapObject m, ByteBuffer key, BpfAttr a) {
        int ks = m.def.keySize();
        if (ks == 0) {
            return key == null ? 0 : a.fail(Errno.EINVAL, "key must be NULL: the map's key_size is 0");
        }
        if (!Bytes.canRead(key, 0, ks)) {
            return a.fail(Errno.EFAULT, key == null ? "key is NULL; the map's key_size is %d"
                    : "key holds fewer than key_size (%d) bytes", ks);
        }
        return 0;
    }

    private static int noSpinLock(BpfAttr a) {
        return a.fail(Errno.EINVAL, "BPF_F_LOCK needs a value with a bpf_spin_lock (BTF), which this map has not");
    }

    /** Why a buffer of the right size has no room: the kernel's copy_to_user fails alike on read-only memory. */
    private static String readOnly(ByteBuffer b) {
        return b != null && b.isReadOnly() ? ": the buffer is read-only" : "";
    }

    /** EINVAL for flags other than BPF_ANY, BPF_NOEXIST, BPF_EXIST (compared unsigned, as the kernel's u64). */
    private static int updateFlagsCheck(MapElemAttr a) {
        if (a.flags > BpfFlags.EXIST || a.flags < 0) {
            return a.fail(Errno.EINVAL, "flags %d: an update takes BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2)",
                    a.flags);
        }
        return 0;
    }

    /**
     * A detached map whose values are socket fds ({@link MapTypeTraits#socketValue}) answers an
     * update as its type would where the core can tell without the provider: the type checks the
     * socket its value names, then the flags, before anything of its own (sock_map_update_elem_sys;
     * measured on 6.18: a bad fd with flags 3 is EBADF, a socket the map does not take EOPNOTSUPP, a
     * socket it takes EINVAL). What comes after (SOCKMAP's index, the insert) needs the provider:
     * ENODEV then. The socket is looked up in the map's instance, as the provider does.
     */
    private static int detachedSocketCheck(MapObject m, MapElemAttr a) {
        SocketRule rule = m.traits.socketValue();
        if (rule == null || !m.traits.supports(BpfCmd.MAP_UPDATE_ELEM)) {
            return 0; // ENOTSUPP before anything of the type's own, as attachedCheck answers
        }
        if (rule.socket(m.owner(), a.value, m.def.valueSize(), a) == null) {
            return a.errno().ret();
        }
        return updateFlagsCheck(a);
    }

    static int detached(ErrorSink a) {
        return a.fail(Errno.ENODEV, "the map is detached: the provider of its type has gone");
    }

    static int notSupported(MapObject m, BpfCmd cmd, ErrorSink a) {
        return a.fail(Errno.ENOTSUPP, cmd + " is not supported by map type " + m.def.type().bpftoolName());
    }

    /**
     * Where the kernel calls the op: ENOTSUPP when the type's traits lack {@code cmd}, then ENODEV
     * when the map is detached ({@code ops}, read once by the caller, is null). The one order of
     * the two for every command, on both faces; {@link FastElemPath} caches its passing.
     */
    static int attachedCheck(MapObject m, MapOps ops, BpfCmd cmd, ErrorSink a) {
        if (!m.traits.supports(cmd)) {
            return notSupported(m, cmd, a);
        }
        return ops == null ? detached(a) : 0;
    }

    /** Records the map's own reason for a failed op, or what the errno means for {@code cmd}. */
    static int explain(MapOps ops, MapObject m, BpfCmd cmd, BpfAttr a, int err) {
        String why;
        try {
            why = ops.why(cmd, err);
        } catch (RuntimeException | LinkageError ex) {
            // the op's errno stands: the provider only failed to say why
            why = null;
        }
        return a.failed(err, why != null ? why : fallback(cmd, err), Integer.toUnsignedLong(m.def.maxEntries()), 0);
    }

    /** What an op's errno means when the map gives no reason of its own. */
    private static String fallback(BpfCmd cmd, int err) {
        switch (cmd) {
            case MAP_LOOKUP_ELEM:
                return "lookup failed";
            case MAP_DELETE_ELEM:
                return "delete failed";
            case MAP_GET_NEXT_KEY:
                return "no next key: the walk is at its end";
            case MAP_LOOKUP_AND_DELETE_ELEM:
                return "lookup_and_delete failed";
            default:
                break;
        }
        if (err == Errno.E2BIG.ret()) {
            return "no room: the key is beyond max_entries (%d) or the map is full";
        } else if (err == Errno.EEXIST.ret()) {
            return "the key exists (BPF_NOEXIST)";
        } else if (err == Errno.ENOENT.ret()) {
            return "the key does not exist (BPF_EXIST)";
        } else if (err == Errno.ENOSPC.ret()) {
            return "the map is full (max_entries %d)";
        }
        return "update failed";
    }

    /** The guard of the element ops: a provider's exception becomes EFAULT ({@link #providerFailed}). */
    static int call(MapOps ops, MapObject m, BpfCmd cmd, ByteBuffer key, ByteBuffer value, long flags,
            BpfAttr a) {
        try {
            switch (cmd) {
                case MAP_LOOKUP_ELEM:
                    return ops.lookupElem(key, value, flags);
                case MAP_UPDATE_ELEM:
                    return ops.updateElem(key, value, flags);
                case MAP_DELETE_ELEM:
                    return ops.deleteElem(key);
                case MAP_GET_NEXT_KEY:
                    return ops.getNextKey(key, value);
                default:
                    return ops.lookupAndDeleteElem(key, value, flags);
            }
        } catch (RuntimeException | LinkageError ex) {
            return providerFailed(m, cmd.name(), ex, a);
        }
    }

    /**
     * A provider's bug must not reach the caller as an exception, on either face: EFAULT naming
     * the provider (its origin and class), the map (type, name, id), the command and the
     * exception. The kernel has no such case; EFAULT is what a fault inside a command answers.
     */
    static int providerFailed(MapObject m, String what, Throwable ex, ErrorSink a) {
        ProviderRegistry.Entry by = m.provider;
        String provider = m.origin;
        if (by != null) {
            // outside a framework the origin is the class's name already
            String type = by.provider().getClass().getName();
            provider = by.origin().equals(type) ? type : by.origin() + " (" + type + ")";
        }
        String why = "the provider " + provider + " of map type " + m.def.type().bpftoolName() + " failed in "
                + what + " on map '" + m.def.name() + "' (id " + Integer.toUnsignedString(m.id()) + "): " + ex;
        // the reason is a format pattern: the exception's text is kept as it is
        return a.fail(Errno.EFAULT, why.replace("%", "%%"));
    }
}
