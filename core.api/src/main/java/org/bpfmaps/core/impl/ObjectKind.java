package org.bpfmaps.core.impl;

/**
 * A kind of object the table holds (map, socket, program, ...). Each registered kind gets its own
 * id space in an instance, as the kernel has one idr per kind; adding a kind means making one of
 * these and registering it with {@link ObjectTable#register}, not editing the table.
 */
public record ObjectKind(String name) {
    public static final ObjectKind MAP = new ObjectKind("map");

    @Override
    public String toString() {
        return name;
    }
}
