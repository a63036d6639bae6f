package org.bpfmaps.shell;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.ProgQueryAttr;

/** {@code map { show | list } [MAP]}: bpftool's {@code do_show}. */
final class ShowCommand {
    private final Run run;

    ShowCommand(Run run) {
        this.run = run;
    }

    /** The pinned maps when {@code -f} asks for them, read once per command as bpftool does. */
    private PinTable pins = new PinTable(java.util.Map.of());

    int execute(Args a) {
        if (run.showPinned) {
            pins = new PinTable(run.lib.pinnedMaps());
        }
        if (a.argc() == 2) {
            return subset(a);
        }
        if (a.argc() != 0) {
            return run.badArg(a);
        }
        JsonWriter j = run.out.json();
        if (j != null) {
            j.startArray();
        }
        int[] id = {0};
        MapInfo[] info = new MapInfo[1];
        int err;
        while (true) {
            err = run.lib.mapGetNextId(id[0], id);
            if (err != 0) {
                if (err != Errno.ENOENT.ret()) {
                    run.fail("can't get next map: " + Libbpf.strerror(err)
                            + (err == Errno.EINVAL.ret() ? " -- kernel too old?" : ""));
                }
                break;
            }
            int fd = run.lib.mapGetFdById(id[0]);
            if (fd < 0) {
                if (fd == Errno.ENOENT.ret()) {
                    continue; // freed since its id was listed
                }
                err = fd;
                run.fail("can't get map by id (" + Integer.toUnsignedString(id[0]) + "): " + Libbpf.strerror(fd));
                break;
            }
            err = run.lib.objGetInfoByFd(fd, info);
            if (err != 0) {
                run.fail("can't get map info: " + Libbpf.strerror(err));
                run.lib.close(fd);
                break;
            }
            print(fd, info[0]);
        }
        if (j != null) {
            j.endArray();
        }
        return err == Errno.ENOENT.ret() ? 0 : -1;
    }

    /** {@code do_show_subset}: the maps one handle names (several for a shared name). */
    private int subset(Args a) {
        int[] fds = run.handles.parseFds(a);
        if (fds == null) {
            return -1;
        }
        JsonWriter j = run.out.json();
        if (j != null && fds.length > 1) {
            j.startArray();
        }
        int err = -1;
        MapInfo[] info = new MapInfo[1];
        for (int fd : fds) {
            err = run.lib.objGetInfoByFd(fd, info);
            if (err != 0) {
                run.fail("can't get map info: " + Libbpf.strerror(err));
                break;
            }
            print(fd, info[0]);
        }
        if (j != null && fds.length > 1) {
            j.endArray();
        }
        for (int fd : fds) {
            run.lib.close(fd);
        }
        return err;
    }

    /** {@code show_map_close_plain} / {@code show_map_close_json}: one map, then its fd closed. */
    private void print(int fd, MapInfo info) {
        // bpftool reads these two from /proc/self/fdinfo; a map always has them
        MapFdInfo fdinfo = run.lib.fdinfo(fd);
        long memlock = fdinfo != null ? fdinfo.memlock() : -1;
        boolean frozen = fdinfo != null && fdinfo.frozen();
        String programs = run.out.isJson() || !run.keyWords.forPeople() ? null : attachedPrograms(fd);
        run.lib.close(fd);
        if (run.out.isJson()) {
            JsonWriter j = run.out.json();
            j.startObject();
            header(run.out, info);
            j.unsignedField("bytes_key", info.keySize());
            j.unsignedField("bytes_value", info.valueSize());
            j.unsignedField("max_entries", info.maxEntries());
            if (memlock >= 0) {
                j.numberField("bytes_memlock", memlock);
            }
            j.numberField("frozen", frozen ? 1 : 0);
            if (info.btfId() != 0) {
                j.numberField("btf_id", info.btfId());
            }
            if (!pins.isEmpty()) {
                // bpftool writes the key whenever any map is pinned, an empty array for this one
                j.name("pinned");
                j.startArray();
                for (String path : pins.paths(info.id())) {
                    j.string(path);
                }
                j.endArray();
            }
            j.endObject();
            return;
        }
        StringBuilder b = new StringBuilder(header(run.out, info));
        b.append(String.format("\tkey %sB  value %sB  max_entries %s", Integer.toUnsignedString(info.keySize()),
                Integer.toUnsignedString(info.valueSize()), Integer.toUnsignedString(info.maxEntries())));
        if (memlock >= 0) {
            b.append("  memlock ").append(memlock).append('B');
        }
        for (String path : pins.paths(info.id())) {
            b.append("\n\tpinned ").append(path);
        }
        if (info.btfId() != 0 || frozen) {
            b.append("\n\t");
        }
        if (info.btfId() != 0) {
            b.append("btf_id ").append(info.btfId());
        }
        if (frozen) {
            b.append(info.btfId() != 0 ? "  " : "").append("frozen");
        }
        if (programs != null) {
            b.append("\n\tprograms ").append(programs);
        }
        run.out.print(b.append('\n').toString());
    }

    /**
     * The programs attached to a socket map, one {@code ATTACH_TYPE id N} each, as PROG_QUERY
     * answers for each socket attach type; null for a map that takes none (PROG_QUERY answers
     * EOPNOTSUPP) or has none attached. Ours, for people (a console or {@code -C}): bpftool's
     * {@code map show} says nothing of them, so piped plain output stays bpftool's.
     */
    private String attachedPrograms(int fd) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ProgCommand.SOCKET_ATTACH_TYPES; i++) {
            int[] ids = new int[1];
            ProgQueryAttr q = new ProgQueryAttr(fd, ProgCommand.attachType(ProgCommand.ATTACH_WORDS.get(i)), ids);
            if (run.lib.bpf().bpf(BpfCmd.PROG_QUERY, q) == 0 && q.progCnt > 0) {
                b.append(b.length() == 0 ? "" : "  ").append(ProgCommand.ATTACH_WORDS.get(i))
                        .append(" id ").append(Integer.toUnsignedString(ids[0]));
            }
        }
        return b.length() == 0 ? null : b.toString();
    }

    /**
     * {@code show_map_header_json} (written into the open object) or {@code show_map_header_plain}
     * (returned, with its newline): id, type, name and flags. Shared with dump, which heads each
     * map with it when a name matches several.
     */
    static String header(Output out, MapInfo info) {
        String type = MapKinds.name(info.type());
        if (out.isJson()) {
            JsonWriter j = out.json();
            j.unsignedField("id", info.id());
            if (type != null) {
                j.stringField("type", type);
            } else {
                j.unsignedField("type", info.type());
            }
            if (!info.name().isEmpty()) {
                j.stringField("name", info.name());
            }
            j.name("flags");
            j.raw(Integer.toString(info.mapFlags()));
            return "";
        }
        return Integer.toUnsignedString(info.id()) + ": "
                + (type != null ? type + "  " : "type " + Integer.toUnsignedString(info.type()) + "  ")
                + (info.name().isEmpty() ? "" : "name " + info.name() + "  ")
                + "flags 0x" + Integer.toHexString(info.mapFlags()) + "\n";
    }
}
