package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.UpdateFlag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The element commands' corners beyond the corpus: update flags against stored prefixes and
 * intermediate nodes, a full trie, intermediate nodes never counted, create checks with their
 * messages, and bad input (a prefixlen above the maximum, a key of the wrong size) that names the
 * limit and leaves the trie as it was.
 */
class LpmElemTest {
    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void updateFlagsOnStoredAndMissingPrefixes() {
        int fd = f.create(4, 8, 16);
        ByteBuffer k = LpmFixture.key("10.0.0.0", 8);
        assertEquals(Errno.ENOENT.ret(), f.update(fd, k, LpmFixture.u64(1), BpfFlags.EXIST));
        assertTrue(f.lastError.contains("BPF_EXIST"), f.lastError);
        assertEquals(0, f.update(fd, k, LpmFixture.u64(1), BpfFlags.NOEXIST));
        assertEquals(Errno.EEXIST.ret(), f.update(fd, k, LpmFixture.u64(2), BpfFlags.NOEXIST));
        // other bits past the prefix: the same prefix
        assertEquals(Errno.EEXIST.ret(), f.update(fd, LpmFixture.key("10.9.9.9", 8), LpmFixture.u64(2),
                BpfFlags.NOEXIST));
        assertEquals(0, f.update(fd, LpmFixture.key("10.9.9.9", 8), LpmFixture.u64(3), BpfFlags.EXIST));
        assertEquals(3, f.lookupLong(fd, LpmFixture.key("10.1.2.3", 32)));
        assertEquals(Errno.EINVAL.ret(), f.update(fd, k, LpmFixture.u64(4), 3));
        assertEquals(List.of("8:0a090909"), f.keys(fd, 8), "the replacing key's data, as given");
    }

    @Test
    void memlockIsTheKernelsFigureForThePrefixesHeld() {
        // bpftool on 6.18, key 8 value 8: memlock 0B empty, 36B a prefix (24-byte node, 4 data, 8 value)
        int fd = f.create(4, 8, 100);
        assertEquals(0, f.bpf.fdinfo(fd).memlock());
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.0.1", 32), 1));
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.0.2", 32), 2));
        assertEquals(72, f.bpf.fdinfo(fd).memlock(), "intermediate nodes are not counted");
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, LpmFixture.key("10.0.0.1", 32),
                null, 0)));
        assertEquals(36, f.bpf.fdinfo(fd).memlock());
    }

    @Test
    void intermediateNodeIsNotAKeyForFlagsAndBecomesOneOnInsert() {
        int fd = f.create(4, 8, 16);
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.0.0", 24), 1));
        assertEquals(0, f.update(fd, LpmFixture.key("192.168.1.0", 24), 2));
        // 192.168.0.0/23 is now an intermediate node: EXIST finds nothing there
        ByteBuffer im = LpmFixture.key("192.168.0.0", 23);
        assertEquals(Errno.ENOENT.ret(), f.update(fd, im, LpmFixture.u64(3), BpfFlags.EXIST));
        assertEquals(0, f.update(fd, im, LpmFixture.u64(3), BpfFlags.NOEXIST));
        assertEquals(3, f.lookupLong(fd, LpmFixture.key("192.168.0.7", 23)));
        assertEquals(List.of("24:c0a80000", "24:c0a80100", "23:c0a80000"), f.keys(fd, 8));
        // deleting a node with two children leaves an intermediate node: the walk skips it
        assertEquals(0, f.delete(fd, im));
        assertEquals(List.of("24:c0a80000", "24:c0a80100"), f.keys(fd, 8));
        assertEquals(-1, f.lookupLong(fd, LpmFixture.key("192.168.0.7", 23)));
    }

    @Test
    void fullTrieRefusesNewPrefixesButReplacesAndIntermediateNodesDoNotCount() {
        int fd = f.create(4, 8, 3);
        // three leaves that need two intermediate nodes between them: still 3 entries
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.0.0", 24), 1));
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.1.0", 24), 2));
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.2.0", 24), 3));
        assertEquals(Errno.ENOSPC.ret(), f.update(fd, LpmFixture.key("10.0.3.0", 24), 4));
        assertTrue(f.lastError.contains("max_entries (3)"), f.lastError);
        // an intermediate node's prefix is new too
        assertEquals(Errno.ENOSPC.ret(), f.update(fd, LpmFixture.key("10.0.0.0", 23), 4));
        // EXIST before room, as trie_check_add_elem
        assertEquals(Errno.ENOENT.ret(), f.update(fd, LpmFixture.key("10.0.3.0", 24), LpmFixture.u64(4),
                BpfFlags.EXIST));
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.1.0", 24), 22));
        assertEquals(22, f.lookupLong(fd, LpmFixture.key("10.0.1.1", 32)));
        assertEquals(0, f.delete(fd, LpmFixture.key("10.0.0.0", 24)));
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.3.0", 24), 4));
        assertEquals(List.of("24:0a000100", "24:0a000200", "24:0a000300"), f.keys(fd, 8));
    }

    @Test
    void batchesWorkAndLookupAndDeleteIsNotSupported() {
        int fd = f.create(4, 8, 16);
        ByteBuffer keys = ByteBuffer.allocate(3 * 8).order(ByteOrder.nativeOrder());
        ByteBuffer values = ByteBuffer.allocate(3 * 8).order(ByteOrder.nativeOrder());
        keys.put(0, LpmFixture.key("10.0.0.0", 8), 0, 8).put(8, LpmFixture.key("10.1.0.0", 16), 0, 8)
                .put(16, LpmFixture.key("10.1.2.0", 24), 0, 8);
        values.putLong(0, 1).putLong(8, 2).putLong(16, 3);
        MapBatchAttr up = new MapBatchAttr();
        up.mapFd = fd;
        up.keys = keys;
        up.values = values;
        up.count = 3;
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_UPDATE_BATCH, up));
        assertEquals(3, up.count);
        assertEquals(2, f.lookupLong(fd, LpmFixture.key("10.1.9.9", 32)));

        MapBatchAttr look = new MapBatchAttr();
        look.mapFd = fd;
        look.keys = ByteBuffer.allocate(4 * 8);
        look.values = ByteBuffer.allocate(4 * 8).order(ByteOrder.nativeOrder());
        look.outBatch = ByteBuffer.allocate(8);
        look.count = 4;
        assertEquals(Errno.ENOENT.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_BATCH, look), "the whole trie in one page");
        assertEquals(3, look.count);
        // postorder, each with its own value (the lookup of a stored key finds that key)
        assertEquals(3, look.values.getLong(0));
        assertEquals(2, look.values.getLong(8));
        assertEquals(1, look.values.getLong(16));

        MapElemAttr lad = new MapElemAttr().set(fd, LpmFixture.key("10.0.0.0", 8), ByteBuffer.allocate(8), 0);
        assertEquals(Errno.ENOTSUPP.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, lad));
        MapBatchAttr ladb = new MapBatchAttr();
        ladb.mapFd = fd;
        ladb.keys = ByteBuffer.allocate(32);
        ladb.values = ByteBuffer.allocate(32);
        ladb.count = 4;
        assertEquals(Errno.ENOTSUPP.ret(), f.bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH, ladb));

        MapBatchAttr del = new MapBatchAttr();
        del.mapFd = fd;
        del.keys = keys;
        del.count = 2;
        assertEquals(0, f.bpf.bpf(BpfCmd.MAP_DELETE_BATCH, del));
        assertEquals(List.of("24:0a010200"), f.keys(fd, 8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "8|4|16|0|map_flags 0x0: an LPM trie needs BPF_F_NO_PREALLOC",
        "4|4|16|1|key_size 4",
        "261|4|16|1|key_size 261",
        "8|0|16|1|value_size 0",
        "8|4194025|16|1|value_size 4194025",
        "8|4|0|1|max_entries 0",
        "8|4|16|1025|map_flags 0x401"})
    void createChecksAreEinvalAndNameTheLimit(int keySize, int valueSize, int maxEntries, int flags, String why) {
        MapCreateAttr a = new MapCreateAttr(MapType.LPM_TRIE, keySize, valueSize, maxEntries).flags(flags);
        assertEquals(Errno.EINVAL.ret(), f.bpf.bpf(BpfCmd.MAP_CREATE, a));
        assertTrue(a.errorMessage().contains(why), a.errorMessage());
    }

    @Test
    void largestKeyAndValueAreAccepted() {
        // key_size 260 (2048-bit prefixes) and the largest value LPM_VAL_SIZE_MAX allows
        int fd = f.create(256, 8, 4);
        byte[] data = new byte[256];
        data[255] = 1;
        assertEquals(0, f.update(fd, LpmFixture.key(2048, data), 7));
        assertEquals(0, f.update(fd, LpmFixture.key(2047, data), 6));
        assertEquals(7, f.lookupLong(fd, LpmFixture.key(2048, data)));
        data[255] = 0;
        assertEquals(6, f.lookupLong(fd, LpmFixture.key(2048, data)));
        // bpftool on 6.18: value 4194024 is made, 4194025 is EINVAL (4 MiB - 256 - a 24-byte node)
        assertEquals(4194024, LpmProvider.VALUE_SIZE_MAX);
        MapCreateAttr big = new MapCreateAttr(MapType.LPM_TRIE, 8, (int) LpmProvider.VALUE_SIZE_MAX, 1)
                .flags(BpfFlags.F_NO_PREALLOC);
        int bigFd = f.bpf.bpf(BpfCmd.MAP_CREATE, big);
        assertTrue(bigFd >= 0, big::errorMessage);
    }

    // ---- bad input ----

    @Test
    void prefixlenAboveTheMaximumNamesItAndChangesNothing() {
        int fd = f.create(4, 8, 16);
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.0.0", 8), 1));
        List<String> before = f.keys(fd, 8);
        for (int bad : new int[] {33, 255, -1}) {
            ByteBuffer k = LpmFixture.key(bad, LpmFixture.addr("10.0.0.0"));
            assertEquals(Errno.EINVAL.ret(), f.update(fd, k, 2));
            assertTrue(f.lastError.contains("max_prefixlen 32"), f.lastError);
            assertEquals(Errno.EINVAL.ret(), f.delete(fd, k));
            assertTrue(f.lastError.contains("max_prefixlen 32"), f.lastError);
            assertNull(f.lookup(fd, k, 8), "a prefixlen above the maximum matches nothing");
            assertTrue(f.lastError.contains("max_prefixlen 32"), f.lastError);
            assertNotNull(f.nextKey(fd, k, 8), "it restarts the walk");
        }
        assertEquals(before, f.keys(fd, 8));
        assertEquals(1, f.lookupLong(fd, LpmFixture.key("10.1.1.1", 32)));
    }

    @Test
    void keyOfTheWrongSizeNamesTheSizeAndChangesNothing() {
        int fd = f.create(4, 8, 16);
        assertEquals(0, f.update(fd, LpmFixture.key("10.0.0.0", 8), 1));
        // a key missing its data bytes cannot be read: EFAULT names key_size
        ByteBuffer shortKey = ByteBuffer.allocate(6).order(ByteOrder.nativeOrder()).putInt(0, 8);
        assertEquals(Errno.EFAULT.ret(), f.update(fd, shortKey, 2));
        assertTrue(f.lastError.contains("key_size (8)"), f.lastError);
        assertEquals(Errno.EFAULT.ret(), f.delete(fd, shortKey));
        assertEquals(List.of("8:0a000000"), f.keys(fd, 8));

        try (BpfMap map = BpfMap.create(f.bpf, MapSpec.of(MapType.LPM_TRIE, 8, 8, 16)
                .withFlags(BpfFlags.F_NO_PREALLOC))) {
            BpfException e = assertThrows(BpfException.class,
                    () -> map.update(new byte[20], new byte[8], UpdateFlag.ANY));
            assertTrue(e.getMessage().contains("8"), e.getMessage());
            byte[] tooLong = new byte[8];
            ByteBuffer.wrap(tooLong).order(ByteOrder.nativeOrder()).putInt(0, 40);
            BpfException e2 = assertThrows(BpfException.class, () -> map.update(tooLong, new byte[8], UpdateFlag.ANY));
            assertEquals(Errno.EINVAL, e2.errno());
            assertTrue(e2.getMessage().contains("max_prefixlen 32"), e2.getMessage());
            assertFalse(map.nextKey(null, ByteBuffer.allocate(8)), "the trie is still empty");
        }
    }
}
