package org.bpfmaps.launcher;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line of {@code -c}, a script or standard input split into words as bpftool's batch
 * mode splits a line of its file ({@code do_batch} and {@code make_args} in bpftool's main.c),
 * and by nothing else: no pipe, redirection, variable, glob or {@code //} comment, so that no
 * line can do more than run one command with these words.
 *
 * <ul>
 * <li>Everything from the first {@code #} on is a comment, wherever it is, inside quotes too
 *     ({@code 'a#b'} is an unterminated quote, as in bpftool). A NUL ends the line ({@code fgets}
 *     then {@code strlen}).
 * <li>A line that ends with a backslash (and has no comment) continues on the next one; the
 *     backslash goes. Any other backslash is a plain character: there are no escapes.
 * <li>Words are separated by spaces, tabs and carriage returns. A word that starts with
 *     {@code '} or {@code "} runs to the next same quote, blanks included, and ends there
 *     ({@code 'x'y} is two words); a quote inside a word is a plain character ({@code a'b}).
 * <li>At most {@value #MAX_WORDS} words ({@code BATCH_ARG_NB_MAX} - 1).
 * </ul>
 *
 * Checked against bpftool 7 on kernel 6.18 ({@code bpftool -j batch file F} prints each command's
 * words): see WordsTest.
 */
final class Words {
    /** bpftool's {@code BATCH_ARG_NB_MAX} is 4096, one of which ends its argv. */
    static final int MAX_WORDS = 4095;
    private static final String BLANKS = " \t\r\n";

    private Words() {}

    /** The line without its comment: cut at the first {@code #}, or at a NUL before it. */
    static String uncomment(String line) {
        int nul = line.indexOf('\0');
        int end = nul >= 0 ? nul : line.length();
        int hash = line.indexOf('#');
        return line.substring(0, hash >= 0 && hash < end ? hash : end);
    }

    /**
     * Whether the line (as read, without its line break) continues on the next: it ends with a
     * backslash that no comment or NUL cut off (bpftool looks for backslash-newline in what is
     * left of the line).
     */
    static boolean continues(String line) {
        return line.endsWith("\\") && line.indexOf('#') < 0 && line.indexOf('\0') < 0;
    }

    /**
     * The words of one line (after its continuation lines are joined to it); none for a blank or
     * comment line. Throws IllegalArgumentException with the reason, bpftool's, for an
     * unterminated quote or too many words.
     */
    static List<String> split(String line) {
        String s = uncomment(line);
        List<String> words = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && BLANKS.indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (words.size() >= MAX_WORDS) {
                throw new IllegalArgumentException("too many arguments (at most " + MAX_WORDS + " words)");
            }
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int close = s.indexOf(c, i + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated quoted string");
                }
                words.add(s.substring(i + 1, close));
                i = close + 1; // the closing quote ends the word, as a blank would
            } else {
                int end = i;
                while (end < n && BLANKS.indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                words.add(s.substring(i, end));
                i = end + 1;
            }
        }
        return words;
    }
}
