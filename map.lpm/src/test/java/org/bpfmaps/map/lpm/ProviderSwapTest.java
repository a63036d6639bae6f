package org.bpfmaps.map.lpm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.testsupport.SwapUnderWriters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * LPM_TRIE leaving and returning while threads write and delete /32 prefixes: every write that
 * returned 0 is in the trie afterwards, writes in the gap answer ENODEV, and a deleted prefix
 * stays deleted.
 */
class ProviderSwapTest {
    private static final int KEYS = 2000;
    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Key {@code k} as the /32 prefix of the address with that number. */
    private static ByteBuffer prefix(int k) {
        return LpmFixture.key(32, ByteBuffer.allocate(4).putInt(0, k).array());
    }

    @Test
    void noAcknowledgedWriteIsLostAcrossSwaps() throws Exception {
        int fd = f.create(4, 8, 2 * KEYS);
        SwapUnderWriters.run(f, LpmProvider::new, "LPM_TRIE", KEYS, true, new SwapUnderWriters.Elements() {
            @Override
            public int update(int key, long value) {
                return f.update(fd, prefix(key), LpmFixture.u64(value), BpfFlags.ANY);
            }

            @Override
            public int delete(int key) {
                return f.delete(fd, prefix(key));
            }

            @Override
            public long read(int key) {
                byte[] v = f.lookup(fd, prefix(key), 8); // null for ENOENT; other errors fail
                return v == null ? 0 : ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
            }
        });
    }

    /**
     * Once its state is exported the trie takes no write from any path (each would be lost to the
     * next provider), still answers reads, and the state holds every prefix, which a fresh
     * provider's map restores.
     */
    @Test
    void aRetiredTrieRefusesEveryWriteAndItsStateHoldsEveryPrefix() {
        MapDef def = new MapDef(MapType.LPM_TRIE, 8, 8, 16, BpfFlags.F_NO_PREALLOC, -1, 0, "t", 2, 8);
        LpmMapOps ops = (LpmMapOps) new LpmProvider().alloc(def);
        ByteBuffer slash8 = LpmFixture.key("10.0.0.0", 8);
        ByteBuffer slash24 = LpmFixture.key("10.1.2.0", 24);
        assertEquals(0, ops.updateElem(slash8, LpmFixture.u64(8), BpfFlags.ANY));
        assertEquals(0, ops.updateElem(slash24, LpmFixture.u64(24), BpfFlags.ANY));

        MapState state = ops.exportState(def);

        int enodev = Errno.ENODEV.ret();
        ByteBuffer other = LpmFixture.key("192.168.0.0", 16);
        assertEquals(enodev, ops.updateElem(other, LpmFixture.u64(1), BpfFlags.ANY), "update of a new prefix");
        assertEquals(enodev, ops.updateElem(slash8, LpmFixture.u64(1), BpfFlags.EXIST), "update of a stored one");
        assertEquals(enodev, ops.deleteElem(slash24), "delete");
        assertEquals(enodev, ops.progUpdateElem(other, LpmFixture.u64(1), BpfFlags.ANY), "a program's update");
        assertEquals(enodev, ops.progDeleteElem(slash8), "a program's delete");
        MapBatchAttr up = new MapBatchAttr();
        up.keys = other;
        up.values = LpmFixture.u64(1);
        up.count = 1;
        assertEquals(enodev, ops.updateBatch(def, up), "an update batch");
        assertEquals(0, up.count, "the batch applied nothing");
        MapBatchAttr del = new MapBatchAttr();
        del.keys = slash24;
        del.count = 1;
        assertEquals(enodev, ops.deleteBatch(def, del), "a delete batch");
        assertEquals(0, del.count);

        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        assertEquals(0, ops.lookupElem(LpmFixture.key("10.1.2.3", 32), v, 0), "reads go on");
        assertEquals(24, v.getLong(0));
        assertEquals(List.of("24:0a010200=24", "8:0a000000=8"), elements(state), "postorder, as get_next_key");

        MapOps restored = new LpmProvider().restore(def, state, (e, why, a, b) -> -e.code());
        assertEquals(0, restored.lookupElem(LpmFixture.key("10.9.9.9", 32), v, 0));
        assertEquals(8, v.getLong(0));
        assertEquals(0, restored.deleteElem(slash24), "the restored trie takes writes");
    }

    /** A state's elements as "prefixlen:hexdata=value". */
    private static List<String> elements(MapState state) {
        List<String> out = new ArrayList<>();
        state.forEach((k, v) -> {
            ByteBuffer key = ByteBuffer.allocate(k.remaining()).put(0, k, 0, k.remaining());
            out.add(LpmFixture.show(key) + "=" + v.order(ByteOrder.nativeOrder()).getLong(0));
            return 0;
        });
        return out;
    }
}
