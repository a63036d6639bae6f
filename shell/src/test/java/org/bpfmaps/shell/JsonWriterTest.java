package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The port of bpftool's json_writer, quirks included, since output must match it byte for byte. */
class JsonWriterTest {
    private static String write(boolean pretty) {
        StringBuilder b = new StringBuilder();
        JsonWriter j = new JsonWriter(b);
        j.pretty(pretty);
        j.startArray();
        j.startObject();
        j.name("key");
        j.startArray();
        j.raw("\"0x00\"");
        j.raw("\"0x01\"");
        j.endArray();
        j.numberField("cpu", 1);
        j.nullField("none");
        j.endObject();
        j.endArray();
        return b.toString();
    }

    @Test
    void compact() {
        assertEquals("[{\"key\":[\"0x00\",\"0x01\"],\"cpu\":1,\"none\":null}]", write(false));
    }

    @Test
    void prettyIndentsByFourAndOpensOnTheCurrentLine() {
        assertEquals("[{\n        \"key\": [\"0x00\",\"0x01\"\n        ],\n        \"cpu\": 1,\n        \"none\": null\n"
                + "    }\n]", write(true));
    }

    @Test
    void stringsAreEscapedAsBpftoolEscapesThemButStayJson() {
        StringBuilder b = new StringBuilder();
        JsonWriter j = new JsonWriter(b);
        j.string("a\\b'c\"d\te\u0001");
        assertEquals("\"a\\\\b'c\\\"d\\te\\u0001\"", b.toString(),
                "bpftool writes a backslash as \\n and a quote as \\', neither valid JSON");
        b.setLength(0);
        j = new JsonWriter(b);
        j.startObject();
        j.name("error");
        j.enquoted("raw \"text\" 'quoted'");
        j.escapedField("detail", "q\"\\\n");
        j.endObject();
        assertEquals("{\"error\":\"raw \\\"text\\\" 'quoted'\",\"detail\":\"q\\\"\\\\\\n\"}", b.toString());
        Json.documents(b.toString());
    }
}
