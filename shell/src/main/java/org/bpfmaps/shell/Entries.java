package org.bpfmaps.shell;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;

/**
 * How bpftool prints keys and values: {@code print_entry_plain}, {@code print_entry_json},
 * {@code print_entry_error} and {@code fprint_hex}.
 */
final class Entries {
    private final Output out;
    private final int possibleCpus;
    private final KeyWords keyWords;
    private final SocketNotes sockets;

    Entries(Output out, int possibleCpus, KeyWords keyWords, SocketNotes sockets) {
        this.out = out;
        this.possibleCpus = possibleCpus;
        this.keyWords = keyWords;
        this.sockets = sockets;
    }

    /**
     * {@code fprint_hex}: bytes as two hex digits separated by a space, two spaces after every
     * eighth byte and a new line after every sixteenth.
     */
    static String hex(byte[] data, int off, int n) {
        StringBuilder b = new StringBuilder(n * 3);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(i % 16 == 0 ? "\n" : i % 8 == 0 ? "  " : " ");
            }
            appendHex(b, data[off + i]);
        }
        return b.toString();
    }

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private static void appendHex(StringBuilder b, byte v) {
        b.append(DIGITS[(v >> 4) & 0xf]).append(DIGITS[v & 0xf]);
    }

    /** {@code print_hex_data_json}: an array of {@code "0x.."} strings. */
    void hexJson(byte[] data, int off, int n) {
        hexJson(out.json(), data, off, n);
    }

    static void hexJson(JsonWriter j, byte[] data, int off, int n) {
        j.startArray();
        StringBuilder b = new StringBuilder(6);
        for (int i = 0; i < n; i++) {
            b.setLength(0);
            b.append("\"0x");
            appendHex(b, data[off + i]);
            j.raw(b.append('"').toString());
        }
        j.endArray();
    }

    /** One element, plain or JSON as the mode is. */
    void print(MapInfo info, byte[] key, byte[] value) {
        if (out.isJson()) {
            json(info, key, value);
        } else {
            plain(info, key, value);
        }
    }

    private void json(MapInfo info, byte[] key, byte[] value) {
        JsonWriter j = out.json();
        j.startObject();
        j.name("key");
        hexJson(key, 0, info.keySize());
        if (!MapKinds.isPerCpu(info.type())) {
            j.name("value");
            hexJson(value, 0, info.valueSize());
        } else {
            int step = MapKinds.roundUp8(info.valueSize());
            j.name("values");
            j.startArray();
            for (int cpu = 0; cpu < possibleCpus; cpu++) {
                j.startObject();
                j.numberField("cpu", cpu);
                j.name("value");
                hexJson(value, cpu * step, info.valueSize());
                j.endObject();
            }
            j.endArray();
        }
        j.endObject();
    }

    /**
     * Key and value on one line when both fit in 24 bytes and neither is over 16; each on lines of
     * its own when either is over 16. Per-CPU maps: the key on its own line, then one
     * {@code value (CPU nn):} line per possible CPU.
     */
    private void plain(MapInfo info, byte[] key, byte[] value) {
        int ks = info.keySize();
        int vs = info.valueSize();
        StringBuilder b = new StringBuilder();
        if (!MapKinds.isPerCpu(info.type())) {
            boolean breakNames = ks > 16 || vs > 16;
            boolean singleLine = ks + vs <= 24 && !breakNames;
            if (ks != 0) {
                b.append("key:").append(breakNames ? '\n' : ' ').append(hex(key, 0, ks));
                String shown = keyWords.show(info, key); // null unless asked for (--cidr) or on a console
                if (shown != null) {
                    b.append(" (").append(shown).append(')');
                }
                b.append(singleLine ? "  " : "\n");
            }
            if (vs != 0) {
                b.append("value:").append(breakNames ? '\n' : ' ').append(hex(value, 0, vs));
            }
            b.append('\n');
        } else {
            int step = MapKinds.roundUp8(vs);
            if (ks != 0) {
                b.append("key:\n").append(hex(key, 0, ks)).append('\n');
            }
            if (vs != 0) {
                for (int cpu = 0; cpu < possibleCpus; cpu++) {
                    b.append(String.format("value (CPU %02d):%c", cpu, vs > 16 ? '\n' : ' '));
                    b.append(hex(value, cpu * step, vs)).append('\n');
                }
            }
        }
        out.print(b.append(note(info, key)).toString());
    }

    /**
     * {@code print_entry_error}: an element whose lookup failed during a dump. An empty slot of a
     * map of maps or programs is no error and prints nothing.
     */
    void error(MapInfo info, byte[] key, int ret) {
        if ((MapKinds.isMapOfMaps(info.type()) || MapKinds.isMapOfProgs(info.type())) && ret == Errno.ENOENT.ret()) {
            return;
        }
        if (out.isJson()) {
            JsonWriter j = out.json();
            j.startObject();
            j.name("key");
            hexJson(key, 0, info.keySize());
            j.name("value");
            j.startObject();
            j.stringField("error", Libbpf.strerror(ret));
            j.endObject();
            j.endObject();
            return;
        }
        String msg;
        if (ret == Errno.ENOENT.ret()) {
            msg = "<no entry>";
        } else if (ret == Errno.ENOSPC.ret() && info.type() == MapType.REUSEPORT_SOCKARRAY.number()) {
            msg = "<cannot read>";
        } else {
            msg = Libbpf.strerror(ret);
        }
        boolean breakNames = info.keySize() > 16 || msg.length() > 16;
        boolean singleLine = info.keySize() + msg.length() <= 24 && !breakNames;
        out.print("key:" + (breakNames ? '\n' : ' ') + hex(key, 0, info.keySize()) + (singleLine ? "  " : "\n")
                + "value:" + (breakNames ? '\n' : ' ') + msg + "\n" + note(info, key));
    }

    /** The socket behind the element, on a line of its own, when shown (plain output only); else empty. */
    private String note(MapInfo info, byte[] key) {
        String n = sockets.note(info, key);
        return n == null ? "" : n;
    }
}
