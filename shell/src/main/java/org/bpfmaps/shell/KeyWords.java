package org.bpfmaps.shell;

import java.util.List;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.KeyFormat;

/**
 * Keys as people write them, beyond bpftool: the {@link KeyFormat}s the map bundles register
 * (an LPM trie's CIDR), so that the shell knows no map type. {@code key 10.0.0.0/8} is read
 * through them where bpftool reads bytes; keys are shown in that form next to their bytes only
 * when asked ({@code --cidr}) or when a person reads the output (a console, nothing piped), so
 * that piped plain output and JSON stay bpftool's byte for byte. The same rule shows the socket
 * behind each element of a sockmap ({@link SocketNotes}).
 */
final class KeyWords {
    /** No formats: bpftool's words only. */
    static final KeyWords NONE = new KeyWords(List.of(), false);

    private final List<KeyFormat> formats;
    private final boolean show;

    KeyWords(List<KeyFormat> formats, boolean show) {
        this.formats = List.copyOf(formats);
        this.show = show;
    }

    /** The same formats, shown when asked or when standard output is a person's console. */
    KeyWords shown(boolean asked) {
        return new KeyWords(formats, asked || System.console() != null);
    }

    /** Whether more than bpftool's output is shown (asked for, or a console): also the sockets behind elements. */
    boolean forPeople() {
        return show;
    }

    private KeyFormat formatOf(MapInfo info) {
        MapType type = info.mapType();
        for (KeyFormat f : formats) {
            if (type != null && f.serves(type)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The key a word writes in the map type's format, or null when the type has none or the word
     * is not in it (bpftool's byte words then).
     *
     * @throws IllegalArgumentException a word in the format that is wrong or does not fit
     */
    byte[] parse(MapInfo info, String word) {
        KeyFormat f = formatOf(info);
        return f == null || word == null ? null : f.parseKey(word, info.keySize());
    }

    /**
     * Reads the word at the cursor into {@code key} when it is in the map type's format: 1 (the
     * cursor moved past it), 0 when it is not (bpftool's byte words follow), -1 after printing a
     * bpftool-style error with the format's reason.
     */
    int read(Output out, MapInfo info, Args a, byte[] key) {
        String word = a.peek();
        byte[] parsed;
        try {
            parsed = parse(info, word);
        } catch (IllegalArgumentException e) {
            out.error("error parsing key: " + word, e.getMessage());
            return -1;
        }
        if (parsed == null) {
            return 0;
        }
        System.arraycopy(parsed, 0, key, 0, key.length);
        a.skip(1);
        return 1;
    }

    /** The key in its format, for plain output, or null when not shown or the type has none. */
    String show(MapInfo info, byte[] key) {
        if (!show) {
            return null;
        }
        KeyFormat f = formatOf(info);
        return f == null ? null : f.formatKey(key, info.keySize());
    }
}
