package org.bpfmaps.map.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.impl.ProgMapAccess;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** QUEUE, STACK and BLOOM_FILTER through bpf_map_push_elem / pop / peek. */
class QueueProgOpsTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf;

    QueueProgOpsTest() {
        runtime.addProvider(new QueueProvider());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private ProgMapAccess create(MapType t, int maxEntries, int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(t, 0, 8, maxEntries).flags(flags));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return ProgMapAccess.forFd(bpf, fd);
    }

    private static ByteBuffer v(long x) {
        return ByteBuffer.allocate(8).putLong(0, x);
    }

    private static long pop(ProgMapAccess p, boolean peek) {
        ByteBuffer out = ByteBuffer.allocate(8);
        int r = peek ? p.peekElem(out) : p.popElem(out);
        return r == 0 ? out.getLong(0) : r;
    }

    @Test
    void aQueueIsFifoAndAStackLifoWithBpfExistMakingRoom() {
        ProgMapAccess q = create(MapType.QUEUE, 2, 0);
        ProgMapAccess s = create(MapType.STACK, 2, 0);
        for (ProgMapAccess p : new ProgMapAccess[] {q, s}) {
            assertEquals(0, p.pushElem(v(1), BpfFlags.ANY));
            assertEquals(0, p.pushElem(v(2), BpfFlags.ANY));
            assertEquals(Errno.E2BIG.ret(), p.pushElem(v(3), BpfFlags.ANY), "full");
            assertEquals(Errno.EINVAL.ret(), p.pushElem(v(3), BpfFlags.NOEXIST));
            assertEquals(0, p.pushElem(v(3), BpfFlags.EXIST), "the oldest makes room");
        }
        assertEquals(2, pop(q, true));
        assertEquals(2, pop(q, false));
        assertEquals(3, pop(q, false));
        assertEquals(Errno.ENOENT.ret(), pop(q, false), "empty");
        assertEquals(3, pop(s, true));
        assertEquals(3, pop(s, false));
        assertEquals(2, pop(s, false));
        assertEquals(Errno.ENOENT.ret(), pop(s, true));
        ByteBuffer out = ByteBuffer.allocate(8);
        assertEquals(Errno.EINVAL.ret(), q.lookupElem(null, out), "the verifier allows only push, pop, peek");
        assertEquals(Errno.EINVAL.ret(), q.updateElem(null, out, 0));
        assertEquals(Errno.EINVAL.ret(), q.deleteElem(null));
    }

    @Test
    void aBloomFilterTakesPushAndPeekOnly() {
        ProgMapAccess b = create(MapType.BLOOM_FILTER, 64, BpfFlags.F_ZERO_SEED);
        assertEquals(Errno.ENOENT.ret(), b.peekElem(v(42)));
        assertEquals(Errno.EINVAL.ret(), b.pushElem(v(42), BpfFlags.EXIST), "BPF_ANY only");
        assertEquals(0, b.pushElem(v(42), BpfFlags.ANY));
        assertEquals(0, b.peekElem(v(42)), "maybe present");
        assertEquals(Errno.EINVAL.ret(), b.popElem(ByteBuffer.allocate(8)), "no pop on a bloom filter");
    }

    @Test
    void rdonlyProgRefusesPushAndPopButNotPeekAndFreezingDoesNotStopPrograms() {
        ProgMapAccess ro = create(MapType.QUEUE, 4, BpfFlags.F_RDONLY_PROG);
        assertEquals(Errno.EACCES.ret(), ro.pushElem(v(1), 0));
        assertEquals(Errno.EACCES.ret(), ro.popElem(ByteBuffer.allocate(8)));
        assertEquals(Errno.ENOENT.ret(), ro.peekElem(ByteBuffer.allocate(8)));

        // BPF_F_WRONLY_PROG: pop and peek copy into the program's stack, which the verifier allows
        ProgMapAccess wo = create(MapType.QUEUE, 4, BpfFlags.F_WRONLY_PROG);
        assertEquals(0, wo.pushElem(v(5), 0));
        assertEquals(5, pop(wo, true));

        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.QUEUE, 0, 8, 4));
        assertEquals(0, bpf.bpf(BpfCmd.MAP_FREEZE, new MapElemAttr().set(fd, null, null, 0)));
        assertEquals(Errno.EPERM.ret(), bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, null, v(1), 0)));
        ProgMapAccess frozen = ProgMapAccess.forFd(bpf, fd);
        assertEquals(0, frozen.pushElem(v(7), 0));
        assertEquals(7, pop(frozen, false));
    }
}
