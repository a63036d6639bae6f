package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The splitting of a script line, against what bpftool 7 (kernel 6.18) makes of the same line in
 * a batch file: each expected list below is the {@code "command"} array that
 * {@code bpftool -j batch file F} printed for it (bpftool's JSON writer shows a backslash as
 * {@code \n}; its plain error message {@code what is '\'?} shows the word is one backslash).
 */
class WordsTest {
    @Test
    void blanksSeparateWords() {
        assertEquals(List.of("map", "show"), Words.split("map show"));
        assertEquals(List.of("map", "help", "x", "y"), Words.split("map help\tx\ry"));
        assertEquals(List.of("map", "show"), Words.split("   map   show   "));
        assertEquals(List.of(), Words.split(""));
        assertEquals(List.of(), Words.split(" \t\r "));
    }

    @Test
    void aHashStartsACommentAnywhereEvenInQuotes() {
        assertEquals(List.of("map", "show"), Words.split("map show # c"));
        assertEquals(List.of("map", "show"), Words.split("map show#c"));
        assertEquals(List.of(), Words.split("# only a comment"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Words.split("map help 'a#b'"));
        assertEquals("unterminated quoted string", e.getMessage());
    }

    @Test
    void aQuotedWordRunsToItsQuoteAndEndsThere() {
        assertEquals(List.of("map", "help", "a b", "c"), Words.split("map help \"a b\"  c"));
        assertEquals(List.of("map", "help", "x", "y", "z"), Words.split("map help 'x'y z"));
        assertEquals(List.of("map", "help", "", ""), Words.split("map help '' \"\""));
        assertEquals(List.of("map", "help", "a'b", "c\\d"), Words.split("map help \"a'b\" c\\d"));
        assertEquals(List.of("map", "help", "a'b", "c'"), Words.split("map help a'b c'"), "a quote inside a word is plain");
        assertThrows(IllegalArgumentException.class, () -> Words.split("map help \"a b"));
    }

    @Test
    void aBackslashIsAPlainCharacter() {
        assertEquals(List.of("map", "help", "a\\", "b"), Words.split("map help a\\ b"));
        assertEquals(List.of("map", "help", "\\\"a"), Words.split("map help \\\"a"));
        assertEquals(List.of("map", "a\\b"), Words.split("map a\\b"));
    }

    @Test
    void gogosSyntaxIsPlainWords() {
        assertEquals(List.of("nosuchcmd", ">", "created_by_failed_cmd"), Words.split("nosuchcmd > created_by_failed_cmd"));
        assertEquals(List.of("map", "pin", "name", "base", "//sys/fs/bpf/dbl"),
                Words.split("map pin name base //sys/fs/bpf/dbl"));
        assertEquals(List.of("x", "|", "y"), Words.split("x | y"));
        assertEquals(List.of("foo", "%", "|", "map", "show"), Words.split("foo % | map show"));
        assertEquals(List.of("a;b", "$c", "${d}", "(e)", "{f}", "<g", "2>&1", "&"), Words.split("a;b $c ${d} (e) {f} <g 2>&1 &"));
    }

    @Test
    void aNulEndsTheLine() {
        assertEquals(List.of("map", "help", "a"), Words.split("map help a\0 b # "));
        assertEquals("map show", Words.uncomment("map show\0# x"));
    }

    @Test
    void aLineEndingInABackslashContinuesUnlessACommentOrNulCutIt() {
        assertTrue(Words.continues("map help a\\"));
        assertTrue(Words.continues("\\"));
        assertFalse(Words.continues("map help \\ # c"), "bpftool: the comment takes the line break with it");
        assertFalse(Words.continues("map help a\\ "));
        assertFalse(Words.continues("map help a\0\\"));
        assertFalse(Words.continues("map help"));
    }

    @Test
    void atMostBpftoolsNumberOfWords() {
        String max = "w ".repeat(Words.MAX_WORDS);
        assertEquals(Words.MAX_WORDS, Words.split(max).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Words.split(max + "w"));
        assertEquals("too many arguments (at most 4095 words)", e.getMessage());
    }
}
