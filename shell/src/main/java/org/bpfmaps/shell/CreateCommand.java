package org.bpfmaps.shell;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapInfo;

/**
 * {@code map create FILE type TYPE key N value N entries N name NAME [flags N] [inner_map MAP]
 * [dev NAME]}: bpftool's {@code do_create}. The map is pinned at FILE and its fd closed, so the
 * pin is what keeps it; when the pin fails the map goes with the fd. Any failed MAP_CREATE exits
 * 255 whatever its errno, as bpftool's does.
 */
final class CreateCommand {
    private final Run run;
    private final ObjCommands obj;

    CreateCommand(Run run, ObjCommands obj) {
        this.run = run;
        this.obj = obj;
    }

    int execute(Args a) {
        if (!a.require(7, run.out)) {
            return -1;
        }
        String pinFile = a.next();
        MapCreateAttr attr = new MapCreateAttr();
        String name = null;
        int innerFd = -1;
        try {
            while (a.argc() > 0) {
                if (!a.require(2, run.out)) {
                    return -1;
                }
                if (a.is("type")) {
                    a.advance();
                    if (attr.mapType != 0) {
                        run.out.error("map type already specified", null);
                        return -1;
                    }
                    attr.mapType = MapKinds.fromName(a.peek());
                    if (attr.mapType < 0) {
                        run.out.error("unrecognized map type: " + a.peek(), null);
                        return -1;
                    }
                    a.advance();
                } else if (a.is("name")) {
                    a.advance();
                    name = a.next();
                } else if (a.is("key")) {
                    Integer v = u32(a, attr.keySize, "key size");
                    if (v == null) {
                        return -1;
                    }
                    attr.keySize = v;
                } else if (a.is("value")) {
                    Integer v = u32(a, attr.valueSize, "value size");
                    if (v == null) {
                        return -1;
                    }
                    attr.valueSize = v;
                } else if (a.is("entries")) {
                    Integer v = u32(a, attr.maxEntries, "max entries");
                    if (v == null) {
                        return -1;
                    }
                    attr.maxEntries = v;
                } else if (a.is("flags")) {
                    Integer v = u32(a, attr.mapFlags, "flags");
                    if (v == null) {
                        return -1;
                    }
                    attr.mapFlags = v;
                } else if (a.is("dev")) {
                    a.advance();
                    if (attr.mapIfindex != 0) {
                        run.out.error("offload device already specified", null);
                        return -1;
                    }
                    attr.mapIfindex = ifNameToIndex(a.peek());
                    if (attr.mapIfindex == 0) {
                        run.out.error("unrecognized netdevice '" + a.peek() + "': " + Errno.ENODEV.text(), null);
                        return -1;
                    }
                    a.advance();
                } else if (a.is("inner_map")) {
                    a.advance();
                    if (!a.require(2, run.out)) {
                        // bpftool then prints its usage too; in JSON mode that is a second
                        // document ("null") glued to the error by a comma, which is no JSON
                        // stream: the error alone keeps -j output one document
                        if (run.out.isJson()) {
                            return -1;
                        }
                        throw new Usage();
                    }
                    MapInfo[] info = new MapInfo[1];
                    if (innerFd >= 0) {
                        run.lib.close(innerFd); // bpftool leaks the first; a later one replaces it
                    }
                    innerFd = run.handles.parseFdAndInfo(a, info);
                    if (innerFd < 0) {
                        return -1;
                    }
                    attr.innerMapFd = innerFd;
                } else {
                    run.out.error("unknown arg " + a.peek(), null);
                    return -1;
                }
            }
            if (name == null) {
                run.out.error("map name not specified", null);
                return -1;
            }
            // libbpf's bpf_map_create copies at most BPF_OBJ_NAME_LEN - 1 characters
            attr.mapName = name.length() > BpfFlags.OBJ_NAME_LEN - 1 ? name.substring(0, BpfFlags.OBJ_NAME_LEN - 1)
                    : name;
            int fd = run.lib.mapCreate(attr);
            if (fd < 0) {
                run.fail("map create failed: " + Libbpf.strerror(fd));
                return -1;
            }
            int err = obj.pinFd(fd, pinFile);
            run.lib.close(fd);
            if (err != 0) {
                return err;
            }
            if (run.out.isJson()) {
                run.out.json().nul();
            }
            return 0;
        } finally {
            if (innerFd >= 0) {
                run.lib.close(innerFd);
            }
        }
    }

    /**
     * {@code if_nametoindex}: the host's network device of that name (as bpftool finds it), or 0.
     * The dispatcher then answers the offload request as it answers any map_ifindex.
     */
    private static int ifNameToIndex(String name) {
        if (name.isEmpty() || name.length() >= 16 || name.contains("/") || name.equals(".") || name.equals("..")) {
            return 0;
        }
        try {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net", name, "ifindex"));
            return Integer.parseInt(text.trim());
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * {@code parse_u32_arg}: the number after the keyword, read by {@code strtoul} and cut to 32
     * bits; a field given twice is an error only once it is non-zero, as in bpftool.
     */
    private Integer u32(Args a, int current, String what) {
        a.advance();
        if (current != 0) {
            run.out.error(what + " already specified", null);
            return null;
        }
        Long v = CNumbers.strtoul(a.peek(), 0);
        if (v == null) {
            run.out.error("can't parse " + a.peek() + " as " + what, null);
            return null;
        }
        a.advance();
        return v.intValue();
    }
}
