package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.Test;

/** The {@code bpf.command.*} service properties of another bundle's command, as help and Tab read them. */
class DocumentedCommandTest {
    /** The properties a bundle would register its command {@code lint} with (DS gives one value as a String). */
    static Map<String, Object> lintProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put("osgi.command.scope", "bpf");
        p.put("osgi.command.function", "lint");
        p.put(DocumentedCommand.SUMMARY, "Checks a corpus file");
        p.put(DocumentedCommand.DESCRIPTION, "Checks a corpus file against the map types served now.");
        p.put(DocumentedCommand.SYNTAX, "lint FILE [TYPE...]");
        p.put(DocumentedCommand.ARGUMENTS, new String[] {"FILE: The corpus.", "TYPE: Only these map types ({maptypes})."});
        p.put(DocumentedCommand.OPTIONS, "--help: Display this help message.");
        p.put(DocumentedCommand.EXAMPLES, List.of("lint corpus.json", "lint corpus.json array"));
        p.put(DocumentedCommand.COMPLETION, new String[] {"file", "maptype..."});
        return p;
    }

    static DocumentedCommand lint() {
        return DocumentedCommand.of(lintProperties()::get);
    }

    @Test
    void theUsageIsRenderedInKarafsLayoutWithTheTypesServedNow() {
        String text = lint().doc(List.of(MapType.HASH, MapType.ARRAY)).render();
        assertEquals("""
                DESCRIPTION
                        bpf:lint

                        Checks a corpus file against the map types served now.

                SYNTAX
                        lint FILE [TYPE...]

                ARGUMENTS
                        FILE
                                The corpus.
                        TYPE
                                Only these map types (array | hash).

                OPTIONS
                        --help
                                Display this help message.

                EXAMPLES
                        lint corpus.json
                        lint corpus.json array
                """, text);
    }

    @Test
    void eachArgumentCompletesByItsKindAndTheLastKindGoesOn() {
        DocumentedCommand c = lint();
        assertEquals(DocumentedCommand.Kind.FILE, c.kindAt(0));
        assertEquals(DocumentedCommand.Kind.MAPTYPE, c.kindAt(1));
        assertEquals(DocumentedCommand.Kind.MAPTYPE, c.kindAt(5));
        Map<String, Object> p = lintProperties();
        p.put(DocumentedCommand.COMPLETION, new String[] {"file", "frobnicate"});
        DocumentedCommand odd = DocumentedCommand.of(p::get);
        assertEquals(DocumentedCommand.Kind.NONE, odd.kindAt(1), "a kind this shell does not know offers nothing");
        assertEquals(DocumentedCommand.Kind.NONE, odd.kindAt(2), "no kind past the last one that does not go on");
    }

    @Test
    void onlyASingleFunctionWithASummaryIsDocumented() {
        Map<String, Object> p = lintProperties();
        p.put("osgi.command.function", new String[] {"lint", "fix"});
        assertNull(DocumentedCommand.of(p::get), "whose function would the properties document?");
        Map<String, Object> q = lintProperties();
        q.remove(DocumentedCommand.SUMMARY);
        assertNull(DocumentedCommand.of(q::get));
        Map<String, Object> r = lintProperties();
        r.remove(DocumentedCommand.DESCRIPTION);
        assertEquals("Checks a corpus file", DocumentedCommand.of(r::get).description(), "the summary stands in");
    }
}
