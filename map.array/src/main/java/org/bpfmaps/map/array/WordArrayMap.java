package org.bpfmaps.map.array;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.PrimitiveOps;

/**
 * BPF_MAP_TYPE_ARRAY of values of at most 8 bytes that cannot be mapped: one {@code long} per
 * element on the Java heap, the value in the word's first value_size bytes and zeros after it.
 *
 * <p>Why a second layout: counters and flags are the commonest arrays, and reading one through a
 * direct buffer costs the buffer's bounds, alignment and liveness checks on every access, several
 * times a plain array read. A {@code long[]} element is the cheapest atomic word the JVM has. Only
 * an MMAPABLE array must share its bytes with an mmap view, so it stays off-heap
 * ({@link PlainArrayMap}), as do arrays larger than {@link #MAX_ENTRIES}, which would otherwise
 * weigh on the collector.
 */
final class WordArrayMap extends ArrayMap implements PrimitiveOps {
    /** The largest array kept on the heap: 4 Mi entries, 32 MiB. */
    static final int MAX_ENTRIES = 1 << 22;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    /** The state format: the {@code long[]} itself, handed over. */
    static final String FORMAT = "org.bpfmaps.array.words/1";

    private final long[] words;

    WordArrayMap(MapDef def) {
        this(def, new long[def.maxEntries()]);
    }

    /** Over {@code words}, which must hold exactly max_entries words (the restore checks it). */
    WordArrayMap(MapDef def, long[] words) {
        super(def);
        if (words.length != def.maxEntries()) {
            throw new IllegalArgumentException(words.length + " words for " + def.maxEntries() + " entries");
        }
        this.words = words;
    }

    /** Hands over the array itself, so that writes still in flight keep reaching the map. */
    @Override
    public MapState exportState(MapDef def) {
        return MapState.ofStorage(FORMAT, maxEntries, (Object) words);
    }

    /** Whether an array of this definition is kept here rather than off-heap. */
    static boolean suits(MapDef def) {
        return def.valueSize() <= 8 && !def.hasFlag(BpfFlags.F_MMAPABLE)
                && Integer.compareUnsigned(def.maxEntries(), MAX_ENTRIES) <= 0;
    }

    // A whole word is always written, padding included, so every access is one atomic load or
    // store: readers never see a value half-written, whatever its size.

    /**
     * The array's own bounds (words.length is max_entries, at most 4 Mi, so a negative int, an
     * index of 2^31 or more as a u32, is out of range): the length is loaded for the access
     * anyway, and the JIT's code for these two compares is shorter than for compareUnsigned's
     * (which, on the hottest call, is a fifth of the instructions).
     */
    @Override
    protected boolean inRange(int idx) {
        return idx >= 0 && idx < words.length;
    }

    @Override
    protected void copyOut(int idx, ByteBuffer dst, int at) {
        Slots.putWord(dst, at, valueSize, (long) WORDS.getAcquire(words, idx));
    }

    @Override
    protected void copyIn(int idx, ByteBuffer src, int at) {
        WORDS.setRelease(words, idx, Slots.getWord(src, at, valueSize));
    }

    @Override
    public long lookupLong(int key, long absent) {
        if (!inRange(key)) {
            return absent;
        }
        long word = (long) WORDS.getAcquire(words, key);
        // every write zeroes the bytes past value_size, so on a little-endian host the word is
        // already the value, zero-extended: no switch on value_size on the hottest call
        return Slots.LITTLE ? word : Slots.valueOf(word, valueSize);
    }

    /**
     * The words themselves, for the core to read typed lookups from (the kernel's
     * map_gen_lookup): every write stores a whole word, zero past value_size, so on a
     * little-endian host a word is the value as {@link #lookupLong} gives it (on a big-endian one
     * only for 8-byte values; smaller ones go through {@link #lookupLong}).
     */
    @Override
    public long[] lookupWords() {
        return Slots.LITTLE || valueSize == 8 ? words : null;
    }

    @Override
    public int updateLong(int key, long value, long flags) {
        int err = updateCheck(key, flags);
        if (err != 0) {
            return err;
        }
        WORDS.setRelease(words, key, Slots.wordOf(value, valueSize));
        return 0;
    }
}
