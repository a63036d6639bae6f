package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.List;

/**
 * bpftool's options, read as its {@code getopt_long} reads them: anywhere among the words (GNU
 * getopt moves them out of the way), short ones clustered ({@code -jp}), long ones abbreviated
 * while unambiguous ({@code --pre}), and {@code --} ending them.
 */
final class Options {
    /** bpftool's long options, in its order: an abbreviation must fit exactly one of them. */
    private static final List<String> LONG = List.of("json", "help", "pretty", "version", "bpffs", "mapcompat",
            "nomount", "debug", "use-loader", "base-btf", "legacy", "cidr");
    /** The short letter of each long option, in the same order. */
    private static final String SHORT = "jhpVfmndLBlC";
    /**
     * The options served: JSON, pretty JSON, pinned paths in show, version, help, legacy (which
     * only changes what version prints), and four that change nothing here (-n: this shell never
     * mounts a bpffs; -d, -m, -L: no program loading here), and our -C. {@code -B FILE} (base BTF) is not.
     */
    private static final String SERVED = "jpfVhlndmLC";

    boolean json;
    boolean pretty;
    /** {@code -f}: show lists the paths where each map is pinned. */
    boolean showPinned;
    /** {@code -V}: print the version instead of running the command. */
    boolean version;
    /** {@code -l}: libbpf's legacy mode, which version reports. */
    boolean legacy;
    /**
     * {@code -h}: bpftool's getopt loop returns {@code do_help} as soon as it meets it, with the
     * JSON mode the options before it set; the options after it are not read.
     */
    boolean help;
    /**
     * {@code -C}, {@code --cidr} (ours, not bpftool's): plain output for people, as on a console:
     * keys shown in their map type's format next to their bytes, and the socket behind each element
     * of a map that holds sockets ({@link SocketNotes}).
     */
    boolean cidr;
    /** The words that are not options, in their order. */
    final List<String> words = new ArrayList<>();
    /** The option word that could not be read, or null. */
    String bad;
    /** Why a known bpftool option is refused, for the error's detail; null for an unknown one. */
    String badDetail;

    /**
     * Reads the options out of the words. Stops at the first bad one, or at {@code -h}, as bpftool
     * does, with {@link #json} as the options before it left it (it decides how the error or the
     * help is printed).
     */
    static Options parse(List<String> args) {
        Options o = new Options();
        boolean optionsEnded = false;
        for (String w : args) {
            if (optionsEnded || w.length() < 2 || w.charAt(0) != '-') {
                o.words.add(w);
            } else if (w.equals("--")) {
                optionsEnded = true;
            } else if (w.startsWith("--")) {
                if (!o.apply(longLetter(w.substring(2)), w)) {
                    return o;
                }
            } else {
                for (int i = 1; i < w.length(); i++) {
                    if (!o.apply(w.charAt(i), w)) {
                        return o;
                    }
                }
            }
        }
        return o;
    }

    /** The short letter of a long option or its unique abbreviation; 0 when none or several fit. */
    private static char longLetter(String name) {
        if (name.contains("=")) {
            return 0; // none of the options this shell serves takes an argument
        }
        int exact = LONG.indexOf(name);
        if (exact >= 0) {
            return SHORT.charAt(exact);
        }
        char found = 0;
        for (int i = 0; i < LONG.size(); i++) {
            if (!name.isEmpty() && LONG.get(i).startsWith(name)) {
                if (found != 0) {
                    return 0;
                }
                found = SHORT.charAt(i);
            }
        }
        return found;
    }

    private boolean apply(char letter, String word) {
        if (letter == 0 || SERVED.indexOf(letter) < 0) {
            bad = word;
            int known = letter == 0 ? -1 : SHORT.indexOf(letter);
            badDetail = known < 0 ? null
                    : "-" + letter + " (--" + LONG.get(known) + ") is a bpftool option this shell does not serve";
            return false;
        }
        switch (letter) {
            case 'p' -> {
                pretty = true;
                json = true;
            }
            case 'j' -> json = true;
            case 'f' -> showPinned = true;
            case 'C' -> cidr = true;
            case 'V' -> version = true;
            case 'l' -> legacy = true;
            case 'h' -> {
                help = true;
                return false;
            }
            default -> {
                // -n: this shell never mounts a bpffs anyway; -d, -m, -L: nothing here to change
            }
        }
        return true;
    }
}
