package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's embedding snippets are not written by hand: each Java block of its "Embedding"
 * section names the source file it comes from (a test or an example that the build compiles), and
 * every line of the block must be found in that file, in order (an excerpt may leave lines out,
 * never change them). So a snippet that stops compiling fails the build through its source.
 */
class ReadmeSnippetsTest {
    private static final Path ROOT = Path.of("..");

    @Test
    void everyEmbeddingSnippetIsAnExcerptOfCompiledCode() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int from = readme.indexOf("## Embedding");
        String section = readme.substring(from, readme.indexOf("\n## ", from + 1));
        Matcher block = Pattern.compile("(?s)```java\\n(.*?)```").matcher(section);
        String lastSource = null;
        int scanned = 0;
        int blocks = 0;
        while (block.find()) {
            Matcher src = Pattern.compile("`([\\w./-]+\\.java)`").matcher(section.substring(scanned, block.start()));
            while (src.find()) {
                lastSource = src.group(1);
            }
            scanned = block.end();
            assertTrue(lastSource != null, "a README snippet names no source file:\n" + block.group(1));
            assertExcerpt(block.group(1), ROOT.resolve(lastSource));
            blocks++;
        }
        assertTrue(blocks >= 3, "the Embedding section has its snippets");
    }

    private static void assertExcerpt(String snippet, Path source) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(source)) {
            lines.add(l.strip());
        }
        int at = 0;
        for (String want : snippet.split("\n")) {
            String w = want.strip();
            if (w.isEmpty()) {
                continue;
            }
            while (at < lines.size() && !lines.get(at).equals(w)) {
                at++;
            }
            assertFalse(at == lines.size(), "README line not found (in order) in " + source + ": " + w);
            at++;
        }
    }
}
