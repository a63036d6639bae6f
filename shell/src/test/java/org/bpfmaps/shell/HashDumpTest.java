package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code map dump} of the hash family: elements in the map's own iteration order (a get_next_key
 * walk from NULL, which is bucket order), as bpftool prints them; per-CPU hashes in bpftool's
 * {@code value (CPU 00): ...} layout, each CPU's own value.
 */
class HashDumpTest {
    private static final String H = "/sys/fs/bpf/h";
    private final Emulator emu = new Emulator();

    @AfterEach
    void close() {
        emu.close();
    }

    private void ok(String line) {
        Emulator.Result r = emu.map(line);
        assertEquals(0, r.exit(), line + ": " + r.stderr());
    }

    /** The keys (as little-endian u32) of a get_next_key walk from NULL through the dispatcher. */
    private List<Integer> walk(String path) {
        int fd = emu.bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr(path, 0));
        assertTrue(fd >= 0, "nothing pinned at " + path);
        List<Integer> keys = new ArrayList<>();
        try {
            ByteBuffer key = null;
            while (true) {
                MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
                a.nextKey = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                if (emu.bpf.bpf(BpfCmd.MAP_GET_NEXT_KEY, a) != 0) {
                    return keys;
                }
                keys.add(a.nextKey.getInt(0));
                key = a.nextKey;
                assertTrue(keys.size() < 10_000, "the walk never ends");
            }
        } finally {
            emu.bpf.close(fd);
        }
    }

    /** The bytes of a JSON array of "0x.." strings as a little-endian u32. */
    private static int u32(Object hexBytes) {
        List<?> bytes = (List<?>) hexBytes;
        int v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | Integer.parseInt(((String) bytes.get(i)).substring(2), 16);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"hash", "lru_hash", "percpu_hash", "lru_percpu_hash"})
    void dumpPrintsElementsInTheMapsIterationOrder(String type) {
        ok("create " + H + " type " + type + " key 4 value 4 entries 64 name h");
        List<Integer> inserted = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            int key = k * 7 + 1;
            inserted.add(key);
            ok(String.format("update pinned %s key %d %d 0 0 value %d 0 0 0", H, key & 0xff, key >> 8, k));
        }
        List<Integer> order = walk(H);
        assertEquals(40, order.size());
        assertNotEquals(inserted, order, "the test needs a bucket order other than insertion order");
        assertNotEquals(order.stream().sorted().toList(), order, "the test needs a bucket order other than sorted");

        // plain: "key: 01 00 00 00  value: ..." or, per CPU, "key:\n01 00 00 00\nvalue (CPU 00): ..."
        Emulator.Result plain = emu.map("dump pinned " + H);
        assertEquals(0, plain.exit(), plain.stderr());
        List<Integer> printed = new ArrayList<>();
        Matcher m = Pattern.compile("key:[ \n]([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2}) ([0-9a-f]{2})")
                .matcher(plain.stdout());
        while (m.find()) {
            printed.add(Integer.parseInt(m.group(1), 16) | Integer.parseInt(m.group(2), 16) << 8
                    | Integer.parseInt(m.group(3), 16) << 16 | Integer.parseInt(m.group(4), 16) << 24);
        }
        assertEquals(order, printed, "map dump");
        assertTrue(plain.stdout().endsWith("Found 40 elements\n"), plain.stdout());

        Emulator.Result json = emu.map("-j dump pinned " + H);
        assertEquals(0, json.exit(), json.stderr());
        List<Integer> jsonKeys = new ArrayList<>();
        for (Object e : (List<?>) Json.documents(json.stdout()).get(0)) {
            jsonKeys.add(u32(((Map<?, ?>) e).get("key")));
        }
        assertEquals(order, jsonKeys, "map -j dump");
    }

    @Test
    void dumpOfTheSameKeysInsertedInAnotherOrderFollowsEachMapsBuckets() {
        // two maps with the same keys: a dump that sorted or replayed insertion order could not
        // match both walks
        ok("create " + H + " type hash key 4 value 4 entries 64 name h");
        ok("create /sys/fs/bpf/g type hash key 4 value 4 entries 64 name g");
        for (int k = 0; k < 20; k++) {
            ok(String.format("update pinned %s key %d 0 0 0 value 1 0 0 0", H, k));
            ok(String.format("update pinned /sys/fs/bpf/g key %d 0 0 0 value 1 0 0 0", 19 - k));
        }
        for (String p : new String[] {H, "/sys/fs/bpf/g"}) {
            List<Integer> printed = new ArrayList<>();
            for (Object e : (List<?>) Json.documents(emu.map("-j dump pinned " + p).stdout()).get(0)) {
                printed.add(u32(((Map<?, ?>) e).get("key")));
            }
            assertEquals(walk(p), printed, p);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"percpu_hash", "lru_percpu_hash"})
    void perCpuHashesPrintEachCpusValue(String type) {
        ok("create " + H + " type " + type + " key 4 value 4 entries 8 name h");
        // through the dispatcher, so that each CPU holds its own value: CPU c has bytes c+1, 0xa0+c, 0, 0
        int fd = emu.bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr(H, 0));
        ByteBuffer v = ByteBuffer.allocate(16);
        v.put(0, new byte[] {1, (byte) 0xa0, 0, 0, 0, 0, 0, 0, 2, (byte) 0xa1, 0, 0, 0, 0, 0, 0});
        assertEquals(0, emu.bpf.bpf(BpfCmd.MAP_UPDATE_ELEM,
                new MapElemAttr().set(fd, ByteBuffer.wrap(new byte[] {5, 0, 0, 0}), v, 0)));
        emu.bpf.close(fd);

        String element = "key:\n05 00 00 00\nvalue (CPU 00): 01 a0 00 00\nvalue (CPU 01): 02 a1 00 00\n";
        assertEquals(new Emulator.Result(0, element, ""), emu.map("lookup pinned " + H + " key 5 0 0 0"));
        assertEquals(new Emulator.Result(0, element + "Found 1 element\n", ""), emu.map("dump pinned " + H));
        String json = "{\"key\":[\"0x05\",\"0x00\",\"0x00\",\"0x00\"],\"values\":["
                + "{\"cpu\":0,\"value\":[\"0x01\",\"0xa0\",\"0x00\",\"0x00\"]},"
                + "{\"cpu\":1,\"value\":[\"0x02\",\"0xa1\",\"0x00\",\"0x00\"]}]}";
        assertEquals(new Emulator.Result(0, json + "\n", ""), emu.map("-j lookup pinned " + H + " key 5 0 0 0"));
        assertEquals(new Emulator.Result(0, "[" + json + "]\n", ""), emu.map("-j dump pinned " + H));
    }
}
