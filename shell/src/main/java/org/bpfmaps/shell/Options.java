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
    /** The options that make sense here: JSON, pretty JSON, and three that change nothing here. */
    private static final String SERVED = "jpndmC";

    boolean json;
    boolean pretty;
    /** {@code --cidr} (ours, not bpftool's): keys shown in their map type's format next to their bytes. */
    boolean cidr;
    /** The words that are not options, in their order. */
    final List<String> words = new ArrayList<>();
    /** The option word that could not be read, or null. */
    String bad;
    /** Why a known bpftool option is refused, for the error's detail; null for an unknown one. */
    String badDetail;

    /**
     * Reads the options out of the words. Stops at the first bad one, as bpftool does, with
     * {@link #json} as the options before it left it (it decides how the error is printed).
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
        if (letter == 'p') {
            pretty = true;
            json = true;
        } else if (letter == 'j') {
            json = true;
        } else if (letter == 'C') {
            cidr = true;
        }
        // -n: this shell never mounts a bpffs anyway; -d, -m: nothing here for them to change
        return true;
    }
}
