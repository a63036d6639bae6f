package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * A provider for the element path's tests: one map type with the commands it is given, and ops
 * (primitive ones too) over keys {@code 0..max_entries-1} with 8-byte values, hash-like (a key is
 * present or not). While {@link #fault} is set, every op throws it before touching anything, as a
 * provider with a bug, or whose bundle's classes are gone (a LinkageError), would.
 */
final class FaultyProvider implements MapProvider {
    private final MapTypeTraits traits;
    /** What every op throws while set: a RuntimeException or an Error. */
    volatile Throwable fault;
    /** What {@link MapOps#why} throws while set. */
    volatile RuntimeException whyFault;
    private Ops last;

    FaultyProvider(MapType type, BpfCmd... commands) {
        this.traits = MapTypeTraits.of(type).keySize(4, 4).valueSize(8, 8, Errno.E2BIG).commands(commands).build();
    }

    @Override
    public List<MapTypeTraits> types() {
        return List.of(traits);
    }

    @Override
    public long memoryUsage(MapDef def) {
        return 16L * Integer.toUnsignedLong(def.maxEntries());
    }

    @Override
    public MapOps alloc(MapDef def) {
        last = new Ops(def.maxEntries());
        return last;
    }

    /** The elements of the last map made, key to value, read past the ops (so a fault cannot hide them). */
    Map<Integer, Long> contents() {
        Map<Integer, Long> out = new TreeMap<>();
        for (int i = 0; i < last.present.length(); i++) {
            if (last.present.get(i) != 0) {
                out.put(i, last.values.get(i));
            }
        }
        return out;
    }

    private void maybeThrow() {
        Throwable t = fault;
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
    }

    private final class Ops implements MapOps, PrimitiveOps {
        final AtomicLongArray present;
        final AtomicLongArray values;

        Ops(int max) {
            present = new AtomicLongArray(max);
            values = new AtomicLongArray(max);
        }

        private int index(ByteBuffer key) {
            int i = Bytes.getInt(key, key.position());
            return Integer.compareUnsigned(i, present.length()) < 0 ? i : -1;
        }

        @Override
        public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
            maybeThrow();
            int i = index(key);
            if (i < 0 || present.get(i) == 0) {
                return Errno.ENOENT.ret();
            }
            Bytes.putLong(value, value.position(), values.get(i));
            return 0;
        }

        @Override
        public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
            maybeThrow();
            return store(index(key), Bytes.getLong(value, value.position()), flags);
        }

        private int store(int i, long v, long flags) {
            if (i < 0) {
                return Errno.E2BIG.ret();
            }
            if (flags == BpfFlags.NOEXIST && present.get(i) != 0) {
                return Errno.EEXIST.ret();
            }
            if (flags == BpfFlags.EXIST && present.get(i) == 0) {
                return Errno.ENOENT.ret();
            }
            values.set(i, v);
            present.set(i, 1);
            return 0;
        }

        @Override
        public int deleteElem(ByteBuffer key) {
            maybeThrow();
            int i = index(key);
            if (i < 0 || present.get(i) == 0) {
                return Errno.ENOENT.ret();
            }
            present.set(i, 0);
            return 0;
        }

        @Override
        public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
            maybeThrow();
            int from = key == null ? 0 : index(key) + 1;
            if (key != null && index(key) < 0) {
                from = 0;
            }
            for (int i = from; i < present.length(); i++) {
                if (present.get(i) != 0) {
                    Bytes.putInt(nextKey, nextKey.position(), i);
                    return 0;
                }
            }
            return Errno.ENOENT.ret();
        }

        @Override
        public int lookupAndDeleteElem(ByteBuffer key, ByteBuffer value, long flags) {
            int r = lookupElem(key, value, flags);
            return r != 0 ? r : deleteElem(key);
        }

        @Override
        public int lookupAndDeleteBatch(MapDef def, MapBatchAttr attr) {
            // the kernel has no generic version: this one only throws or says ENOTSUPP
            maybeThrow();
            return Errno.ENOTSUPP.ret();
        }

        @Override
        public String why(BpfCmd cmd, int err) {
            RuntimeException t = whyFault;
            if (t != null) {
                throw t;
            }
            return null;
        }

        @Override
        public long lookupLong(int key, long absent) {
            maybeThrow();
            return Integer.compareUnsigned(key, present.length()) < 0 && present.get(key) != 0 ? values.get(key)
                    : absent;
        }

        @Override
        public int updateLong(int key, long value, long flags) {
            maybeThrow();
            return store(Integer.compareUnsigned(key, present.length()) < 0 ? key : -1, value, flags);
        }
    }
}
