package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.ElemPath;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * One fd's element commands, bound when a typed handle opens it, and shared by every handle on
 * that fd. Nothing is allocated unless a call fails with something other than "not found".
 *
 * <p>Why the fields {@link #readOps}, {@link #writeOps} and {@link #deleteOps}: the checks that
 * every element command makes first (the fd is open and may read, or may write and the map is not
 * frozen; the type has the command; the map is attached) depend on state that changes seldom, so
 * they are made when it changes rather than on every call. The map keeps its bound paths and
 * refreshes them, under its own lock, where it attaches, detaches, freezes or is freed; the fd's
 * closing unbinds its path. A call then loads one field and has the map's ops, or null. On the
 * typed primitive lookup that is five instructions fewer out of about thirty, and one dependent
 * load fewer, than reading the map's state on each call.
 *
 * <p>The fields are a cache of {@link ElemCommands}' answer, not a second copy of its rules: null
 * sends the call to the slow path, which runs the very command {@code bpf()} runs on this fd entry
 * (so it answers in the same order, with the same errno and message, or succeeds if the state
 * changed meanwhile), and an op's failure is explained, and a provider's exception turned into
 * EFAULT, by the same code as there. Buffers too short for the map, and bad update flags, take the
 * slow path, checked here after the one volatile read so that the op's accesses share the loads.
 *
 * <p>Why {@link #words}: the typed lookups of a small array ({@link PrimitiveOps#lookupWords}, the
 * kernel's {@code map_gen_lookup}) read the element from the handle's path without a call into
 * the ops: handle, path, words, element, three dependent loads instead of four, and one volatile
 * read per call (C2 reloads every field after an acquire, so one read, placed after the key's, is
 * what keeps the key buffer's fields loaded once in a ByteBuffer lookup). That read is what makes
 * a detach or close visible to a thread looping on lookups, and it has a price no placement
 * avoids: the caller's value buffer, taken before the call, is loaded and checked again after it
 * (ArrayBench.baselineBufferLookupOrdered measures that floor). The words follow the ops: cleared
 * when the map detaches, the fd closes or reads are refused, set again from the new ops when it
 * re-attaches.
 */
final class FastElemPath implements ElemPath {
    private final FdEntry fd;
    private final MapObject map;
    private final int fdNumber;
    /** The ops while the fd is open and may read, the type has lookups and the map is attached; else null. */
    private volatile MapOps readOps;
    /** The ops while the fd is open and may write, the map is not frozen and is attached; else null. */
    private volatile MapOps writeOps;
    /** {@link #writeOps}, while the type also has deletes (one without answers ENOTSUPP); else null. */
    private volatile MapOps deleteOps;
    /**
     * While {@link #readOps} are set: their {@link PrimitiveOps#lookupWords}, which lookups of
     * the keys inside it read without calling the ops; else null. Only read when {@link #wordBytes}
     * is not 0.
     */
    private volatile long[] words;
    /**
     * The value's size when lookups try {@link #words} first (a 4-byte key, a value of 4 or 8
     * bytes, the sizes a word is written out as, not per-CPU, and ops that had words when the fd
     * was bound), else 0. Final, so that every other map pays nothing for it, not even the
     * volatile read; one field for both, so that the ByteBuffer lookup loads and tests one.
     */
    private final int wordBytes;
    private final int keySize;
    private final int valueBufSize;
    /** Whether the fd was closed; guarded by the map's lock. */
    private boolean unbound;

    FastElemPath(FdEntry fd, int fdNumber) {
        this.fd = fd;
        this.map = (MapObject) fd.obj;
        this.fdNumber = fdNumber;
        this.keySize = map.def.keySize();
        this.valueBufSize = map.def.valueBufSize();
        boolean inline = keySize == 4 && (valueBufSize == 8 || valueBufSize == 4) && !map.def.type().perCpu()
                && wordsOf(map.ops) != null;
        this.wordBytes = inline ? valueBufSize : 0;
    }

    /** The ops' words, or null; a provider that throws is asked no more (its calls will say why). */
    private static long[] wordsOf(MapOps ops) {
        try {
            return ops instanceof PrimitiveOps p ? p.lookupWords() : null;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Recomputes the fields from the map's state; called by the map under its lock. */
    void refresh() {
        MapOps ops = unbound ? null : map.ops;
        MapTypeTraits t = map.traits;
        MapOps reads = fd.canRead && t.supports(BpfCmd.MAP_LOOKUP_ELEM) ? ops : null;
        // the words are cleared before their ops and set after them, so a lookup that reads
        // words (volatile) reads them while their ops serve the map, with the state they restored
        if (reads == null) {
            words = null;
            readOps = null;
        } else {
            readOps = reads;
            words = wordBytes != 0 ? wordsOf(reads) : null;
        }
        MapOps writes = fd.canWrite && !map.frozen ? ops : null;
        writeOps = t.supports(BpfCmd.MAP_UPDATE_ELEM) ? writes : null;
        deleteOps = t.supports(BpfCmd.MAP_DELETE_ELEM) ? writes : null;
    }

    /** The fd is closed: every later call fails with EBADF. Called by the map under its lock. */
    void unbind() {
        unbound = true;
        refresh();
    }

    @Override
    public boolean lookup(ByteBuffer key, ByteBuffer value) {
        int size = wordBytes;
        if (size != 0 && key != null && value != null) {
            // the map's words: key, bounds, word, value, and no call; every other case as below.
            // No size checks of its own: the buffers' accessors check the index against the
            // limit anyway, and one that is too short, or a read-only value, throws before
            // anything is written; the ops path below then checks and answers as bpf() does.
            // Never thrown on the fast path, so C2 leaves only the accessors' checks.
            try {
                // The key and the value's size are read BEFORE the one volatile read: C2 loads
                // nothing again across an acquire, so the key read here shares the buffer's
                // fields (address, limit, order, segment) with the caller's own write of the key,
                // and after the acquire come only the words and the value buffer, whose loads
                // the caller's read of the value then shares. Reading the key first changes no
                // answer: it depends on no state of the map, and a short key is the slow path's.
                // (An opaque read, which would still keep a detach visible, is no cheaper here:
                // C2 fences it with a CPU-order barrier that reloads as much as the acquire.)
                int k = hostInt(key, key.position());
                long[] w = words;
                if (w != null && k >= 0 && k < w.length) {
                    putHost(value, value.position(), w[k], size);
                    return true;
                }
            } catch (IndexOutOfBoundsException | java.nio.ReadOnlyBufferException e) {
                // below
            }
        }
        MapOps ops = readOps;
        // the sizes are checked here, after the one volatile read, so that the op's own accesses
        // reuse the loads of the buffers' positions and limits; a bad buffer is the slow path's
        if (ops == null || !fits(key, keySize) || !fits(value, valueBufSize) || value.isReadOnly()) {
            return slow(BpfCmd.MAP_LOOKUP_ELEM, key, value, 0);
        }
        int r;
        try {
            r = ops.lookupElem(key, value, 0);
        } catch (RuntimeException | LinkageError e) {
            throw providerFailed(BpfCmd.MAP_LOOKUP_ELEM, e);
        }
        return r == 0 || notFound(ops, BpfCmd.MAP_LOOKUP_ELEM, r);
    }

    @Override
    public void update(ByteBuffer key, ByteBuffer value, long flags) {
        MapOps ops = writeOps;
        if (ops == null || flags > BpfFlags.EXIST || flags < 0 || !fits(key, keySize) || !fits(value, valueBufSize)) {
            slow(BpfCmd.MAP_UPDATE_ELEM, key, value, flags);
            return;
        }
        int r;
        try {
            r = ops.updateElem(key, value, flags);
        } catch (RuntimeException | LinkageError e) {
            throw providerFailed(BpfCmd.MAP_UPDATE_ELEM, e);
        }
        if (r != 0) {
            throw failure(ops, BpfCmd.MAP_UPDATE_ELEM, r);
        }
    }

    @Override
    public boolean delete(ByteBuffer key) {
        MapOps ops = deleteOps;
        if (ops == null || !fits(key, keySize)) {
            return slow(BpfCmd.MAP_DELETE_ELEM, key, null, 0);
        }
        int r;
        try {
            r = ops.deleteElem(key);
        } catch (RuntimeException | LinkageError e) {
            throw providerFailed(BpfCmd.MAP_DELETE_ELEM, e);
        }
        return r == 0 || notFound(ops, BpfCmd.MAP_DELETE_ELEM, r);
    }

    @Override
    public long lookupLong(int key, long absent) {
        if (wordBytes != 0) {
            long[] w = words;
            if (w != null && key >= 0 && key < w.length) {
                return w[key];
            }
        }
        // one test for both: null (the slow path answers) and a map without primitive ops
        MapOps ops = readOps;
        if (ops instanceof PrimitiveOps p) {
            try {
                return p.lookupLong(key, absent);
            } catch (RuntimeException | LinkageError e) {
                throw providerFailed(BpfCmd.MAP_LOOKUP_ELEM, e);
            }
        }
        ByteBuffer v = ByteBuffer.allocate(Math.max(8, map.def.valueBufSize())).order(ByteOrder.nativeOrder());
        return lookup(intKey(key), v.limit(map.def.valueBufSize())) ? v.clear().getLong(0) : absent;
    }

    @Override
    public void updateLong(int key, long value, long flags) {
        MapOps ops = writeOps;
        if (ops instanceof PrimitiveOps p && flags <= BpfFlags.EXIST && flags >= 0) {
            int r;
            try {
                r = p.updateLong(key, value, flags);
            } catch (RuntimeException | LinkageError e) {
                throw providerFailed(BpfCmd.MAP_UPDATE_ELEM, e);
            }
            if (r != 0) {
                throw failure(ops, BpfCmd.MAP_UPDATE_ELEM, r);
            }
            return;
        }
        // no primitive ops, or the cache says no, or bad flags: the buffer form decides
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value);
        update(intKey(key), v.limit(map.def.valueBufSize()), flags);
    }

    /** Whether {@code size} bytes lie between the position and the limit (never negative apart). */
    private static boolean fits(ByteBuffer b, int size) {
        return b != null && b.limit() - b.position() >= size;
    }

    private static final ByteOrder HOST = ByteOrder.nativeOrder();

    // Why the buffers' own accessors and not Bytes' VarHandles here: their index check is the
    // very compare fits() made (limit - index against the size), which C2 then drops, and they
    // test what the caller's own accesses test, so C2 shares those loads too. The cost is one
    // test of the buffer's order, a field those accessors load anyway.

    /** The host-order int at {@code at}, whatever the buffer's order. */
    private static int hostInt(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == HOST ? v : Integer.reverseBytes(v);
    }

    /**
     * Writes the word as a value of {@code size} (4 or 8) host-order bytes at {@code at}. The
     * write comes before the test of the buffer's order, and a buffer in the other order is
     * written again, swapped: the accessor's type check makes C2 use the checked buffer from then
     * on, so the test shares the accessor's load of the order (asked first, it was loaded twice).
     */
    private static void putHost(ByteBuffer b, int at, long word, int size) {
        if (size == 8) {
            b.putLong(at, word);
            if (b.order() != HOST) {
                b.putLong(at, Long.reverseBytes(word));
            }
        } else {
            b.putInt(at, (int) word);
            if (b.order() != HOST) {
                b.putInt(at, Integer.reverseBytes((int) word));
            }
        }
    }

    private static ByteBuffer intKey(int key) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, key);
    }

    /**
     * The command as {@code bpf()} runs it, on this path's fd entry (none once the fd is closed:
     * EBADF): true on success, false on ENOENT where that is "not found", else the exception.
     */
    private boolean slow(BpfCmd cmd, ByteBuffer key, ByteBuffer value, long flags) {
        FdEntry e;
        synchronized (map) {
            e = unbound ? null : fd;
        }
        MapElemAttr a = new MapElemAttr().set(fdNumber, key, value, flags);
        int r;
        switch (cmd) {
            case MAP_LOOKUP_ELEM:
                r = ElemCommands.lookup(e, a);
                break;
            case MAP_UPDATE_ELEM:
                r = ElemCommands.update(e, a);
                break;
            default:
                r = ElemCommands.delete(e, a);
                break;
        }
        if (r == 0) {
            return true;
        }
        if (r == Errno.ENOENT.ret() && cmd != BpfCmd.MAP_UPDATE_ELEM) {
            return false;
        }
        throw BpfException.of(cmd.name(), r, a);
    }

    /** ENOENT is "not found"; anything else throws. */
    private boolean notFound(MapOps ops, BpfCmd cmd, int r) {
        if (r == Errno.ENOENT.ret()) {
            return false;
        }
        throw failure(ops, cmd, r);
    }

    /** An op's failure, explained as {@code bpf()} explains it. */
    private BpfException failure(MapOps ops, BpfCmd cmd, int r) {
        MapElemAttr a = new MapElemAttr(fdNumber);
        ElemCommands.explain(ops, map, cmd, a, r);
        return BpfException.of(cmd.name(), r, a);
    }

    /** A provider's exception, as {@code bpf()}'s guard turns it into EFAULT. */
    private BpfException providerFailed(BpfCmd cmd, Throwable ex) {
        MapElemAttr a = new MapElemAttr(fdNumber);
        return BpfException.of(cmd.name(), ElemCommands.providerFailed(map, cmd.name(), ex, a), a);
    }
}
