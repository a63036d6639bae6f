package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.ElemPath;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * One fd's element commands, bound when a typed handle opens it: the fd's access mode and the map
 * are looked up once; whether the map is still attached, and frozen, is read on every call, and
 * the map's ops do the work exactly as through bpf(). Nothing is allocated unless a call fails
 * with something other than "not found", and then only the exception.
 */
final class FastElemPath implements ElemPath {
    private final FdEntry fd;
    private final MapObject map;
    private final int fdNumber;
    /** Whether the type has a delete op; one without answers ENOTSUPP, as the kernel's NULL op. */
    private final boolean deletes;
    /** The fd's access mode, which never changes: copied here, one load fewer per call. */
    private final boolean canRead;
    private final boolean canWrite;

    FastElemPath(FdEntry fd, int fdNumber) {
        this.fd = fd;
        this.canRead = fd.canRead;
        this.canWrite = fd.canWrite;
        this.map = (MapObject) fd.obj;
        this.fdNumber = fdNumber;
        this.deletes = map.traits.supports(BpfCmd.MAP_DELETE_ELEM);
    }

    @Override
    public boolean lookup(ByteBuffer key, ByteBuffer value) {
        MapOps ops = readable();
        int r = ops.lookupElem(key, value, 0);
        return r == 0 || notFound(ops, BpfCmd.MAP_LOOKUP_ELEM, r);
    }

    @Override
    public void update(ByteBuffer key, ByteBuffer value, long flags) {
        MapOps ops = writable(flags);
        int r = ops.updateElem(key, value, flags);
        if (r != 0) {
            throw failure(ops, BpfCmd.MAP_UPDATE_ELEM, r);
        }
    }

    @Override
    public boolean delete(ByteBuffer key) {
        MapOps ops = map.ops;
        if (!canWrite || map.frozen || ops == null || !deletes) {
            // the checks of ElemCommands.delete, in its order
            Failure f = new Failure();
            if (ElemCommands.writeCheck(fd, map, f) == 0) {
                if (ops == null) {
                    ElemCommands.detached(f);
                } else {
                    ElemCommands.notSupported(map, BpfCmd.MAP_DELETE_ELEM, f);
                }
            }
            throw f.exception("MAP_DELETE_ELEM");
        }
        int r = ops.deleteElem(key);
        return r == 0 || notFound(ops, BpfCmd.MAP_DELETE_ELEM, r);
    }

    @Override
    public long lookupLong(int key, long absent) {
        MapOps ops = readable();
        if (ops instanceof PrimitiveOps p) {
            return p.lookupLong(key, absent);
        }
        ByteBuffer v = ByteBuffer.allocate(Math.max(8, map.def.valueBufSize())).order(ByteOrder.nativeOrder());
        return lookup(intKey(key), v.limit(map.def.valueBufSize())) ? v.clear().getLong(0) : absent;
    }

    @Override
    public void updateLong(int key, long value, long flags) {
        MapOps ops = writable(flags);
        if (ops instanceof PrimitiveOps p) {
            int r = p.updateLong(key, value, flags);
            if (r != 0) {
                throw failure(ops, BpfCmd.MAP_UPDATE_ELEM, r);
            }
            return;
        }
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value);
        update(intKey(key), v.limit(map.def.valueBufSize()), flags);
    }

    private static ByteBuffer intKey(int key) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, key);
    }

    /** The ops, if this fd may read and the map is attached. */
    private MapOps readable() {
        MapOps ops = map.ops;
        if (!canRead || ops == null) {
            Failure f = new Failure();
            if (ElemCommands.readCheck(fd, fdNumber, f) == 0) {
                ElemCommands.detached(f);
            }
            throw f.exception("MAP_LOOKUP_ELEM");
        }
        return ops;
    }

    /** The ops, if this fd may write, the map is not frozen, the flags are an update's and the map is attached. */
    private MapOps writable(long flags) {
        MapOps ops = map.ops;
        if (!canWrite || map.frozen || flags > BpfFlags.EXIST || flags < 0 || ops == null) {
            Failure f = new Failure();
            if (ElemCommands.writeCheck(fd, map, f) == 0) {
                if (flags > BpfFlags.EXIST || flags < 0) {
                    f.fail(Errno.EINVAL, "flags %d: an update takes BPF_ANY, BPF_NOEXIST or BPF_EXIST", flags);
                } else {
                    ElemCommands.detached(f);
                }
            }
            throw f.exception("MAP_UPDATE_ELEM");
        }
        return ops;
    }

    /** ENOENT is "not found"; anything else throws. */
    private boolean notFound(MapOps ops, BpfCmd cmd, int r) {
        if (r == Errno.ENOENT.ret()) {
            return false;
        }
        throw failure(ops, cmd, r);
    }

    private BpfException failure(MapOps ops, BpfCmd cmd, int r) {
        String why = ops.why(cmd, r);
        Failure f = new Failure();
        Errno e = Errno.of(r);
        f.fail(e != null ? e : Errno.EINVAL, why != null ? why : cmd + " failed",
                Integer.toUnsignedLong(map.def.maxEntries()), 0);
        return f.exception(cmd.name());
    }

    /** The reason of one failure, on its way to becoming the exception. */
    private static final class Failure implements ErrorSink {
        private Errno errno;
        private String why;
        private long a;
        private long b;

        @Override
        public int fail(Errno errno, String why, long a, long b) {
            this.errno = errno;
            this.why = why;
            this.a = a;
            this.b = b;
            return -errno.code();
        }

        BpfException exception(String what) {
            return new BpfException(errno, what + " failed: " + String.format(why, a, b));
        }
    }
}
