package org.bpfmaps.shell;

import java.util.List;

/**
 * bpftool's {@code argc}/{@code argv}: the words of one command and a cursor. The word before the
 * cursor stays readable, because bpftool names it in messages ({@code argv[-1]}: "'pin' needs at
 * least 3 arguments, 2 found").
 */
final class Args {
    private final List<String> words;
    private int pos;

    /** The words with the cursor after the first one (the subcommand's name). */
    Args(List<String> words, int pos) {
        this.words = List.copyOf(words);
        this.pos = pos;
    }

    /** {@code argc}: the words left. */
    int argc() {
        return words.size() - pos;
    }

    /** {@code *argv}: the current word, or null at the end (C's terminating NULL). */
    String peek() {
        return pos < words.size() ? words.get(pos) : null;
    }

    /** {@code argv[i]}: a word after the current one, or null past the end. */
    String peek(int i) {
        return pos + i < words.size() ? words.get(pos + i) : null;
    }

    /** {@code argv[-1]}: the word before the cursor. */
    String previous() {
        return words.get(pos - 1);
    }

    /** Moves past the current word and returns it (bpftool's {@code GET_ARG}). */
    String next() {
        String w = peek();
        pos++;
        return w;
    }

    /** bpftool's {@code NEXT_ARG}: moves on, and shows the usage when there was no word. */
    void advance() {
        pos++;
        if (argc() < 0) {
            throw new Usage();
        }
    }

    /** Moves on by {@code n} words (bpftool's {@code argv + i}). */
    void skip(int n) {
        pos += n;
    }

    /** Whether the current word abbreviates {@code keyword}. */
    boolean is(String keyword) {
        return isPrefix(peek(), keyword);
    }

    /**
     * bpftool's {@code is_prefix(pfx, str)}: {@code pfx} abbreviates {@code str}. Even the empty
     * word does; a missing word never. Callers test keywords in bpftool's order and take the first
     * that fits, so an abbreviation that fits several is not an error.
     */
    static boolean isPrefix(String pfx, String keyword) {
        return pfx != null && keyword.startsWith(pfx);
    }

    /**
     * bpftool's {@code REQ_ARGS}: false, after printing why, when fewer than {@code n} words are
     * left.
     */
    boolean require(int n, Output out) {
        if (argc() < n) {
            out.error(String.format("'%s' needs at least %d arguments, %d found", previous(), n, argc()), null);
            return false;
        }
        return true;
    }
}
