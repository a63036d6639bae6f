package org.bpfmaps.conformance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One case of a corpus: a map to create, the kernel's answer to MAP_CREATE, and the ops replayed
 * on that map in order (each may depend on the state the ones before left).
 *
 * @param create the recorded MAP_CREATE result: {@code ret} 0 (an fd) or -1 with {@code errno}
 */
public record ConformanceCase(String name, MapSpec map, Map<String, Object> create, List<CaseOp> ops) {

    public ConformanceCase {
        ops = List.copyOf(ops);
    }

    /** The socket kinds the case makes with {@code sock_new} (empty for a case without sockets). */
    public Set<String> socketKinds() {
        Set<String> kinds = new TreeSet<>();
        for (CaseOp op : ops) {
            if (op.kind() == OpKind.SOCK_NEW) {
                kinds.add(op.string("kind"));
            }
        }
        return kinds;
    }

    static ConformanceCase parse(Object json, String where) {
        Map<String, Object> c = Json.object(json, where);
        String name = Json.string(c.get("name"), where + ".name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(where + ": empty case name");
        }
        where = where + " '" + name + "'";
        MapSpec map = MapSpec.parse(c.get("map"), where + ".map");
        Map<String, Object> create = CaseOp.parseResult(c.get("create"), where + ".create");
        List<Object> raw = c.containsKey("ops") ? Json.list(c.get("ops"), where + ".ops") : List.of();
        List<CaseOp> ops = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            ops.add(CaseOp.parse(raw.get(i), i, where + ": op " + i, Collections.unmodifiableList(ops)));
        }
        return new ConformanceCase(name, map, create, ops);
    }
}
