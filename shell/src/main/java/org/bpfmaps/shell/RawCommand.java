package org.bpfmaps.shell;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.ObjAttr;

/**
 * {@code bpf CMD [FIELD=VALUE ...]}: one raw {@code bpf(2)} call on the dispatcher, for scripting
 * the exact uapi. CMD is a command's name ({@code MAP_CREATE}, {@code map_lookup_elem},
 * {@code BPF_MAP_FREEZE}) or number; each FIELD is a field of the command's attr by the kernel's
 * name ({@code map_type}, {@code key_size}, {@code map_fd}, {@code next_key}, ...). A number is
 * decimal, {@code 0x} hex or negative; a string field takes the word; a buffer field takes hex
 * bytes ({@code key=01000000}), {@code @N} for N zero bytes the call may fill, or {@code null}.
 *
 * <p>It prints {@code ret N} and, for a failure, the errno's name, its text and the dispatcher's
 * reason; then every buffer given and every number field the call changed, as
 * {@code FIELD=VALUE} lines in the input's own notation. Exit code: 0, or the errno as bpftool
 * makes it (the negated errno as a byte). fds the call opens stay open in the instance (as after
 * a real syscall) until {@code bpf close fd=N}.
 */
public final class RawCommand {
    private final Bpf bpf;

    public RawCommand(Bpf bpf) {
        this.bpf = Objects.requireNonNull(bpf, "bpf");
    }

    public int run(List<String> words, PrintStream out, PrintStream err) {
        try {
            return execute(words, out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int execute(List<String> words, PrintStream out, PrintStream err) {
        if (words.isEmpty() || words.get(0).equals("help")) {
            err.print("Usage: bpf CMD [FIELD=VALUE ...]\n"
                    + "       bpf close fd=N\n"
                    + "       CMD := a bpf(2) command by name (MAP_CREATE, map_lookup_elem, ...) or number\n"
                    + "       VALUE := NUMBER | STRING | HEX_BYTES | @SIZE | null\n");
            return words.isEmpty() ? 255 : 0;
        }
        if (words.get(0).equals("close")) {
            return close(words, out, err);
        }
        BpfCmd cmd = command(words.get(0));
        if (cmd == null) {
            err.print("Error: unknown bpf command '" + words.get(0) + "'\n");
            return 255;
        }
        BpfAttr attr = attrFor(cmd);
        Map<String, Field> fields = fields(attr);
        for (String w : words.subList(1, words.size())) {
            int eq = w.indexOf('=');
            Field f = eq > 0 ? fields.get(w.substring(0, eq)) : null;
            if (f == null) {
                err.print("Error: " + cmd + " takes FIELD=VALUE with FIELD one of " + String.join(", ", fields.keySet())
                        + "; got '" + w + "'\n");
                return 255;
            }
            String why = set(attr, f, w.substring(eq + 1));
            if (why != null) {
                err.print("Error: can't parse '" + w.substring(eq + 1) + "' as " + w.substring(0, eq) + ": " + why
                        + "\n");
                return 255;
            }
        }
        Map<String, Object> before = new LinkedHashMap<>();
        for (Map.Entry<String, Field> e : fields.entrySet()) {
            before.put(e.getKey(), get(attr, e.getValue()));
        }
        int ret = bpf.bpf(cmd, attr);
        StringBuilder b = new StringBuilder("ret ").append(ret);
        if (ret < 0) {
            Errno e = Errno.of(ret);
            b.append(' ').append(e != null ? e.name() : "E" + -ret).append(" (").append(Libbpf.strerror(ret))
                    .append(')');
            if (attr.errorMessage() != null) {
                b.append(": ").append(attr.errorMessage());
            }
        }
        b.append('\n');
        for (Map.Entry<String, Field> e : fields.entrySet()) {
            Object now = get(attr, e.getValue());
            if (now instanceof ByteBuffer buf) {
                b.append(e.getKey()).append('=').append(hex(buf)).append('\n');
            } else if (!Objects.equals(now, before.get(e.getKey()))) {
                b.append(e.getKey()).append('=').append(now).append('\n');
            }
        }
        out.print(b);
        return ret < 0 ? ret & 0xff : 0;
    }

    private int close(List<String> words, PrintStream out, PrintStream err) {
        Long fd = words.size() == 2 && words.get(1).startsWith("fd=") ? number(words.get(1).substring(3)) : null;
        if (fd == null) {
            err.print("Error: usage: bpf close fd=N\n");
            return 255;
        }
        int ret = bpf.close(fd.intValue());
        out.print("ret " + ret + (ret < 0 ? " " + Errno.of(ret).name() + " (" + Libbpf.strerror(ret) + ")" : "")
                + "\n");
        return ret < 0 ? ret & 0xff : 0;
    }

    /** The command by number, or by name in any case, with or without {@code BPF_}. */
    static BpfCmd command(String word) {
        Long n = number(word);
        if (n != null) {
            return n >= 0 && n < Integer.MAX_VALUE ? BpfCmd.of(n.intValue()) : null;
        }
        String name = word.toUpperCase(Locale.ROOT);
        if (name.startsWith("BPF_")) {
            name = name.substring(4);
        }
        for (BpfCmd c : BpfCmd.values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The attr the dispatcher reads for the command; a command with none of its own takes an element attr. */
    static BpfAttr attrFor(BpfCmd cmd) {
        return switch (cmd) {
            case MAP_CREATE -> new MapCreateAttr();
            case OBJ_PIN, OBJ_GET -> new ObjAttr();
            case MAP_GET_NEXT_ID, MAP_GET_FD_BY_ID, PROG_GET_NEXT_ID, PROG_GET_FD_BY_ID, BTF_GET_NEXT_ID,
                    BTF_GET_FD_BY_ID, LINK_GET_NEXT_ID, LINK_GET_FD_BY_ID -> new GetIdAttr();
            case OBJ_GET_INFO_BY_FD -> new InfoAttr();
            case MAP_LOOKUP_BATCH, MAP_LOOKUP_AND_DELETE_BATCH, MAP_UPDATE_BATCH, MAP_DELETE_BATCH ->
                    new MapBatchAttr();
            default -> new MapElemAttr();
        };
    }

    /** The attr's public fields by the kernel's names ({@code keySize} is {@code key_size}). */
    private static Map<String, Field> fields(BpfAttr attr) {
        Map<String, Field> out = new LinkedHashMap<>();
        for (Field f : attr.getClass().getFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                out.put(snake(f.getName()), f);
            }
        }
        return out;
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Object get(BpfAttr attr, Field f) {
        try {
            return f.get(attr);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets one field from its text; the reason it cannot, or null. */
    private static String set(BpfAttr attr, Field f, String text) {
        try {
            Class<?> t = f.getType();
            if (t == int.class || t == long.class) {
                Long v = number(text);
                if (v == null) {
                    return "not a number";
                }
                if (t == int.class) {
                    if (v < Integer.MIN_VALUE || v > 0xffff_ffffL) {
                        return "more than 32 bits";
                    }
                    f.setInt(attr, v.intValue());
                } else {
                    f.setLong(attr, v);
                }
            } else if (t == String.class) {
                f.set(attr, text);
            } else if (t == ByteBuffer.class) {
                if (text.equals("null")) {
                    f.set(attr, null);
                } else if (text.startsWith("@")) {
                    Long n = number(text.substring(1));
                    if (n == null || n < 0 || n > 1 << 24) {
                        return "@SIZE takes a size from 0 to 16 MiB";
                    }
                    f.set(attr, ByteBuffer.allocate(n.intValue()));
                } else {
                    byte[] bytes = bytes(text);
                    if (bytes == null) {
                        return "a buffer is hex bytes (0a0b...), @SIZE or null";
                    }
                    f.set(attr, ByteBuffer.wrap(bytes));
                }
            } else {
                return "a field of type " + t.getSimpleName() + " cannot be set here";
            }
            return null;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Decimal, {@code 0x} hex, optionally negative; null when not a number. */
    static Long number(String s) {
        try {
            boolean neg = s.startsWith("-");
            String d = neg ? s.substring(1) : s;
            long v = d.startsWith("0x") || d.startsWith("0X") ? Long.parseUnsignedLong(d.substring(2), 16)
                    : Long.parseUnsignedLong(d);
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static byte[] bytes(String hex) {
        if (hex.length() % 2 != 0) {
            return null;
        }
        byte[] out = new byte[hex.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(hex.charAt(2 * i), 16);
            int lo = Character.digit(hex.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) (hi << 4 | lo);
        }
        return out;
    }

    private static String hex(ByteBuffer buf) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < buf.capacity(); i++) {
            b.append(String.format("%02x", buf.get(i)));
        }
        return b.toString();
    }

    /** For tests: the field names a command takes. */
    static List<String> fieldNames(BpfCmd cmd) {
        return new ArrayList<>(fields(attrFor(cmd)).keySet());
    }
}
