package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.bpfmaps.map.array.ArrayProvider;
import org.bpfmaps.map.lpm.LpmKeyFormat;
import org.bpfmaps.map.lpm.LpmProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CIDR keys for LPM tries, through the key format map.lpm registers: read where bpftool reads key
 * bytes, shown next to the bytes only with {@code --cidr} (these tests have no console, as piped
 * output has none), never in JSON; bad CIDR is a bpftool-style error naming the limit, and the
 * map is left as it was. Maps of other types read bpftool's bytes only.
 */
class CidrKeysTest {
    private final ProviderHost host = Standalone.create();
    private final BpfInstance bpf;

    CidrKeysTest() {
        host.addProvider(new ArrayProvider());
        host.addProvider(new LpmProvider());
        bpf = host.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    private Emulator.Result map(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new MapCommand(bpf, List.of(new LpmKeyFormat())).run(Arrays.asList(line.trim().split(" +")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void ok(String line) {
        Emulator.Result r = map(line);
        assertEquals(0, r.exit(), () -> line + ": " + r.stderr());
    }

    private static final String V4 = "pinned /sys/fs/bpf/v4";
    private static final String V6 = "pinned /sys/fs/bpf/v6";

    private void v4() {
        ok("create /sys/fs/bpf/v4 type lpm_trie key 8 value 4 entries 16 name v4 flags 1");
    }

    @Test
    void cidrWordsWriteTheKernelsKeyAndPlainOutputStaysBpftools() {
        v4();
        ok("update " + V4 + " key 10.0.0.0/8 value 1 0 0 0");
        ok("update " + V4 + " key 10.1.0.0/16 value 2 0 0 0 noexist");
        // a bare address looks up the longest prefix (/32)
        Emulator.Result hit = map("lookup " + V4 + " key 10.1.2.3");
        assertEquals(new Emulator.Result(0, "key: 20 00 00 00 0a 01 02 03  value: 02 00 00 00\n", ""), hit);
        assertEquals(hit, map("lookup " + V4 + " key 32 0 0 0 10 1 2 3"), "as bpftool's byte words");
        String dump = "key: 10 00 00 00 0a 01 00 00  value: 02 00 00 00\n"
                + "key: 08 00 00 00 0a 00 00 00  value: 01 00 00 00\n"
                + "Found 2 elements\n";
        assertEquals(new Emulator.Result(0, dump, ""), map("dump " + V4));
        // ours: CIDR beside the bytes when asked
        assertEquals(new Emulator.Result(0, "key: 10 00 00 00 0a 01 00 00 (10.1.0.0/16)  value: 02 00 00 00\n"
                + "key: 08 00 00 00 0a 00 00 00 (10.0.0.0/8)  value: 01 00 00 00\n"
                + "Found 2 elements\n", ""), map("--cidr dump " + V4));
        // JSON stays bpftool's, asked or not
        assertEquals(map("-j dump " + V4), map("-j --cidr dump " + V4));
        assertFalse(map("-j --cidr dump " + V4).stdout().contains("/"));
        ok("delete " + V4 + " key 10.1.0.0/16");
        assertEquals(new Emulator.Result(0, "key: 20 00 00 00 0a 01 02 03  value: 01 00 00 00\n", ""),
                map("lookup " + V4 + " key 10.1.2.3"));
    }

    @Test
    void ipv6Keys() {
        ok("create /sys/fs/bpf/v6 type lpm_trie key 20 value 8 entries 16 name v6 flags 1");
        ok("update " + V6 + " key 2001:db8::/32 value 1 0 0 0 0 0 0 0");
        ok("update " + V6 + " key ::/0 value 2 0 0 0 0 0 0 0");
        Emulator.Result r = map("--cidr lookup " + V6 + " key 2001:db8::1");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stdout().contains("value:\n01 00 00 00 00 00 00 00"), r.stdout());
        Emulator.Result dump = map("--cidr dump " + V6);
        assertTrue(dump.stdout().contains(" (2001:db8::/32)\n"), dump.stdout());
        assertTrue(dump.stdout().contains(" (::/0)\n"), dump.stdout());
    }

    @Test
    void badCidrIsAnErrorNamingTheLimitAndChangesNothing() {
        v4();
        ok("update " + V4 + " key 10.0.0.0/8 value 1 0 0 0");
        String before = map("dump " + V4).stdout();
        assertEquals(new Emulator.Result(255, "", "Error: error parsing key: 10.0.0.0/33\n"
                + "  prefix length 33 is above 32, the most an IPv4 key (key_size 8) holds\n"),
                map("update " + V4 + " key 10.0.0.0/33 value 2 0 0 0"));
        Emulator.Result v6 = map("update " + V4 + " key 2001:db8::/32 value 2 0 0 0");
        assertEquals(255, v6.exit());
        assertTrue(v6.stderr().startsWith("Error: error parsing key: 2001:db8::/32\n"), v6.stderr());
        assertTrue(v6.stderr().contains("key_size 20; this map's key_size is 8"), v6.stderr());
        Emulator.Result text = map("delete " + V4 + " key 10.0.300.0/24");
        assertEquals(255, text.exit());
        assertTrue(text.stderr().contains("'10.0.300.0' is not an IPv4 address"), text.stderr());
        Emulator.Result len = map("lookup " + V4 + " key 10.0.0.0/x");
        assertTrue(len.stderr().contains("prefix length 'x' is not a number 0..32"), len.stderr());
        // JSON: the error object with the detail
        assertEquals("{\"error\":\"error parsing key: 10.0.0.0/33\",\"detail\":\"prefix length 33 is above 32, "
                + "the most an IPv4 key (key_size 8) holds\"}\n",
                map("-j update " + V4 + " key 10.0.0.0/33 value 2 0 0 0").stdout());
        assertEquals(before, map("dump " + V4).stdout());
    }

    @Test
    void otherMapTypesReadBpftoolsBytesOnly() {
        ok("create /sys/fs/bpf/a type array key 4 value 4 entries 4 name a");
        assertEquals(new Emulator.Result(255, "", "Error: error parsing byte: 10.0.0.1\n"),
                map("lookup pinned /sys/fs/bpf/a key 10.0.0.1"));
    }
}
