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
 * One fd's element commands, bound when a typed handle opens it, and shared by every handle on
 * that fd. Nothing is allocated unless a call fails with something other than "not found", and
 * then only the exception.
 *
 * <p>Why the two fields {@link #readOps} and {@link #writeOps}: the checks that every element
 * command makes first (the fd is open and may read, or may write and the map is not frozen; the
 * map is attached) depend on state that changes seldom, so they are made when it changes rather
 * than on every call. The map keeps its bound paths and refreshes them, under its own lock, where
 * it attaches, detaches, freezes or is freed; the fd's closing unbinds its path. A call then
 * loads one field and has the map's ops, or null, which sends it to the slow path that works out
 * the kernel's errno in {@link ElemCommands}'s order. On the typed primitive lookup that is five
 * instructions fewer out of about thirty, and one dependent load fewer, than reading the map's
 * state on each call.
 */
final class FastElemPath implements ElemPath {
    private final FdEntry fd;
    private final MapObject map;
    private final int fdNumber;
    /** Whether the type has a delete op; one without answers ENOTSUPP, as the kernel's NULL op. */
    private final boolean deletes;
    /** The ops while the fd is open and may read and the map is attached; else null. */
    private volatile MapOps readOps;
    /** The ops while the fd is open and may write, the map is not frozen and is attached; else null. */
    private volatile MapOps writeOps;
    /** Whether the fd was closed; guarded by the map's lock. */
    private boolean unbound;

    FastElemPath(FdEntry fd, int fdNumber) {
        this.fd = fd;
        this.map = (MapObject) fd.obj;
        this.fdNumber = fdNumber;
        this.deletes = map.traits.supports(BpfCmd.MAP_DELETE_ELEM);
    }

    /** Recomputes the two fields from the map's state; called by the map under its lock. */
    void refresh() {
        MapOps ops = unbound ? null : map.ops;
        readOps = fd.canRead ? ops : null;
        writeOps = fd.canWrite && !map.frozen ? ops : null;
    }

    /** The fd is closed: every later call fails with EBADF. Called by the map under its lock. */
    void unbind() {
        unbound = true;
        refresh();
    }

    @Override
    public boolean lookup(ByteBuffer key, ByteBuffer value) {
        MapOps ops = readOps;
        if (ops == null) {
            throw readFailure();
        }
        int r = ops.lookupElem(key, value, 0);
        return r == 0 || notFound(ops, BpfCmd.MAP_LOOKUP_ELEM, r);
    }

    @Override
    public void update(ByteBuffer key, ByteBuffer value, long flags) {
        MapOps ops = writeOps;
        if (ops == null || flags > BpfFlags.EXIST || flags < 0) {
            throw writeFailure(flags);
        }
        int r = ops.updateElem(key, value, flags);
        if (r != 0) {
            throw failure(ops, BpfCmd.MAP_UPDATE_ELEM, r);
        }
    }

    @Override
    public boolean delete(ByteBuffer key) {
        MapOps ops = writeOps;
        if (ops == null || !deletes) {
            // the checks of ElemCommands.delete, in its order
            Failure f = new Failure();
            if (open(f) && ElemCommands.writeCheck(fd, map, f) == 0) {
                if (map.ops == null) {
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
        // one test for both: null (the slow path throws) and a map without primitive ops
        MapOps ops = readOps;
        if (ops instanceof PrimitiveOps p) {
            return p.lookupLong(key, absent);
        }
        ByteBuffer v = ByteBuffer.allocate(Math.max(8, map.def.valueBufSize())).order(ByteOrder.nativeOrder());
        return lookup(intKey(key), v.limit(map.def.valueBufSize())) ? v.clear().getLong(0) : absent;
    }

    @Override
    public void updateLong(int key, long value, long flags) {
        MapOps ops = writeOps;
        if (ops == null || flags > BpfFlags.EXIST || flags < 0) {
            throw writeFailure(flags);
        }
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

    /** Why a read cannot go on, in ElemCommands' order: the fd closed, write-only, the map detached. */
    private BpfException readFailure() {
        Failure f = new Failure();
        if (open(f) && ElemCommands.readCheck(fd, fdNumber, f) == 0) {
            ElemCommands.detached(f);
        }
        return f.exception("MAP_LOOKUP_ELEM");
    }

    /** Why a write cannot go on: the fd closed, read-only or the map frozen, bad flags, the map detached. */
    private BpfException writeFailure(long flags) {
        Failure f = new Failure();
        if (open(f) && ElemCommands.writeCheck(fd, map, f) == 0) {
            if (flags > BpfFlags.EXIST || flags < 0) {
                f.fail(Errno.EINVAL, "flags %d: an update takes BPF_ANY, BPF_NOEXIST or BPF_EXIST", flags);
            } else {
                ElemCommands.detached(f);
            }
        }
        return f.exception("MAP_UPDATE_ELEM");
    }

    /** False, with EBADF, once the fd is closed. */
    private boolean open(Failure f) {
        boolean closed;
        synchronized (map) {
            closed = unbound;
        }
        if (closed) {
            f.fail(Errno.EBADF, "fd %d is closed", fdNumber);
            return false;
        }
        return true;
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
