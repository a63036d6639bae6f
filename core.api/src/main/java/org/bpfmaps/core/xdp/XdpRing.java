package org.bpfmaps.core.xdp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A single-producer single-consumer ring of an AF_XDP socket, laid out as the kernel's
 * {@code struct xdp_ring} in the memory it shares with the application (net/xdp/xsk_queue.h): the
 * u32 producer index at offset 0, a padding cache line, the u32 consumer index at 128, a padding
 * line whose second word is the flags (196), another padding line, the entries from 320: what
 * getsockopt(XDP_MMAP_OFFSETS) answered on x86-64, Linux 6.18 (producer 0, consumer 128, desc 320,
 * flags 196 for all four rings). The padding keeps the two indices off adjacent cache lines.
 * Indices run freely over the u32 range; an entry's slot is {@code index & (size - 1)}.
 *
 * <p>The ordering is the kernel's and libxdp's ({@code Documentation/networking/af_xdp.rst},
 * {@code tools/lib/bpf/xsk.h}): a producer writes its entries with plain stores and then publishes
 * the producer index with a release store; a consumer reads the producer index with an acquire
 * load, and only then the entries; it hands slots back with a release store of the consumer index,
 * which the producer reads with an acquire load before it overwrites them. Both ends keep cached
 * copies of the other end's index and read the shared one only when the cache says the ring looks
 * full (producer) or empty (consumer), as libxdp's {@code xsk_prod_nb_free} and
 * {@code xsk_cons_nb_avail} do.
 *
 * <p>Each end ({@link #producer()}, {@link #consumer()}) belongs to one thread at a time and takes
 * no lock; the two ends run on two threads. Handing an end to another thread needs a
 * happens-before edge of the caller's (a lock, a thread start).
 */
public final class XdpRing {
    /** Offset of the producer index ({@code xdp_ring_offset.producer}). */
    public static final int PRODUCER_OFFSET = 0;
    /** Offset of the consumer index, two cache lines after the producer's. */
    public static final int CONSUMER_OFFSET = 128;
    /** Offset of the flags word (XDP_RING_NEED_WAKEUP). */
    public static final int FLAGS_OFFSET = 196;
    /** Offset of the first entry ({@code xdp_ring_offset.desc}). */
    public static final int DESC_OFFSET = 320;
    /** XDP_RING_NEED_WAKEUP in the flags word. */
    public static final int NEED_WAKEUP = 1;
    /** Size of an address entry (FILL, COMPLETION). */
    public static final int ADDR_SIZE = 8;
    /** Size of a {@code struct xdp_desc} (u64 addr, u32 len, u32 options): RX, TX. */
    public static final int DESC_SIZE = 16;

    /** u32 views of the shared words, for acquire loads and release stores on the direct buffer. */
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final RingType type;
    private final int size;
    private final int mask;
    private final ByteBuffer mem;
    private final Producer producer = new Producer();
    private final Consumer consumer = new Consumer();

    /**
     * A ring of {@code size} entries; the caller checked the size ({@link #check}). Its memory
     * starts on a cache line, as the kernel's vmalloc'ed ring does: the two indices, the flags and
     * the entries then sit on the lines the offsets mean.
     */
    XdpRing(RingType type, int size) {
        this.type = type;
        this.size = size;
        this.mask = size - 1;
        this.mem = alignedDirect(DESC_OFFSET + size * type.entrySize());
    }

    /** Bytes both ends' cache-line pairs span: the unit of alignment and of padding. */
    static final int LINE_PAIR = 128;

    /**
     * A direct buffer of {@code bytes} in native order whose first byte starts a {@link #LINE_PAIR}
     * (a buffer too large to be padded is left as allocated).
     */
    static ByteBuffer alignedDirect(int bytes) {
        if (bytes > Integer.MAX_VALUE - LINE_PAIR) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer b = ByteBuffer.allocateDirect(bytes + LINE_PAIR - 1);
        int skip = (LINE_PAIR - b.alignmentOffset(0, LINE_PAIR)) & (LINE_PAIR - 1);
        return b.slice(skip, bytes).order(ByteOrder.nativeOrder());
    }

    /** 128 bytes that keep what follows off the cache lines (and their adjacent-line prefetch pair) of what precedes. */
    @SuppressWarnings("unused")
    private static class PadBefore {
        byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
        byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
        byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
        byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
        byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
        byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
        byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
        byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
    }

    /**
     * What one end writes as it works: its cached view of both indices, the first index of its
     * last reserve or peek, and (the consumer's) the two counters. Each end's thread writes its own
     * and reads none of the other's, so that nothing but the ring's memory moves between the cores.
     */
    private static class EndWords extends PadBefore {
        int cachedProd;
        int cachedCons;
        int idx;
        /** The kernel's {@code q->invalid_descs}: entries the consumer found invalid and skipped. */
        long invalidDescs;
        /** The kernel's {@code q->queue_empty_descs}: times the consumer wanted an entry and found none. */
        long queueEmptyDescs;
    }

    /**
     * An end's words between 128 bytes of padding on each side (bytes, which leave no gap for
     * another class's fields): the two ends, allocated one after the other, never share a line.
     */
    @SuppressWarnings("unused")
    private static final class End extends EndWords {
        byte q000, q001, q002, q003, q004, q005, q006, q007, q008, q009, q010, q011, q012, q013, q014, q015;
        byte q016, q017, q018, q019, q020, q021, q022, q023, q024, q025, q026, q027, q028, q029, q030, q031;
        byte q032, q033, q034, q035, q036, q037, q038, q039, q040, q041, q042, q043, q044, q045, q046, q047;
        byte q048, q049, q050, q051, q052, q053, q054, q055, q056, q057, q058, q059, q060, q061, q062, q063;
        byte q064, q065, q066, q067, q068, q069, q070, q071, q072, q073, q074, q075, q076, q077, q078, q079;
        byte q080, q081, q082, q083, q084, q085, q086, q087, q088, q089, q090, q091, q092, q093, q094, q095;
        byte q096, q097, q098, q099, q100, q101, q102, q103, q104, q105, q106, q107, q108, q109, q110, q111;
        byte q112, q113, q114, q115, q116, q117, q118, q119, q120, q121, q122, q123, q124, q125, q126, q127;
    }

    /** Opaque reads of the consumer's counters from other threads (statistics), no tearing. */
    private static final VarHandle INVALID;
    private static final VarHandle EMPTY;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            INVALID = l.findVarHandle(EndWords.class, "invalidDescs", long.class);
            EMPTY = l.findVarHandle(EndWords.class, "queueEmptyDescs", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Counts an entry the consumer found invalid; the consumer end's thread only. */
    void countInvalid() {
        End e = consumer.e;
        INVALID.setOpaque(e, e.invalidDescs + 1);
    }

    /** Counts a time the consumer found the ring empty; the consumer end's thread only. */
    void countEmpty() {
        End e = consumer.e;
        EMPTY.setOpaque(e, e.queueEmptyDescs + 1);
    }

    /**
     * Why {@code entries} is no ring size, as {@code xsk_init_queue} (net/xdp/xsk.c) answers, or
     * null: 0 or not a power of two (the u32 the kernel reads; a negative int is no power of two)
     * is EINVAL; a ring the kernel could not allocate is ENOMEM, here one over 2 GiB.
     */
    static String check(RingType type, int entries) {
        if (entries == 0 || Integer.bitCount(entries) != 1) {
            return "EINVAL";
        }
        long bytes = DESC_OFFSET + Integer.toUnsignedLong(entries) * type.entrySize();
        return bytes > Integer.MAX_VALUE ? "ENOMEM" : null;
    }

    public RingType type() {
        return type;
    }

    /** Entries in the ring: a power of two. */
    public int size() {
        return size;
    }

    /** The producing end; one thread's at a time. */
    public Producer producer() {
        return producer;
    }

    /** The consuming end; one thread's at a time. */
    public Consumer consumer() {
        return consumer;
    }

    /** The shared producer index now (an acquire load), as a tool shows it. */
    public int producerIndex() {
        return (int) INT.getAcquire(mem, PRODUCER_OFFSET);
    }

    /** The shared consumer index now (an acquire load). */
    public int consumerIndex() {
        return (int) INT.getAcquire(mem, CONSUMER_OFFSET);
    }

    /** Entries published and not yet released by the consumer, read from the shared indices now. */
    public int filled() {
        int cons = consumerIndex();
        return producerIndex() - cons;
    }

    /** The flags word (XDP_RING_NEED_WAKEUP). */
    public int flags() {
        return (int) INT.getAcquire(mem, FLAGS_OFFSET);
    }

    void flags(int flags) {
        INT.setRelease(mem, FLAGS_OFFSET, flags);
    }

    /** Entries the consumer found invalid and dropped (the kernel's {@code invalid_descs} of this ring). */
    public long invalidDescs() {
        return (long) INVALID.getOpaque(consumer.e);
    }

    /** Times the consumer wanted an entry and the ring was empty (the kernel's {@code queue_empty_descs}). */
    public long emptyDescs() {
        return (long) EMPTY.getOpaque(consumer.e);
    }

    private int slot(int idx) {
        return DESC_OFFSET + (idx & mask) * type.entrySize();
    }

    private void requireDesc() {
        if (type.entrySize() != DESC_SIZE) {
            throw new IllegalStateException(type + " ring carries addresses, not descriptors");
        }
    }

    private void requireAddr() {
        if (type.entrySize() != ADDR_SIZE) {
            throw new IllegalStateException(type + " ring carries descriptors, not addresses");
        }
    }

    /**
     * The producing end, libxdp's {@code struct xsk_ring_prod}: {@link #reserve}, write the reserved
     * entries ({@link #addr}, {@link #desc}), {@link #submit}.
     */
    public final class Producer {
        private final End e = new End();

        private Producer() {
            e.cachedCons = size; // the consumer index (0) plus the size: all slots free
        }

        /**
         * Free slots, at least {@code nb} if there are (libxdp's {@code xsk_prod_nb_free}): the
         * cached count, refreshed from the shared consumer index (acquire) only when it falls short.
         */
        public int free(int nb) {
            int free = e.cachedCons - e.cachedProd;
            if (Integer.compareUnsigned(free, nb) >= 0) {
                return free;
            }
            e.cachedCons = (int) INT.getAcquire(mem, CONSUMER_OFFSET) + size;
            return e.cachedCons - e.cachedProd;
        }

        /**
         * Reserves {@code nb} slots, all or none ({@code xsk_ring_prod__reserve}).
         *
         * @return {@code nb}, with the first slot's index in {@link #index()}; 0 when fewer are free
         */
        public int reserve(int nb) {
            if (nb <= 0 || Integer.compareUnsigned(free(nb), nb) < 0) {
                return 0;
            }
            e.idx = e.cachedProd;
            e.cachedProd += nb;
            return nb;
        }

        /** The first index of the last successful {@link #reserve}. */
        public int index() {
            return e.idx;
        }

        /** Writes an address entry (FILL, COMPLETION) at a reserved index. */
        public void addr(int idx, long addr) {
            requireAddr();
            mem.putLong(slot(idx), addr);
        }

        /** Writes a descriptor (RX, TX) at a reserved index. */
        public void desc(int idx, long addr, int len, int options) {
            requireDesc();
            int at = slot(idx);
            mem.putLong(at, addr);
            mem.putInt(at + 8, len);
            mem.putInt(at + 12, options);
        }

        /**
         * Publishes the next {@code nb} reserved entries ({@code xsk_ring_prod__submit}): a release
         * store of the producer index, after the entries' writes.
         */
        public void submit(int nb) {
            int prod = (int) INT.get(mem, PRODUCER_OFFSET); // only this end writes it
            INT.setRelease(mem, PRODUCER_OFFSET, prod + nb);
        }

        /**
         * Whether the other end asked to be woken after entries were submitted
         * ({@code xsk_ring_prod__needs_wakeup}: XDP_RING_NEED_WAKEUP in the flags word). A full
         * fence first, once per submitted batch: the entries' publication before the flag's read,
         * the pair of the device's flag store before its last look at the ring, so that a device
         * going to sleep never misses the entries that should wake it.
         */
        public boolean needsWakeup() {
            VarHandle.fullFence();
            return (flags() & NEED_WAKEUP) != 0;
        }

        /** Gives back the last {@code nb} reserved and unsubmitted slots (libxdp's {@code xsk_ring_prod__cancel}). */
        public void cancel(int nb) {
            e.cachedProd -= nb;
        }
    }

    /**
     * The consuming end, libxdp's {@code struct xsk_ring_cons}: {@link #peek}, read the entries,
     * {@link #release}.
     */
    public final class Consumer {
        private final End e = new End();

        private Consumer() {
        }

        /**
         * Entries ready, at most {@code nb} ({@code xsk_cons_nb_avail}): the cached count, refreshed
         * from the shared producer index (acquire) only when it is 0.
         */
        public int available(int nb) {
            int entries = e.cachedProd - e.cachedCons;
            if (entries == 0) {
                e.cachedProd = (int) INT.getAcquire(mem, PRODUCER_OFFSET);
                entries = e.cachedProd - e.cachedCons;
            }
            return Integer.compareUnsigned(entries, nb) > 0 ? nb : entries;
        }

        /**
         * Takes up to {@code nb} entries to read ({@code xsk_ring_cons__peek}).
         *
         * @return how many, with the first one's index in {@link #index()}; 0 when the ring is empty
         */
        public int peek(int nb) {
            if (nb <= 0) {
                return 0;
            }
            int entries = available(nb);
            if (entries > 0) {
                e.idx = e.cachedCons;
                e.cachedCons += entries;
            }
            return entries;
        }

        /** The first index of the last {@link #peek} that found entries. */
        public int index() {
            return e.idx;
        }

        /** Puts the last {@code nb} peeked entries back ({@code xsk_ring_cons__cancel}). */
        public void cancel(int nb) {
            e.cachedCons -= nb;
        }

        /**
         * Hands {@code nb} read entries' slots back to the producer ({@code xsk_ring_cons__release}):
         * a release store of the consumer index, after the entries' reads.
         */
        public void release(int nb) {
            int cons = (int) INT.get(mem, CONSUMER_OFFSET); // only this end writes it
            INT.setRelease(mem, CONSUMER_OFFSET, cons + nb);
        }

        /** The address at a peeked index (FILL, COMPLETION). */
        public long addr(int idx) {
            requireAddr();
            return mem.getLong(slot(idx));
        }

        /** The descriptor's address at a peeked index (RX, TX). */
        public long descAddr(int idx) {
            requireDesc();
            return mem.getLong(slot(idx));
        }

        /** The descriptor's length at a peeked index. */
        public int descLen(int idx) {
            requireDesc();
            return mem.getInt(slot(idx) + 8);
        }

        /** The descriptor's options at a peeked index (XDP_PKT_CONTD, XDP_TX_METADATA). */
        public int descOptions(int idx) {
            requireDesc();
            return mem.getInt(slot(idx) + 12);
        }
    }

    @Override
    public String toString() {
        return type + " ring of " + size + " (producer " + Integer.toUnsignedString(producerIndex()) + ", consumer "
                + Integer.toUnsignedString(consumerIndex()) + ")";
    }
}
