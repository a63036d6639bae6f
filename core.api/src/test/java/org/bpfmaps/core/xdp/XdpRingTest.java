package org.bpfmaps.core.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The rings as libxdp's xsk.h uses them: all-or-nothing reserve, peek of what is there, indices
 * that wrap over u32, and two threads moving descriptors with none lost, duplicated, reordered or
 * seen before it was written.
 *
 * <p>{@code -Dbpfmaps.stress.ops=N} sets the descriptors the two-thread tests move (default ten
 * million for the bulk test, a tenth of it for the small-ring order test). Each thread stops by
 * itself after its count, or fails after a minute without progress: no sleeps, bounded loops.
 */
class XdpRingTest {
    private static final long OPS = Long.getLong("bpfmaps.stress.ops", 10_000_000L);
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @Test
    void sizesFollowXskInitQueue() {
        // net/xdp/xsk.c xsk_init_queue: entries == 0 || !is_power_of_2(entries) -> EINVAL
        assertEquals("EINVAL", XdpRing.check(RingType.RX, 0));
        assertEquals("EINVAL", XdpRing.check(RingType.RX, 3));
        assertEquals("EINVAL", XdpRing.check(RingType.RX, -1));
        assertNull(XdpRing.check(RingType.RX, 1), "1 is a power of two");
        assertNull(XdpRing.check(RingType.FILL, 1 << 20));
        // xskq_create cannot allocate it: ENOMEM (here over 2 GiB)
        assertEquals("ENOMEM", XdpRing.check(RingType.RX, 1 << 30));
        assertEquals("ENOMEM", XdpRing.check(RingType.FILL, Integer.MIN_VALUE), "2^31 as the kernel's u32");
    }

    @Test
    void reserveIsAllOrNothingAndPeekTakesWhatIsThere() {
        XdpRing r = new XdpRing(RingType.FILL, 4);
        XdpRing.Producer p = r.producer();
        XdpRing.Consumer c = r.consumer();
        assertEquals(0, c.peek(4), "empty");
        assertEquals(0, p.reserve(5), "more than the ring");
        assertEquals(3, p.reserve(3));
        assertEquals(0, p.index());
        for (int i = 0; i < 3; i++) {
            p.addr(p.index() + i, 4096L * i);
        }
        assertEquals(0, c.peek(4), "reserved is not published");
        p.submit(3);
        assertEquals(3, r.filled());
        assertEquals(0, p.reserve(2), "one slot left");
        assertEquals(2, c.peek(2));
        assertEquals(0, c.addr(c.index()));
        assertEquals(4096, c.addr(c.index() + 1));
        c.release(2);
        assertEquals(2, p.reserve(2), "released slots are free again");
        assertEquals(3, p.index());
        assertThrows(IllegalStateException.class, () -> p.desc(0, 0, 0, 0), "FILL carries addresses");
    }

    @Test
    void indicesRunOnWhileSlotsAreReused() {
        XdpRing r = new XdpRing(RingType.TX, 2);
        XdpRing.Producer p = r.producer();
        XdpRing.Consumer c = r.consumer();
        for (long n = 0; n < 10; n++) {
            assertEquals(1, p.reserve(1));
            p.desc(p.index(), n, (int) n, 0);
            p.submit(1);
            assertEquals(1, c.peek(2));
            assertEquals(n, c.descAddr(c.index()));
            c.release(1);
        }
        assertEquals(10, r.producerIndex());
        assertEquals(0, r.filled());
    }

    /** The entry a producer writes for sequence number {@code seq}: every field derived from it. */
    private static long addrOf(long seq) {
        return seq * 0x9E3779B97F4A7C15L;
    }

    private static int lenOf(long seq) {
        return (int) (seq ^ (seq >>> 29));
    }

    private static int optionsOf(long seq) {
        return (int) (seq * 31 + 7);
    }

    /** Null when the entry at {@code idx} is the {@code seq}-th the producer wrote, or what it is. */
    private static String verify(XdpRing.Consumer c, int idx, long seq) {
        long a = c.descAddr(idx);
        int l = c.descLen(idx);
        int o = c.descOptions(idx);
        if (a != addrOf(seq) || l != lenOf(seq) || o != optionsOf(seq)) {
            return "entry " + seq + " read as (" + a + ", " + l + ", " + o
                    + "): lost, duplicated, reordered or read before it was written";
        }
        return null;
    }

    /**
     * Moves {@code total} descriptors through a ring of {@code size} in batches of at most
     * {@code batch}; the consumer checks that entry i is the producer's i-th, all three fields.
     *
     * @return null, or what went wrong
     */
    private static String run(int size, int batch, long total) throws InterruptedException {
        XdpRing r = new XdpRing(RingType.TX, size);
        AtomicReference<String> failure = new AtomicReference<>();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        Thread producer = new Thread(() -> {
            XdpRing.Producer p = r.producer();
            long seq = 0;
            while (seq < total && failure.get() == null) {
                int n = (int) Math.min(batch, total - seq);
                int got = p.reserve(n);
                if (got == 0) {
                    got = p.reserve(1);
                }
                if (got == 0) {
                    if (System.nanoTime() > deadline) {
                        failure.compareAndSet(null, "producer stuck at " + seq);
                    }
                    Thread.onSpinWait();
                    continue;
                }
                int idx = p.index();
                for (int i = 0; i < got; i++) {
                    long s = seq + i;
                    p.desc(idx + i, addrOf(s), lenOf(s), optionsOf(s));
                }
                p.submit(got);
                seq += got;
            }
        }, "ring-producer");
        Thread consumer = new Thread(() -> {
            XdpRing.Consumer c = r.consumer();
            long seq = 0;
            while (seq < total && failure.get() == null) {
                int got = c.peek(batch);
                if (got == 0) {
                    if (System.nanoTime() > deadline) {
                        failure.compareAndSet(null, "consumer stuck at " + seq);
                    }
                    Thread.onSpinWait();
                    continue;
                }
                int idx = c.index();
                for (int i = 0; i < got; i++) {
                    long s = seq + i;
                    String bad = verify(c, idx + i, s);
                    if (bad != null) {
                        failure.compareAndSet(null, bad);
                        return;
                    }
                }
                c.release(got);
                seq += got;
            }
        }, "ring-consumer");
        producer.start();
        consumer.start();
        producer.join();
        consumer.join();
        if (failure.get() == null && r.filled() != 0) {
            return r.filled() + " entries left in the ring";
        }
        return failure.get();
    }

    @Test
    void twoThreadsMoveTenMillionDescriptorsInOrder() throws InterruptedException {
        assertNull(run(2048, 64, OPS));
    }

    /**
     * The publication order: on a ring of 4 the producer overwrites every slot again every four
     * entries, so a consumer that could see a producer index before the entries it covers (a
     * missing release or acquire, or a JIT moving the stores) reads an older entry, and a producer
     * that could see a consumer index before the consumer's reads are done overwrites an entry
     * being read: both show as an entry whose fields are not the i-th's. It can fail only when
     * the ordering is broken; on x86-64 (TSO) the hardware keeps stores in order, so what it
     * catches there is the compiler's reordering; on a weaker CPU (arm64) the hardware's too.
     * {@link #theCheckSeesAnEntryPublishedBeforeItIsWritten} shows the check catches such an entry.
     */
    @Test
    void consumerNeverSeesASlotBeforeItsContents() throws InterruptedException {
        assertNull(run(4, 3, Math.max(1, OPS / 10)));
    }

    @Test
    void theCheckSeesAnEntryPublishedBeforeItIsWritten() {
        XdpRing r = new XdpRing(RingType.TX, 4);
        XdpRing.Producer p = r.producer();
        XdpRing.Consumer c = r.consumer();
        for (long seq = 0; seq < 4; seq++) { // a lap written right, so that the slot holds an older entry
            p.reserve(1);
            p.desc(p.index(), addrOf(seq), lenOf(seq), optionsOf(seq));
            p.submit(1);
            c.peek(1);
            assertNull(verify(c, c.index(), seq));
            c.release(1);
        }
        p.reserve(1);
        p.submit(1); // entry 4 published before it is written: the misordering the test above looks for
        assertEquals(1, c.peek(1));
        String bad = verify(c, c.index(), 4);
        if (bad == null) {
            fail("an entry read before its write passed the check");
        }
    }
}
