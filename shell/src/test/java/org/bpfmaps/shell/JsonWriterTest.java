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
    void stringsAreEscapedAsBpftoolEscapesThem() {
        StringBuilder b = new StringBuilder();
        JsonWriter j = new JsonWriter(b);
        j.string("a\\b'c\"d\te");
        assertEquals("\"a\\nb\\'c\\\"d\\te\"", b.toString(), "a backslash becomes \\n in bpftool's writer");
        b.setLength(0);
        j = new JsonWriter(b);
        j.startObject();
        j.enquoted("raw \"text\"");
        j.escapedField("detail", "q\"\\\n");
        j.endObject();
        assertEquals("{\"raw \"text\"\",\"detail\":\"q\\\"\\\\\\u000a\"}", b.toString());
    }
}
