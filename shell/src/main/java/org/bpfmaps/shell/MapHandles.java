package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapInfo;

/**
 * {@code MAP := { id MAP_ID | pinned FILE | name MAP_NAME }}: opening the maps a handle names,
 * as bpftool's {@code map_parse_fds}, {@code map_parse_fd} and {@code map_parse_fd_and_info} do,
 * with their messages. Every fd is opened through the command's {@link Libbpf}, which closes what
 * a command leaves open.
 */
final class MapHandles {
    /** The root of the (virtual) bpffs. */
    static final String BPFFS = "/sys/fs/bpf";

    private final Libbpf lib;
    private final Output out;

    MapHandles(Libbpf lib, Output out) {
        this.lib = lib;
        this.out = out;
    }

    /**
     * The fds of every map the handle at the cursor names (several for a shared name, in id
     * order), the cursor moved past it; null after printing why none could be opened.
     *
     * <p>Where bpftool answers a name that matches no map with no message at all (and exit code
     * 255), this prints one, as every other failed handle does.
     */
    int[] parseFds(Args a) {
        if (a.is("id")) {
            a.advance();
            String text = requireWord(a);
            Long id = CNumbers.strtoul(text, 0);
            if (id == null) {
                out.error("can't parse " + text + " as ID", null);
                return null;
            }
            a.advance();
            int fd = lib.mapGetFdById(id.intValue());
            if (fd < 0) {
                out.error("get map by id (" + Integer.toUnsignedString(id.intValue()) + "): "
                        + Libbpf.strerror(fd), lib.detail());
                return null;
            }
            return new int[] {fd};
        } else if (a.is("name")) {
            a.advance();
            String name = requireWord(a);
            if (name.length() > BpfFlags.OBJ_NAME_LEN - 1) {
                out.error("can't parse name", null);
                return null;
            }
            a.advance();
            int[] fds = byName(name);
            if (fds != null && fds.length == 0) {
                out.error("get map by name (" + name + "): " + Errno.ENOENT.text(), null);
                return null;
            }
            return fds;
        } else if (a.is("pinned")) {
            a.advance();
            String path = requireWord(a);
            a.advance();
            int fd = openPinned(path);
            return fd < 0 ? null : new int[] {fd};
        }
        // C's printf writes a missing word as "(null)"
        out.error("expected 'id', 'name' or 'pinned', got: '" + (a.peek() != null ? a.peek() : "(null)") + "'?",
                null);
        return null;
    }

    /** The word after a handle keyword; bpftool would read past its arguments, so: the usage. */
    private static String requireWord(Args a) {
        if (a.peek() == null) {
            throw new Usage();
        }
        return a.peek();
    }

    /** {@code map_fd_by_name}: every live map whose name is this one, in id order. */
    private int[] byName(String name) {
        List<Integer> fds = new ArrayList<>();
        int[] id = {0};
        MapInfo[] info = new MapInfo[1];
        while (true) {
            int err = lib.mapGetNextId(id[0], id);
            if (err != 0) {
                if (err != Errno.ENOENT.ret()) {
                    out.error(Libbpf.strerror(err), lib.detail());
                    return closeAll(fds);
                }
                return fds.stream().mapToInt(Integer::intValue).toArray();
            }
            int fd = lib.mapGetFdById(id[0]);
            if (fd < 0) {
                out.error("can't get map by id (" + Integer.toUnsignedString(id[0]) + "): " + Libbpf.strerror(fd),
                        lib.detail());
                return closeAll(fds);
            }
            err = lib.objGetInfoByFd(fd, info);
            if (err != 0) {
                out.error("can't get map info (" + Integer.toUnsignedString(id[0]) + "): " + Libbpf.strerror(err),
                        lib.detail());
                lib.close(fd);
                return closeAll(fds);
            }
            if (!name.equals(info[0].name())) {
                lib.close(fd);
                continue;
            }
            fds.add(fd);
        }
    }

    private int[] closeAll(List<Integer> fds) {
        fds.forEach(lib::close);
        return null;
    }

    /** {@code open_obj_pinned_any(path, BPF_OBJ_MAP)}: the map pinned at the path. */
    int openPinned(String path) {
        int fd = lib.objGet(path);
        if (fd < 0) {
            String why;
            String shown = path;
            if (fd == Errno.EACCES.ret() && !isBpffs(dirname(path))) {
                why = "directory not in bpf file system (bpffs)";
                // bpftool's dirname() cuts its only copy of the path before printing it
                shown = dirname(path);
            } else {
                why = Libbpf.strerror(fd);
            }
            out.error("bpf obj get (" + shown + "): " + why, lib.detail());
            return -1;
        }
        return fd;
    }

    /** {@code map_parse_fd}: the one map the handle names, or -1 after printing why. */
    int parseFd(Args a) {
        int[] fds = parseFds(a);
        if (fds == null) {
            return -1;
        }
        if (fds.length > 1) {
            out.error("several maps match this handle", null);
            for (int fd : fds) {
                lib.close(fd);
            }
            return -1;
        }
        return fds[0];
    }

    /** {@code map_parse_fd_and_info}: the one map and its info in {@code info[0]}; negative on failure. */
    int parseFdAndInfo(Args a, MapInfo[] info) {
        int fd = parseFd(a);
        if (fd < 0) {
            return -1;
        }
        int err = lib.objGetInfoByFd(fd, info);
        if (err != 0) {
            out.error("can't get map info: " + Libbpf.strerror(err), lib.detail());
            lib.close(fd);
            return err;
        }
        return fd;
    }

    /**
     * bpftool's {@code is_bpffs(dir)} (a statfs for the bpffs magic), answered for the virtual
     * bpffs: the mount itself, a directory in it, or a pin in it. OBJ_GET tells them apart without
     * changing anything: a pin opens, a directory is EACCES.
     */
    boolean isBpffs(String dir) {
        List<String> parts = absoluteParts(dir);
        if (parts.size() < 3 || !parts.subList(0, 3).equals(List.of("sys", "fs", "bpf"))) {
            return false;
        }
        if (parts.size() == 3) {
            return true;
        }
        int fd = lib.objGet(dir);
        if (fd >= 0) {
            lib.close(fd);
            return true;
        }
        return fd == Errno.EACCES.ret();
    }

    /** The path's components after folding ".", ".." and repeated slashes, from the working directory. */
    private static List<String> absoluteParts(String path) {
        String full = path.startsWith("/") ? path : System.getProperty("user.dir", "/") + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String p : full.split("/")) {
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else if (!p.isEmpty() && !p.equals(".")) {
                parts.add(p);
            }
        }
        return parts;
    }

    /** POSIX {@code dirname}: "/a/b" is "/a", "/a" is "/", "a" is ".". */
    static String dirname(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        if (slash < 0) {
            return ".";
        }
        String dir = p.substring(0, slash);
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        return dir.isEmpty() ? "/" : dir;
    }
}
