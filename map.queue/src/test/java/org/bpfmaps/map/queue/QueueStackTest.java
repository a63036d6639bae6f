package org.bpfmaps.map.queue;

import static org.bpfmaps.map.queue.QueueFixture.EMPTY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Push, peek and pop order, the ring's wrap-around, and BPF_EXIST on a full map, through bpf(). */
class QueueStackTest {
    private final QueueFixture f = new QueueFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void queueIsFirstInFirstOut() {
        int fd = f.create(MapType.QUEUE, 4);
        for (long v = 1; v <= 4; v++) {
            assertEquals(0, f.push(fd, v, BpfFlags.ANY));
        }
        assertEquals(1, f.peek(fd));
        for (long v = 1; v <= 4; v++) {
            assertEquals(v, f.pop(fd));
        }
        assertEquals(EMPTY, f.pop(fd));
        assertEquals(EMPTY, f.peek(fd));
    }

    @Test
    void stackIsLastInFirstOut() {
        int fd = f.create(MapType.STACK, 4);
        for (long v = 1; v <= 3; v++) {
            f.push(fd, v, BpfFlags.ANY);
        }
        assertEquals(3, f.peek(fd));
        assertEquals(3, f.pop(fd));
        f.push(fd, 9, BpfFlags.ANY);
        assertEquals(9, f.pop(fd));
        assertEquals(2, f.pop(fd));
        assertEquals(1, f.pop(fd));
        assertEquals(EMPTY, f.pop(fd));
    }

    @Test
    void queueWrapsAroundItsRingManyTimesWithoutLosingOrder() {
        int fd = f.create(MapType.QUEUE, 5);
        long next = 0;
        long expected = 0;
        // pushes and pops in uneven batches: head and tail cross the ring's end at every phase
        for (int round = 0; round < 200; round++) {
            int pushes = 1 + round % 5;
            int pops = 1 + (round * 7) % 5;
            for (int i = 0; i < pushes; i++) {
                int r = f.push(fd, next, BpfFlags.ANY);
                if (r == Errno.E2BIG.ret()) {
                    break;
                }
                assertEquals(0, r);
                next++;
            }
            for (int i = 0; i < pops; i++) {
                long v = f.pop(fd);
                if (v == EMPTY) {
                    assertEquals(expected, next, "empty only when every pushed value was popped");
                    break;
                }
                assertEquals(expected++, v);
            }
        }
        assertTrue(next > 400);
    }

    @Test
    void fullQueueRefusesAnyAndReplacesTheOldestWithExist() {
        int fd = f.create(MapType.QUEUE, 3);
        for (long v = 1; v <= 3; v++) {
            f.push(fd, v, BpfFlags.ANY);
        }
        MapElemAttr any = new MapElemAttr().set(fd, null, QueueFixture.u64(4), BpfFlags.ANY);
        assertEquals(Errno.E2BIG.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, any));
        assertTrue(any.errorMessage().contains("max_entries 3"), any.errorMessage());
        assertEquals(0, f.push(fd, 4, BpfFlags.EXIST));
        assertEquals(0, f.push(fd, 5, BpfFlags.EXIST));
        assertEquals(3, f.pop(fd));
        assertEquals(4, f.pop(fd));
        assertEquals(5, f.pop(fd));
        assertEquals(EMPTY, f.pop(fd));
    }

    @Test
    void fullStackWithExistDropsItsBottom() {
        int fd = f.create(MapType.STACK, 3);
        for (long v = 1; v <= 5; v++) {
            assertEquals(0, f.push(fd, v, BpfFlags.EXIST));
        }
        assertEquals(5, f.pop(fd));
        assertEquals(4, f.pop(fd));
        assertEquals(3, f.pop(fd));
        assertEquals(EMPTY, f.pop(fd));
    }

    @Test
    void noexistIsInvalidAndChangesNothing() {
        int fd = f.create(MapType.QUEUE, 2);
        f.push(fd, 1, BpfFlags.ANY);
        MapElemAttr a = new MapElemAttr().set(fd, null, QueueFixture.u64(2), BpfFlags.NOEXIST);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a));
        assertTrue(a.errorMessage().contains("BPF_NOEXIST"), a.errorMessage());
        assertEquals(1, f.pop(fd));
        assertEquals(EMPTY, f.pop(fd));
    }

    @Test
    void keysDoNotExist() {
        int fd = f.create(MapType.STACK, 2);
        f.push(fd, 1, BpfFlags.ANY);
        MapElemAttr del = new MapElemAttr().set(fd, null, null, 0);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, del));
        assertTrue(del.errorMessage().contains("no keys"), del.errorMessage());
        MapElemAttr next = new MapElemAttr().set(fd, null, null, 0);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, next));
        MapElemAttr keyed = new MapElemAttr().set(fd, ByteBuffer.allocate(4), ByteBuffer.allocate(8), 0);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, keyed));
        assertEquals(1, f.pop(fd), "nothing was removed");
    }

    @Test
    void peekIntoAReadOnlyBufferIsEfaultAndPopIntoOneKeepsTheElement() {
        int fd = f.create(MapType.QUEUE, 2);
        f.push(fd, 7, BpfFlags.ANY);
        ByteBuffer ro = ByteBuffer.allocate(8).asReadOnlyBuffer();
        assertEquals(Errno.EFAULT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, null, ro, 0)));
        assertEquals(Errno.EFAULT.ret(),
                f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, null, ro, 0)));
        // the kernel would have popped the element before failing to copy it out; here it stays
        assertEquals(7, f.pop(fd));
    }
}
