package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.impl.ProgMapAccess;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** LPM_TRIE through the map helpers a program calls: trie_lookup_elem, trie_update_elem, trie_delete_elem. */
class LpmProgOpsTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf;

    LpmProgOpsTest() {
        runtime.addProvider(new LpmProvider());
        bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private static ByteBuffer key(int prefixlen, int a, int b, int c, int d) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(0, prefixlen)
                .put(4, (byte) a).put(5, (byte) b).put(6, (byte) c).put(7, (byte) d);
    }

    @Test
    void aProgramFindsTheLongestPrefixAndWritesWithTheTypesOwnFlagChecks() {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.LPM_TRIE, 8, 4, 16)
                .flags(BpfFlags.F_NO_PREALLOC));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        ProgMapAccess p = ProgMapAccess.forFd(bpf, fd);
        ByteBuffer v8 = ByteBuffer.allocate(4).putInt(0, 8);
        ByteBuffer v24 = ByteBuffer.allocate(4).putInt(0, 24);
        assertEquals(0, p.updateElem(key(8, 10, 0, 0, 0), v8, BpfFlags.NOEXIST));
        assertEquals(0, p.updateElem(key(24, 10, 1, 2, 0), v24, BpfFlags.ANY));
        ByteBuffer out = ByteBuffer.allocate(4);
        assertEquals(0, p.lookupElem(key(32, 10, 1, 2, 3), out));
        assertArrayEquals(v24.array(), out.array());
        assertEquals(0, p.lookupElem(key(32, 10, 9, 9, 9), out));
        assertArrayEquals(v8.array(), out.array());
        assertEquals(Errno.ENOENT.ret(), p.lookupElem(key(32, 11, 0, 0, 0), out));
        assertEquals(Errno.EINVAL.ret(), p.updateElem(key(33, 10, 0, 0, 0), v8, 3), "flags before prefixlen");
        assertEquals(Errno.EINVAL.ret(), p.updateElem(key(8, 10, 0, 0, 0), v8, BpfFlags.F_LOCK));
        assertEquals(Errno.EINVAL.ret(), p.updateElem(key(33, 10, 0, 0, 0), v8, 0), "prefixlen above 32");
        assertEquals(Errno.EEXIST.ret(), p.updateElem(key(8, 10, 0, 0, 0), v8, BpfFlags.NOEXIST));
        assertEquals(0, p.deleteElem(key(24, 10, 1, 2, 0)));
        assertEquals(0, p.lookupElem(key(32, 10, 1, 2, 3), out));
        assertArrayEquals(v8.array(), out.array(), "the /8 covers it now");
        assertEquals(Errno.EINVAL.ret(), p.peekElem(out), "the verifier allows no peek on a trie");
    }
}
