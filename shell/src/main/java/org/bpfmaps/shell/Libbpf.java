package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.ObjAttr;

/**
 * The libbpf calls bpftool makes, over the {@link Bpf} dispatcher: each returns what libbpf
 * returns (an fd, an id, 0, or a negated errno), and after a failure {@link #detail()} holds the
 * dispatcher's reason when it says more than the errno's text.
 *
 * <p>One instance serves one command and owns the fds it opens: {@link #close()} closes any the
 * command did not, whatever path it took, so that no command leaves an fd behind.
 */
final class Libbpf implements AutoCloseable {
    private final Bpf bpf;
    private final Set<Integer> open = new LinkedHashSet<>();
    private String detail;

    Libbpf(Bpf bpf) {
        this.bpf = bpf;
    }

    /** The instance the calls go to (for what is no bpf(2) call: its sockets). */
    Bpf bpf() {
        return bpf;
    }

    /** {@code libbpf_num_possible_cpus()}: the instance's possible CPUs. */
    int possibleCpus() {
        return bpf.settings().possibleCpus();
    }

    /** The dispatcher's reason for the last failure, when it adds to the errno's text; else null. */
    String detail() {
        return detail;
    }

    /** {@code strerror(-ret)}, as glibc words it. */
    static String strerror(int ret) {
        Errno e = Errno.of(ret);
        return e != null ? e.text() : "Unknown error " + Math.abs(ret);
    }

    private int call(BpfCmd cmd, BpfAttr attr) {
        int ret = bpf.bpf(cmd, attr);
        detail = null;
        if (ret < 0) {
            String why = attr.errorMessage();
            detail = why != null && !why.equals(strerror(ret)) ? why : null;
        }
        return ret;
    }

    private int opened(int fd) {
        if (fd >= 0) {
            open.add(fd);
        }
        return fd;
    }

    int mapCreate(MapCreateAttr attr) {
        return opened(call(BpfCmd.MAP_CREATE, attr));
    }

    int objGet(String path) {
        return opened(call(BpfCmd.OBJ_GET, new ObjAttr(path, 0)));
    }

    int objPin(int fd, String path) {
        return call(BpfCmd.OBJ_PIN, new ObjAttr(path, fd));
    }

    int mapGetFdById(int id) {
        return opened(call(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(id)));
    }

    /** {@code bpf_map_get_next_id}: the next id in {@code next[0]}, or a negated errno. */
    int mapGetNextId(int start, int[] next) {
        GetIdAttr a = new GetIdAttr(start);
        int ret = call(BpfCmd.MAP_GET_NEXT_ID, a);
        next[0] = a.nextId;
        return ret;
    }

    /** {@code bpf_obj_get_info_by_fd} for a map: its info in {@code info[0]}, or a negated errno. */
    int objGetInfoByFd(int fd, MapInfo[] info) {
        InfoAttr a = new InfoAttr(fd);
        int ret = call(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        if (ret == 0) {
            info[0] = MapInfo.read(a.info, a.infoLen);
        }
        return ret;
    }

    int mapLookupElem(int fd, ByteBuffer key, ByteBuffer value) {
        return call(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, key, value, 0));
    }

    int mapUpdateElem(int fd, ByteBuffer key, ByteBuffer value, long flags) {
        return call(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, key, value, flags));
    }

    int mapDeleteElem(int fd, ByteBuffer key) {
        return call(BpfCmd.MAP_DELETE_ELEM, new MapElemAttr().set(fd, key, null, 0));
    }

    int mapLookupAndDeleteElem(int fd, ByteBuffer key, ByteBuffer value) {
        return call(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, key, value, 0));
    }

    int mapGetNextKey(int fd, ByteBuffer key, ByteBuffer nextKey) {
        MapElemAttr a = new MapElemAttr().set(fd, key, null, 0);
        a.nextKey = nextKey;
        return call(BpfCmd.MAP_GET_NEXT_KEY, a);
    }

    int mapFreeze(int fd) {
        return call(BpfCmd.MAP_FREEZE, new MapElemAttr(fd));
    }

    /** What /proc/self/fdinfo would show for the map fd (memlock, frozen), or null. */
    MapFdInfo fdinfo(int fd) {
        return bpf.fdinfo(fd);
    }

    /**
     * bpftool's {@code build_pinned_obj_table(BPF_OBJ_MAP)}: every pinned map's path and id, in
     * the order a walk of the bpffs finds them.
     */
    java.util.Map<String, Integer> pinnedMaps() {
        return bpf.pinnedMaps();
    }

    /** {@code close(fd)}; closing an fd twice is harmless, as bpftool sometimes does. */
    void close(int fd) {
        if (open.remove(fd)) {
            bpf.close(fd);
        }
    }

    /** The fds opened and not yet closed, oldest first. */
    List<Integer> openFds() {
        return new ArrayList<>(open);
    }

    /** Closes every fd this command opened and did not close. */
    @Override
    public void close() {
        for (int fd : openFds()) {
            close(fd);
        }
    }
}
