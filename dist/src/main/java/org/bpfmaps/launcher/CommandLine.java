package org.bpfmaps.launcher;

import java.util.List;

/**
 * Program arguments as one Gogo command line that gives the command the same words: what
 * {@code bpfmaps map update name 'a b' ...} sends to an instance, or runs in-process.
 */
final class CommandLine {
    private CommandLine() {}

    static String join(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(quote(a));
        }
        return sb.toString();
    }

    /**
     * A word as Gogo reads it back unchanged: as it is when it holds only characters that Gogo
     * gives no meaning to; else in single quotes, which Gogo takes literally, with each single
     * quote in it written as a POSIX shell does, {@code '\''} (close, escaped quote, reopen):
     * Gogo's tokenizer finds no closing quote for {@code '} even inside double quotes.
     */
    static String quote(String word) {
        if (!word.isEmpty() && isPlain(word)) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static boolean isPlain(String word) {
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '/' || c == ':' || c == ',' || c == '+' || c == '-';
            if (!plain) {
                return false;
            }
        }
        return true;
    }
}
