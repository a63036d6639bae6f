package org.bpfmaps.conformance;

import java.util.List;
import java.util.Locale;

/**
 * The ops of a corpus case, with the fields each must have. Most are one {@code bpf(2)} command;
 * {@link #ITERATE}, {@link #DUMP} and {@link #BATCH_ALL} are walks made of several, and
 * {@link #SOCK_NEW} / {@link #SOCK_CLOSE} make and close the socket objects that socket maps hold;
 * {@link #FDINFO} reads what the fd's /proc/self/fdinfo entry says rather than calling bpf(2).
 */
public enum OpKind {
    UPDATE(List.of("key"), List.of("value", "value_per_cpu", "sock", "fd_value")),
    LOOKUP(List.of("key"), List.of()),
    DELETE(List.of("key"), List.of()),
    GET_NEXT_KEY(List.of("key"), List.of()),
    LOOKUP_AND_DELETE(List.of("key"), List.of()),
    UPDATE_BATCH(List.of("keys"), List.of("values", "values_per_cpu", "socks")),
    DELETE_BATCH(List.of("keys"), List.of()),
    LOOKUP_BATCH(List.of("count"), List.of()),
    LOOKUP_AND_DELETE_BATCH(List.of("count"), List.of()),
    BATCH_ALL(List.of("count"), List.of()),
    FREEZE(List.of(), List.of()),
    INFO(List.of(), List.of()),
    /** What /proc/self/fdinfo shows for the map ({@code memlock}, {@code frozen}), as bpftool reads it. */
    FDINFO(List.of(), List.of()),
    ITERATE(List.of(), List.of()),
    DUMP(List.of(), List.of()),
    SOCK_NEW(List.of("label", "kind"), List.of()),
    SOCK_CLOSE(List.of("label"), List.of()),
    /** The program ops of {@code prog-sockmap-6.18.json} (corpus/FORMAT.md); see {@link ProgReplay}. */
    PROG_LOAD(List.of("label", "prog_type"), List.of()),
    PROG_CLOSE(List.of("label"), List.of()),
    MAP_NEW(List.of("label", "map"), List.of()),
    MAP_CLOSE(List.of("label"), List.of()),
    PROG_ATTACH(List.of("attach_type"), List.of()),
    PROG_DETACH(List.of("attach_type"), List.of()),
    PROG_QUERY(List.of("target", "attach_type"), List.of()),
    PROG_INFO(List.of("prog"), List.of()),
    PROG_GET_NEXT_ID(List.of(), List.of()),
    PROG_ID_WALK(List.of(), List.of()),
    PROG_GET_FD_BY_ID(List.of("label"), List.of("of", "id_value")),
    OBJ_PIN(List.of("obj", "pin"), List.of()),
    OBJ_GET(List.of("label", "pin"), List.of()),
    PIN_REMOVE(List.of("pin"), List.of());

    private final List<String> required;
    private final List<String> oneOf;

    OpKind(List<String> required, List<String> oneOf) {
        this.required = required;
        this.oneOf = oneOf;
    }

    /** Fields the op must have (a value of null counts, e.g. {@code key: null} for NULL). */
    List<String> required() {
        return required;
    }

    /** Fields of which the op must have exactly one (the sources of a value), or empty. */
    List<String> oneOf() {
        return oneOf;
    }

    /** The name the corpus uses ({@code get_next_key}, ...). */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The op with this corpus name, or null. */
    public static OpKind byJsonName(String name) {
        for (OpKind k : values()) {
            if (k.jsonName().equals(name)) {
                return k;
            }
        }
        return null;
    }
}
