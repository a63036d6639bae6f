package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.MapInfo;

/**
 * {@code [key DATA] [value VALUE] [UPDATE_FLAGS]} as bpftool's {@code parse_elem} reads them: in
 * any order, each at most once, keywords abbreviated. {@code DATA := { [hex] BYTES }}: one word
 * per byte, read by {@code strtoul} (decimal, {@code 0x..}, a leading 0 for octal; only the low
 * byte kept, so 256 is 0x00), or hex without prefix after {@code hex}.
 */
final class ElemParser {
    private final Output out;
    private final MapHandles handles;
    private final MapInfo info;
    private final int possibleCpus;
    /** What the words set: the update flags, and a map fd given as a map-in-map value. */
    long flags = BpfFlags.ANY;
    int valueFd = -1;
    /** Key words beyond bpftool's bytes (CIDR for LPM tries). */
    KeyWords keyWords = KeyWords.NONE;

    ElemParser(Output out, MapHandles handles, MapInfo info, int possibleCpus) {
        this.out = out;
        this.handles = handles;
        this.info = info;
        this.possibleCpus = possibleCpus;
    }

    /**
     * Fills {@code key} and {@code value} from the words; a null array is not wanted (already
     * read, or not taken by this command), and {@code flagsWanted} false refuses update flags.
     *
     * @param keySize the size bpftool passes: the map's key size, also when key is null
     * @param valueSize the map's value size, or 0 when the command takes no value
     * @return 0, or -1 after printing why
     */
    int parse(Args a, byte[] key, byte[] value, int keySize, int valueSize, boolean flagsWanted) {
        if (a.peek() == null) {
            if (key == null && value == null) {
                return 0;
            }
            out.error("did not find " + (key != null ? "key" : "value"), null);
            return -1;
        }
        if (a.is("key")) {
            if (key == null) {
                out.error(keySize != 0 ? "duplicate key" : "unnecessary key", null);
                return -1;
            }
            a.skip(1);
            if (parseKey(a, key, keySize) < 0) {
                return -1;
            }
            return parse(a, null, value, keySize, valueSize, flagsWanted);
        } else if (a.is("value")) {
            if (value == null) {
                out.error(valueSize != 0 ? "duplicate value" : "unnecessary value", null);
                return -1;
            }
            a.skip(1);
            if (parseValue(a, value, valueSize) < 0) {
                return -1;
            }
            return parse(a, key, null, keySize, valueSize, flagsWanted);
        } else if (a.is("any") || a.is("noexist") || a.is("exist")) {
            if (!flagsWanted) {
                out.error("flags specified multiple times: " + a.peek(), null);
                return -1;
            }
            flags = a.is("any") ? BpfFlags.ANY : a.is("noexist") ? BpfFlags.NOEXIST : BpfFlags.EXIST;
            a.skip(1);
            return parse(a, key, value, keySize, valueSize, false);
        }
        out.error("expected key or value, got: " + a.peek(), null);
        return -1;
    }

    /**
     * The words of a {@code key} argument (after the keyword) into {@code key}: the map type's own
     * forms first (an LPM trie's CIDR, through its provider's {@code KeyFormat}), else DATA, as
     * bpftool reads it. The one place a key is read.
     */
    int parseKey(Args a, byte[] key, int keySize) {
        int read = keyWords.read(out, info, a, key);
        return read < 0 || (read == 0 && parseBytes(a, "key", key, keySize) < 0) ? -1 : 0;
    }

    /** The words of a {@code value} argument (after the keyword) into {@code value}: DATA, MAP or PROG. */
    private int parseValue(Args a, byte[] value, int valueSize) {
        if (MapKinds.isMapOfMaps(info.type())) {
            if (valueSize != 4) {
                out.error("value smaller than 4B for map in map?", null);
                return -1;
            }
            if (a.peek() == null || a.peek(1) == null) {
                out.error("not enough value arguments for map in map", null);
                return -1;
            }
            valueFd = handles.parseFd(a);
            if (valueFd < 0) {
                return -1;
            }
            ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).putInt(0, valueFd); // a __u32, host order
            return 0;
        }
        if (MapKinds.isMapOfProgs(info.type())) {
            out.error("programs are not supported here, so a map of programs cannot be updated", null);
            return -1;
        }
        if (parseBytes(a, "value", value, valueSize) < 0) {
            return -1;
        }
        fillPerCpuValue(value);
        return 0;
    }

    /** {@code parse_bytes}: exactly {@code n} byte words into {@code into}. */
    private int parseBytes(Args a, String name, byte[] into, int n) {
        int base = 0;
        if (a.is("hex")) {
            base = 16;
            a.skip(1);
        }
        int i = 0;
        while (i < n && a.peek(i) != null) {
            Long v = CNumbers.strtoul(a.peek(i), base);
            if (v == null) {
                out.error("error parsing byte: " + a.peek(i), null);
                return -1;
            }
            into[i] = (byte) v.longValue();
            i++;
        }
        if (i != n) {
            out.error(name + " expected " + n + " bytes got " + i, null);
            return -1;
        }
        a.skip(i);
        return 0;
    }

    /**
     * {@code fill_per_cpu_value}: the user gives one value and bpftool copies it into every
     * possible CPU's slot, each {@code round_up(value_size, 8)} bytes apart.
     */
    private void fillPerCpuValue(byte[] value) {
        if (!MapKinds.isPerCpu(info.type())) {
            return;
        }
        int step = MapKinds.roundUp8(info.valueSize());
        for (int cpu = 1; cpu < possibleCpus; cpu++) {
            System.arraycopy(value, 0, value, cpu * step, info.valueSize());
        }
    }
}
