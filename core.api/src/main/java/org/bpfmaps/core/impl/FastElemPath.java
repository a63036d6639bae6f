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
 * the map's ops do the work exactly as through bpf().
 */
final class FastElemPath implements ElemPath {
    private final FdEntry fd;
    private final MapObject map;
    private final int fdNumber;

    FastElemPath(FdEntry fd, int fdNumber) {
        this.fd = fd;
        this.map = (MapObject) fd.obj;
        this.fdNumber = fdNumber;
    }

    @Override
    public int lookup(ByteBuffer key, ByteBuffer value, ErrorSink err) {
        int r = ElemCommands.readCheck(fd, fdNumber, err);
        if (r != 0) {
            return r;
        }
        MapOps ops = map.ops;
        if (ops == null) {
            return ElemCommands.detached(err);
        }
        r = ops.lookupElem(key, value, 0);
        return r == 0 ? 0 : fail(ops, BpfCmd.MAP_LOOKUP_ELEM, r, err);
    }

    @Override
    public int update(ByteBuffer key, ByteBuffer value, long flags, ErrorSink err) {
        int r = ElemCommands.writeCheck(fd, map, err);
        if (r != 0) {
            return r;
        }
        if (flags > BpfFlags.EXIST || flags < 0) {
            return err.fail(Errno.EINVAL, "flags %d: an update takes BPF_ANY, BPF_NOEXIST or BPF_EXIST", flags);
        }
        MapOps ops = map.ops;
        if (ops == null) {
            return ElemCommands.detached(err);
        }
        r = ops.updateElem(key, value, flags);
        return r == 0 ? 0 : fail(ops, BpfCmd.MAP_UPDATE_ELEM, r, err);
    }

    @Override
    public long lookupLong(int key, long absent) {
        if (!fd.canRead) {
            throw new BpfException(Errno.EPERM, "map fd " + fdNumber + " was opened write-only (BPF_F_WRONLY)");
        }
        MapOps ops = map.ops;
        if (ops instanceof PrimitiveOps p) {
            return p.lookupLong(key, absent);
        }
        Scratch s = SCRATCH.get();
        int r = lookup(s.key(key), s.value(map.def.valueBufSize()), s);
        if (r == Errno.ENOENT.ret()) {
            return absent;
        }
        s.check("MAP_LOOKUP_ELEM", r);
        return s.value.clear().getLong(0);
    }

    @Override
    public void updateLong(int key, long value, long flags) {
        Scratch s = SCRATCH.get();
        MapOps ops = map.ops;
        if (ops instanceof PrimitiveOps p) {
            int r = ElemCommands.writeCheck(fd, map, s);
            if (r == 0) {
                r = p.updateLong(key, value, flags);
                if (r != 0) {
                    fail(ops, BpfCmd.MAP_UPDATE_ELEM, r, s);
                }
            }
            s.check("MAP_UPDATE_ELEM", r);
            return;
        }
        ByteBuffer v = s.value(8).putLong(0, value).limit(map.def.valueBufSize());
        s.check("MAP_UPDATE_ELEM", update(s.key(key), v, flags, s));
    }

    private int fail(MapOps ops, BpfCmd cmd, int r, ErrorSink err) {
        String why = ops.why(cmd, r);
        Errno e = Errno.of(r);
        return err.fail(e != null ? e : Errno.EINVAL, why != null ? why : cmd + " failed",
                Integer.toUnsignedLong(map.def.maxEntries()), 0);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** One thread's buffers and last failure, for the primitive forms of maps without PrimitiveOps. */
    private static final class Scratch implements ErrorSink {
        final ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
        ByteBuffer value = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        private Errno errno;
        private String why;
        private long a;
        private long b;

        ByteBuffer key(int k) {
            return key.putInt(0, k);
        }

        ByteBuffer value(int size) {
            if (value.capacity() < size) {
                value = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
            }
            return value.clear().putLong(0, 0).limit(size);
        }

        @Override
        public int fail(Errno errno, String why, long a, long b) {
            this.errno = errno;
            this.why = why;
            this.a = a;
            this.b = b;
            return -errno.code();
        }

        void check(String what, int r) {
            if (r != 0) {
                throw new BpfException(errno, what + " failed: " + String.format(why, a, b));
            }
        }
    }
}
