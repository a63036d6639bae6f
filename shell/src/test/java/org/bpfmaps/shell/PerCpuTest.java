package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Per-CPU maps on an instance with 4 possible CPUs (the recordings cover 2): one value given,
 * copied into every CPU's slot; one value shown per CPU; slots of round_up(value_size, 8) bytes.
 */
class PerCpuTest {
    private static final String P = "/sys/fs/bpf/p";

    @Test
    void oneValueIsCopiedToEveryPossibleCpu() {
        try (Emulator emu = new Emulator(4)) {
            assertEquals(0, emu.map("create " + P + " type percpu_array key 4 value 12 entries 2 name p").exit());
            assertEquals(0, emu.map("update pinned " + P + " key 1 0 0 0 value 1 2 3 4 5 6 7 8 9 10 11 12").exit());
            String v = "01 02 03 04 05 06 07 08  09 0a 0b 0c\n";
            assertEquals("key:\n01 00 00 00\nvalue (CPU 00): " + v + "value (CPU 01): " + v + "value (CPU 02): " + v
                    + "value (CPU 03): " + v, emu.map("lookup pinned " + P + " key 1 0 0 0").stdout());
            String hex = "[\"0x01\",\"0x02\",\"0x03\",\"0x04\",\"0x05\",\"0x06\",\"0x07\",\"0x08\",\"0x09\",\"0x0a\","
                    + "\"0x0b\",\"0x0c\"]";
            StringBuilder json = new StringBuilder("{\"key\":[\"0x01\",\"0x00\",\"0x00\",\"0x00\"],\"values\":[");
            for (int cpu = 0; cpu < 4; cpu++) {
                json.append(cpu > 0 ? "," : "").append("{\"cpu\":").append(cpu).append(",\"value\":").append(hex)
                        .append('}');
            }
            assertEquals(json + "]}\n", emu.map("-j lookup pinned " + P + " key 1 0 0 0").stdout());
        }
    }

    @Test
    void aValueSizedForEveryCpuIsRefusedAsBpftoolRefusesIt() {
        try (Emulator emu = new Emulator(4)) {
            assertEquals(0, emu.map("create " + P + " type percpu_array key 4 value 4 entries 2 name p").exit());
            assertEquals(new Emulator.Result(255, "", "Error: expected key or value, got: 5\n"),
                    emu.map("update pinned " + P + " key 0 0 0 0 value 1 2 3 4 5 6 7 8"));
        }
    }

    @Test
    void memlockCountsEveryCpusSlots() {
        try (Emulator emu = new Emulator(4)) {
            assertEquals(0, emu.map("create " + P + " type percpu_array key 4 value 12 entries 2 name p").exit());
            // sizeof(struct bpf_array) + a pointer per entry + 16-byte slots x 4 CPUs per entry
            assertEquals("ID: percpu_array  name p  flags 0x0\n\tkey 4B  value 12B  max_entries 2  memlock "
                    + (312 + 2 * 8 + 2 * 16 * 4) + "B\n",
                    BpftoolRecordingTest.normaliseIds(emu.map("show pinned " + P).stdout()));
        }
    }
}
