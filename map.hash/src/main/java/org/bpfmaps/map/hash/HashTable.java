package org.bpfmaps.map.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.spi.Bytes;

/**
 * The chained hash table under every map of the family, after kernel/bpf/hashtab.c: elements
 * hang off {@code roundup_pow_of_two(max_entries)} buckets in singly linked chains, new elements
 * at the head. What differs between the four types (where elements come from, how an update
 * replaces a value) is in the ops classes; this class walks and edits chains.
 *
 * <p>Two kinds of access. Under the bucket's lock ({@link #find}, {@link #link}, {@link #unlink},
 * between {@link Buckets#lock} and {@link Buckets#unlock}) everything read is current. Without a lock ({@link #lookup}, {@link #getNextKey} and friends) a reader walks
 * optimistically and validates against the bucket's sequence count, retrying when a writer
 * intervened and taking the lock after a few failed tries, so that a reader always finishes.
 * Links are stored as index + 1 so that zeroed memory is an empty chain.
 */
final class HashTable implements Lru.Evictor {
    /** A lock-free walk saw the bucket change under it. */
    private static final int RETRY = -2;
    /** Optimistic tries before a reader takes the bucket lock. */
    private static final int TRIES = 4;
    /** Steps of a lock-free walk between checks that the bucket is unchanged (stale links may loop). */
    private static final int CHECK_EVERY = 32;
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    final ElemLayout layout;
    final Buckets buckets;
    final Elements elems;
    final int keySize;
    private final int keyOff;
    private final int seed;

    /**
     * The first home element's id when the buckets hold home elements ({@link HomeSlots}), else
     * -1: searches then look at the homes of the bucket's record, in the bucket's own cache line, first.
     */
    private final int homes;
    /** The number of home elements: the buckets, or 0. */
    private final int nHomes;
    /**
     * Whether the buckets hold home elements and keys are 4 bytes and values 8 (HASH k4v8, the
     * common map): lookups and updates of a key at home then read and write its value as one word
     * in the bucket's record, with no element ids and no copy loop on the way ({@link #lookup}).
     */
    private final boolean homeK4V8;
    /** The bucket table and its mask: {@code buckets.table} and {@code buckets.mask}, one load nearer. */
    private final ByteBuffer bucketTable;
    private final int mask;
    /** The offsets of the key and value of a record's first home element in the record (see {@link HomeSlots#homeBase}). */
    private final int homeKey;
    private final int homeValue;

    HashTable(ElemLayout layout, int nBuckets, Elements elems, int seed) {
        this(layout, new Buckets(nBuckets), elems, seed);
    }

    HashTable(ElemLayout layout, Buckets buckets, Elements elems, int seed) {
        this.layout = layout;
        this.buckets = buckets;
        this.elems = elems;
        this.homes = elems instanceof HomeSlots hs ? hs.home(0) : -1;
        this.nHomes = homes >= 0 ? elems.capacity() - homes : 0;
        this.keySize = layout.keySize;
        this.keyOff = layout.keyOff;
        this.seed = seed;
        this.homeK4V8 = homes >= 0 && keySize == 4 && layout.valueSize == 8 && !layout.perCpu;
        this.bucketTable = buckets.table;
        this.mask = buckets.mask;
        this.homeKey = HomeSlots.homeBase(0) + keyOff;
        this.homeValue = HomeSlots.homeBase(0) + layout.valueOff;
    }

    int hash(ByteBuffer key, int at) {
        return KeyBytes.hash(key, at, keySize, seed);
    }

    int hashInt(int key) {
        return KeyBytes.hashInt(key, seed);
    }

    int bucketOf(int hash) {
        return hash & mask;
    }

    // ---- the fields of an element (under the lock, or on an element no chain links to) ----

    int next(int e) {
        return KeyBytes.getInt(elems.buf(e), elems.base(e) + ElemLayout.NEXT) - 1;
    }

    private void setNext(int e, int next) {
        KeyBytes.putInt(elems.buf(e), elems.base(e) + ElemLayout.NEXT, next + 1);
    }

    /** Whether e is a bucket's home element, whose hash word holds its pool's token ({@link HomePool}). */
    private boolean isHome(int e) {
        return homes >= 0 && e >= homes;
    }

    int hashOf(int e) {
        return KeyBytes.getInt(elems.buf(e), elems.base(e) + ElemLayout.HASH);
    }

    /** Writes the key and its hash into an element that no chain links to yet. */
    void initKey(int e, int hash, ByteBuffer key, int at) {
        ByteBuffer b = elems.buf(e);
        int base = elems.base(e);
        if (!isHome(e)) {
            KeyBytes.putInt(b, base + ElemLayout.HASH, hash);
        }
        KeyBytes.copy(key, at, b, base + keyOff, keySize);
    }

    /** As {@link #initKey} for a 4-byte key given as an int. */
    void initIntKey(int e, int hash, int key) {
        ByteBuffer b = elems.buf(e);
        int base = elems.base(e);
        if (!isHome(e)) {
            KeyBytes.putInt(b, base + ElemLayout.HASH, hash);
        }
        KeyBytes.putInt(b, base + keyOff, key);
    }

    void copyKeyOut(int e, ByteBuffer dst, int at) {
        Bytes.copy(elems.buf(e), elems.base(e) + keyOff, dst, at, keySize);
    }

    void copyValueOut(int e, ByteBuffer dst, int at) {
        layout.copyOut(elems.buf(e), elems.base(e), dst, at);
    }

    void copyValueIn(int e, ByteBuffer src, int at) {
        if (homeK4V8 && e >= homes) {
            // a home element's value is one word of its bucket's record (see lookup)
            KeyBytes.putLong(bucketTable, HomeSlots.homeBase(e - homes) + layout.valueOff, KeyBytes.getLong(src, at));
            return;
        }
        layout.copyIn(src, at, elems.buf(e), elems.base(e));
    }

    /** A program's write of element e's value (one CPU's, for per-CPU maps). */
    void copyValueInCpu(int e, ByteBuffer src, int at, int cpu) {
        layout.copyInCpu(src, at, elems.buf(e), elems.base(e), cpu);
    }

    /** The value of an element a program creates (see {@link ElemLayout#initFromProgram}). */
    void initValueFromProgram(int e, ByteBuffer src, int at, int cpu) {
        layout.initFromProgram(src, at, elems.buf(e), elems.base(e), cpu);
    }

    /** Stores the low value_size bytes of {@code v} (host order) as the value: values of up to 8 bytes. */
    void putLong(int e, long v) {
        if (homeK4V8 && e >= homes) {
            KeyBytes.putLong(bucketTable, HomeSlots.homeBase(e - homes) + layout.valueOff, v);
            return;
        }
        int len = layout.valueSize;
        // the value is the first len bytes of its 8-byte slot: the word's low bytes on a little-endian host
        LONG.set(elems.buf(e), elems.base(e) + layout.valueOff, LITTLE || len == 8 ? v : v << (8 * (8 - len)));
    }

    private long getLong(ByteBuffer b, int base) {
        long v = (long) LONG.get(b, base + layout.valueOff);
        int len = layout.valueSize;
        if (len == 8) {
            return v;
        }
        return LITTLE ? v & ((1L << (8 * len)) - 1) : v >>> (8 * (8 - len));
    }

    // ---- under the bucket lock ----

    /**
     * The element of bucket b with this key, or -1. The home element first, when the bucket's is
     * used: it is in the line the lock just brought in, and the chain may reach it only after an
     * overflow element's miss (an update of an existing key then costs one miss, as a lookup).
     */
    int find(int b, int hash, ByteBuffer key, int at) {
        int home = homeWith(b, key, at);
        if (home >= 0) {
            return home;
        }
        for (int e = buckets.head(b); e >= 0; e = next(e)) {
            if (holds(e, hash, key, at)) {
                return e;
            }
        }
        return -1;
    }

    /**
     * The home element that holds this key of bucket b, or -1: bucket b's own home or the other of
     * its record ({@link HomeSlots}), each when used. Under the lock, or in a read section.
     */
    private int homeWith(int b, ByteBuffer key, int at) {
        if (homes < 0) {
            return -1;
        }
        for (int i = 0, s = b; i < 2; i++, s ^= 1) {
            if (buckets.headWord(s) < 0
                    && KeyBytes.equal(buckets.table, HomeSlots.homeBase(s) + keyOff, key, at, keySize)) {
                return homes + s;
            }
        }
        return -1;
    }

    /** As {@link #homeWith} for a 4-byte key given as an int. */
    private int homeWithInt(int b, int key) {
        if (homes < 0) {
            return -1;
        }
        for (int i = 0, s = b; i < 2; i++, s ^= 1) {
            if (buckets.headWord(s) < 0 && KeyBytes.getInt(buckets.table, HomeSlots.homeBase(s) + keyOff) == key) {
                return homes + s;
            }
        }
        return -1;
    }

    /** Whether element e has this hash and key. */
    private boolean holds(int e, int hash, ByteBuffer key, int at) {
        ByteBuffer eb = elems.buf(e);
        int base = elems.base(e);
        return (isHome(e) || KeyBytes.getInt(eb, base + ElemLayout.HASH) == hash)
                && KeyBytes.equal(eb, base + keyOff, key, at, keySize);
    }

    /** The element of bucket b with this 4-byte key, or -1; the home element first, as {@link #find}. */
    int findInt(int b, int hash, int key) {
        int home = homeWithInt(b, key);
        if (home >= 0) {
            return home;
        }
        for (int e = buckets.head(b); e >= 0; e = next(e)) {
            ByteBuffer eb = elems.buf(e);
            int base = elems.base(e);
            if ((isHome(e) || KeyBytes.getInt(eb, base + ElemLayout.HASH) == hash)
                    && KeyBytes.getInt(eb, base + keyOff) == key) {
                return e;
            }
        }
        return -1;
    }

    /** The element of bucket b with the same key as the unlinked element {@code n}, or -1. */
    int findKeyOf(int b, int n) {
        return find(b, hashOf(n), elems.buf(n), elems.base(n) + keyOff);
    }

    /** Puts e at the head of bucket b, where a search finds it before an older element with its key. */
    void link(int b, int e) {
        setNext(e, buckets.head(b));
        buckets.setHead(b, e);
    }

    /**
     * Finds the element of bucket b with this key and takes it out of the chain, in one walk (a
     * delete's find and unlink): the element, which the caller still owns, or -1.
     */
    int unlinkKey(int b, int hash, ByteBuffer key, int at) {
        int prev = -1;
        for (int e = buckets.head(b); e >= 0; prev = e, e = next(e)) {
            if (holds(e, hash, key, at)) {
                unlinkAfter(b, prev, e);
                return e;
            }
        }
        return -1;
    }

    /**
     * As {@link #unlinkKey} for a 4-byte key given as an int; each element's buffer and offset
     * are found once for its hash, key and link.
     */
    int unlinkInt(int b, int hash, int key) {
        int prev = -1;
        for (int e = buckets.head(b); e >= 0;) {
            ByteBuffer eb = elems.buf(e);
            int base = elems.base(e);
            int next = KeyBytes.getInt(eb, base + ElemLayout.NEXT) - 1;
            if ((isHome(e) || KeyBytes.getInt(eb, base + ElemLayout.HASH) == hash)
                    && KeyBytes.getInt(eb, base + keyOff) == key) {
                if (prev < 0) {
                    buckets.setHead(b, next);
                } else {
                    setNext(prev, next);
                }
                return e;
            }
            prev = e;
            e = next;
        }
        return -1;
    }

    /** Takes e, which follows prev (-1: the head), out of bucket b's chain. */
    private void unlinkAfter(int b, int prev, int e) {
        if (prev < 0) {
            buckets.setHead(b, next(e));
        } else {
            setNext(prev, next(e));
        }
    }

    /** Takes e out of bucket b's chain; false when it is not there. */
    boolean unlink(int b, int e) {
        int prev = -1;
        for (int x = buckets.head(b); x >= 0; prev = x, x = next(x)) {
            if (x == e) {
                unlinkAfter(b, prev, e);
                return true;
            }
        }
        return false;
    }

    /** The number of elements in bucket b. */
    int chainLength(int b) {
        int n = 0;
        for (int e = buckets.head(b); e >= 0; e = next(e)) {
            n++;
        }
        return n;
    }

    /**
     * {@code htab_lru_map_delete_node}: the LRU wants element e back. Deletes it if a chain still
     * holds it; false when it is not in the table (being inserted, or already deleted by someone
     * who will free it). Called with the LRU lock held: lru lock, then bucket lock.
     */
    @Override
    public boolean deleteNode(int e) {
        int b = bucketOf(hashOf(e));
        buckets.lock(b);
        try {
            return unlink(b, e);
        } finally {
            buckets.unlock(b);
        }
    }

    // ---- without a lock ----

    /**
     * Copies the value of {@code key} to {@code dst}: the element's index, or -1 when there is no
     * such key. When a concurrent change makes a try fail after it copied, dst may hold bytes of
     * a value the key had during the call, even if the call ends up answering -1.
     */
    int lookup(ByteBuffer key, ByteBuffer dst) {
        int at = key.position();
        if (keySize != 4) {
            int h = hash(key, at);
            return (int) read(LOOKUP, bucketOf(h), h, key, at, 0, 0, dst);
        }
        // the common 4-byte key, read once as an int; read()'s loop written out (see read)
        int k = KeyBytes.getInt(key, at);
        int h = hashInt(k);
        int b = bucketOf(h);
        if (homeK4V8) {
            ByteBuffer t = bucketTable;
            int r = (b >> 1) << 6; // the record of the pair (Buckets.countAt)
            // the count and the first head word in one read (see homeCount)
            long w = KeyBytes.getLongAcquire(t, r);
            int seq = homeCount(w);
            int d = homeAt(t, r, w, k);
            if (d >= 0) {
                long v = KeyBytes.getLong(t, r + homeValue + d);
                if (homeReadValid(t, r, seq)) {
                    KeyBytes.putLong(dst, dst.position(), v);
                    return homes + (b & ~1) + d / HOME_STRIDE;
                }
            }
        }
        for (int t = 0; t < TRIES; t++) {
            int seq = buckets.readBegin(b);
            if ((seq & 1) == 0) {
                int e = findIntRacy(b, seq, h, k);
                ByteBuffer eb = e >= 0 ? elems.buf(e) : null;
                if (eb != null) {
                    layout.copyOut(eb, elems.base(e), dst, dst.position());
                }
                if (buckets.readValid(b, seq)) {
                    return e;
                }
            } else {
                Thread.onSpinWait();
            }
        }
        return (int) readLocked(LOOKUP, b, h, key, at, 0, 0, dst);
    }

    /**
     * As {@link #lookup}, copying what a program reads: value_size bytes, one CPU's for per-CPU
     * maps. The element's index, or -1.
     */
    int lookupCpu(ByteBuffer key, ByteBuffer dst, int cpu) {
        int at = key.position();
        int h = hash(key, at);
        return (int) read(LOOKUP_CPU, bucketOf(h), h, key, at, cpu, 0, dst);
    }

    /** The value of a 4-byte key as a number (values of up to 8 bytes), or {@code absent}. */
    long lookupLong(int key, long absent) {
        int h = hashInt(key);
        int b = bucketOf(h);
        if (homeK4V8) {
            // as lookup: the home element's value, one line, validated against the count read with it
            ByteBuffer t = bucketTable;
            int r = (b >> 1) << 6; // the record of the pair (Buckets.countAt)
            // the count and the first head word in one read (see homeCount)
            long w = KeyBytes.getLongAcquire(t, r);
            int seq = homeCount(w);
            int d = homeAt(t, r, w, key);
            if (d >= 0) {
                long v = KeyBytes.getLong(t, r + homeValue + d);
                if (homeReadValid(t, r, seq)) {
                    return v;
                }
            }
        }
        // read()'s loop, written out (see read)
        for (int t = 0; t < TRIES; t++) {
            int seq = buckets.readBegin(b);
            if ((seq & 1) == 0) {
                long v = valueOf(b, seq, h, key, absent);
                if (buckets.readValid(b, seq)) {
                    return v;
                }
            } else {
                Thread.onSpinWait();
            }
        }
        return readLocked(LOOKUP_LONG, b, h, null, 0, key, absent, null);
    }

    /**
     * {@code htab_map_get_next_key}: the key after {@code key} in bucket order, into {@code out}.
     * A null key, or one that is not in the map, gives the first key; the next of the last key is
     * -1. Every answer is a key that was in the map during the call.
     */
    boolean getNextKey(ByteBuffer key, ByteBuffer out) {
        int from = 0;
        if (key != null) {
            int at = key.position();
            int h = hash(key, at);
            from = (int) read(NEXT_IN_CHAIN, bucketOf(h), h, key, at, 0, 0, out);
            if (from < 0) {
                return true;
            }
        }
        int n = buckets.count();
        for (int b = from; b < n; b++) {
            if (read(FIRST_KEY, b, 0, null, 0, 0, 0, out) != 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The check of a home element's read in {@link #lookup} and {@link #lookupLong}: the count
     * read before it ({@code seq}) was even and is unchanged, so no writer touched the bucket
     * while the key and value were read. It is {@link Buckets#readValid} on a record whose offset
     * the caller has; when it fails the caller goes on to the general loop, which tries again.
     *
     * <p>Why a path of its own for the key at home (64% of the keys of a full k4v8 map, 79% at
     * half load): a lookup's time at 1M entries is its cache miss, and what the CPU can overlap
     * of the misses of consecutive lookups depends on how many instructions separate them, as
     * its reorder window holds a fixed number. This path is the hash, one record's count, head,
     * key and value, and the count again; the general loop adds element ids, two calls through
     * {@link Elements} and the copy loop of a value of any size.
     */
    private static boolean homeReadValid(ByteBuffer t, int r, int seq) {
        VarHandle.acquireFence();
        // even and unchanged, tested as one word: one branch
        return ((seq & 1) | (KeyBytes.getIntOpaque(t, r) ^ seq)) == 0;
    }

    /**
     * The count of a record's first 8 bytes read as one word: the count at 0 and the first head
     * word at 4 ({@link Buckets}) come in one load, whichever the host's byte order.
     */
    private static int homeCount(long w) {
        return LITTLE ? (int) w : (int) (w >>> 32);
    }

    /** The head word of a record's first 8 bytes read as one word (see {@link #homeCount}). */
    private static int homeHead(long w) {
        return LITTLE ? (int) (w >>> 32) : (int) w;
    }

    /**
     * Of the k4v8 record at r, whose first 8 bytes are w: the offset of the home element that
     * holds key from the first home (0 or {@link #HOME_STRIDE}), or -1. As {@link #homeWithInt},
     * each home's test one branch (used, the sign of its head word, and the key).
     */
    private int homeAt(ByteBuffer t, int r, long w, int key) {
        if ((homeHead(w) < 0) & (KeyBytes.getInt(t, r + homeKey) == key)) {
            return 0;
        }
        if ((KeyBytes.getInt(t, r + 8) < 0) & (KeyBytes.getInt(t, r + homeKey + HOME_STRIDE) == key)) {
            return HOME_STRIDE;
        }
        return -1;
    }

    /** The distance between the two home elements of a record ({@link HomeSlots#homeBase}). */
    private static final int HOME_STRIDE = 24;

    /** The reads that {@link #read} makes; {@link #once} says what each does. */
    private static final int LOOKUP = 0;
    private static final int LOOKUP_LONG = 1;
    private static final int NEXT_IN_CHAIN = 2;
    private static final int FIRST_KEY = 3;
    /** A program's lookup: intKey is the CPU. */
    private static final int LOOKUP_CPU = 4;

    /**
     * A lock-free read: up to {@link #TRIES} tries of {@code op} on bucket b, each made against an
     * even count and kept only if the count has not moved since; then the same op under the
     * bucket's lock ({@link #readLocked}), so that a reader always finishes. A try that meets a
     * writer's traces (a link out of range, a freed element, a chain longer than it can be) stops
     * early with any answer: each of those moved the count, so the validation throws it away.
     *
     * <p>The lookups of 4-byte keys ({@link #lookup}, {@link #lookupLong}), the hot path of most
     * maps, have this loop written out with their op inline. Through here C2 compiled
     * {@link #once} as a call of nine arguments inside the loop (the switch over four ops made it
     * too big to inline), which cost the typed lookup about 5-8% at 1M entries (HashBench).
     */
    private long read(int op, int b, int h, ByteBuffer key, int at, int intKey, long absent, ByteBuffer out) {
        for (int t = 0; t < TRIES; t++) {
            int seq = buckets.readBegin(b);
            if ((seq & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long r = once(op, b, seq, h, key, at, intKey, absent, out);
            if (buckets.readValid(b, seq)) {
                return r;
            }
        }
        return readLocked(op, b, h, key, at, intKey, absent, out);
    }

    /** {@code op} under bucket b's lock, after the lock-free tries failed: it always finishes. */
    private long readLocked(int op, int b, int h, ByteBuffer key, int at, int intKey, long absent, ByteBuffer out) {
        // the lock's odd count stays put while we hold it: the try below always validates
        int seq = buckets.lock(b);
        try {
            return once(op, b, seq, h, key, at, intKey, absent, out);
        } finally {
            buckets.unlock(b);
        }
    }

    /** One try of a read. */
    private long once(int op, int b, int seq, int h, ByteBuffer key, int at, int intKey, long absent,
            ByteBuffer out) {
        switch (op) {
            case LOOKUP:
                return copyValue(b, seq, h, key, at, out);
            case LOOKUP_LONG:
                return valueOf(b, seq, h, intKey, absent);
            case NEXT_IN_CHAIN:
                return copyNextKey(b, seq, h, key, at, out);
            case LOOKUP_CPU:
                return copyCpuValue(b, seq, h, key, at, intKey, out);
            default:
                return copyFirstKey(b, out);
        }
    }

    /** LOOKUP: copies the key's value to out; the element, or a negative number. */
    private int copyValue(int b, int seq, int h, ByteBuffer key, int at, ByteBuffer out) {
        int e = findRacy(b, seq, h, key, at);
        ByteBuffer eb = e >= 0 ? elems.buf(e) : null;
        if (eb == null) {
            return e < 0 ? e : RETRY;
        }
        layout.copyOut(eb, elems.base(e), out, out.position());
        return e;
    }

    /** LOOKUP_CPU: as LOOKUP, value_size bytes of the value a program sees. */
    private int copyCpuValue(int b, int seq, int h, ByteBuffer key, int at, int cpu, ByteBuffer out) {
        int e = findRacy(b, seq, h, key, at);
        ByteBuffer eb = e >= 0 ? elems.buf(e) : null;
        if (eb == null) {
            return e < 0 ? e : RETRY;
        }
        layout.copyOutCpu(eb, elems.base(e), cpu, out, out.position());
        return e;
    }

    /** LOOKUP_LONG: the value of a 4-byte key, or absent. */
    private long valueOf(int b, int seq, int h, int key, long absent) {
        int e = findIntRacy(b, seq, h, key);
        ByteBuffer eb = e >= 0 ? elems.buf(e) : null;
        return eb == null ? absent : getLong(eb, elems.base(e));
    }

    /**
     * NEXT_IN_CHAIN: finds key in bucket b. -1 when an element follows it in the chain (its key
     * copied to out), the next bucket's index when it ends the chain, 0 when the key is not in the
     * map (the walk restarts from the first bucket, as the kernel's does).
     */
    private int copyNextKey(int b, int seq, int h, ByteBuffer key, int at, ByteBuffer out) {
        int e = findRacy(b, seq, h, key, at);
        ByteBuffer eb = e >= 0 ? elems.buf(e) : null;
        if (eb == null) {
            return 0;
        }
        int n = KeyBytes.getInt(eb, elems.base(e) + ElemLayout.NEXT) - 1;
        if (n < 0) {
            return b + 1;
        }
        ByteBuffer nb = n < elems.capacity() ? elems.buf(n) : null;
        if (nb == null) {
            return 0;
        }
        Bytes.copy(nb, elems.base(n) + keyOff, out, out.position(), keySize);
        return -1;
    }

    /** FIRST_KEY: copies the key of bucket b's first element to out; 0 when the bucket is empty. */
    private int copyFirstKey(int b, ByteBuffer out) {
        int e = buckets.head(b);
        ByteBuffer eb = e >= 0 && e < elems.capacity() ? elems.buf(e) : null;
        if (eb == null) {
            return 0;
        }
        Bytes.copy(eb, elems.base(e) + keyOff, out, out.position(), keySize);
        return 1;
    }

    /** A lock-free search of bucket b: the element, -1, or RETRY when the bucket changed. */
    private int findRacy(int b, int seq, int h, ByteBuffer key, int at) {
        int home = homeWith(b, key, at);
        if (home >= 0) {
            return home;
        }
        int cap = elems.capacity();
        int e = buckets.head(b);
        for (int steps = 1; e >= 0; steps++) {
            ByteBuffer eb = e < cap ? elems.buf(e) : null;
            if (eb == null) {
                return RETRY;
            }
            int base = elems.base(e);
            // a home element was looked at first (its hash word is not a hash)
            if (e < cap - nHomes && KeyBytes.getInt(eb, base + ElemLayout.HASH) == h
                    && KeyBytes.equal(eb, base + keyOff, key, at, keySize)) {
                return e;
            }
            e = KeyBytes.getInt(eb, base + ElemLayout.NEXT) - 1;
            if ((steps & (CHECK_EVERY - 1)) == 0 && !buckets.readValid(b, seq)) {
                return RETRY;
            }
        }
        return -1;
    }

    /** As {@link #findRacy} for a 4-byte key given as an int. */
    private int findIntRacy(int b, int seq, int h, int key) {
        // the homes of the bucket's record, in the cache line just read for the count: most keys are there
        int home = homeWithInt(b, key);
        if (home >= 0) {
            return home;
        }
        int cap = elems.capacity();
        int e = buckets.head(b);
        for (int steps = 1; e >= 0; steps++) {
            ByteBuffer eb = e < cap ? elems.buf(e) : null;
            if (eb == null) {
                return RETRY;
            }
            int base = elems.base(e);
            // a home element was looked at first (its hash word is not a hash)
            if (e < cap - nHomes && KeyBytes.getInt(eb, base + ElemLayout.HASH) == h
                    && KeyBytes.getInt(eb, base + keyOff) == key) {
                return e;
            }
            e = KeyBytes.getInt(eb, base + ElemLayout.NEXT) - 1;
            if ((steps & (CHECK_EVERY - 1)) == 0 && !buckets.readValid(b, seq)) {
                return RETRY;
            }
        }
        return -1;
    }
}
