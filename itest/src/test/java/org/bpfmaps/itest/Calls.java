package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.TreeSet;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;

/** bpf(2) calls as a C test would make them, each returning what the syscall returns. */
final class Calls {
    private Calls() {
    }

    /** A {@code __u32} key, little-endian as on x86 and arm64. */
    static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
    }

    static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    }

    /** An ARRAY of 16 entries with 4-byte keys and 8-byte values; the fd, asserted to be valid. */
    static int createArray(Bpf bpf, String name) {
        MapCreateAttr a = new MapCreateAttr(MapType.ARRAY, 4, 8, 16).name(name);
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd > 0, () -> "MAP_CREATE " + name + " returned " + fd + ": " + a.errorMessage());
        return fd;
    }

    static int update(Bpf bpf, int fd, int key, long value) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, u32(key), u64(value), BpfFlags.ANY));
    }

    /** The 8-byte value at key, asserting the lookup succeeds. */
    static long lookup(Bpf bpf, int fd, int key) {
        ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        MapElemAttr a = new MapElemAttr().set(fd, u32(key), value, 0);
        int ret = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a);
        assertEquals(0, ret, () -> "lookup of key " + key + " on fd " + fd + ": " + a.errorMessage());
        return value.getLong(0);
    }

    /** What a lookup returns (0 or a negated errno), the value ignored. */
    static int lookupRet(Bpf bpf, int fd, int key) {
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, u32(key), ByteBuffer.allocate(8), 0));
    }

    /** OBJ_GET_INFO_BY_FD of a map, asserting it succeeds. */
    static MapInfo info(Bpf bpf, int fd) {
        InfoAttr a = new InfoAttr(fd);
        int ret = bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, a);
        assertEquals(0, ret, () -> "OBJ_GET_INFO_BY_FD of fd " + fd + ": " + a.errorMessage());
        return MapInfo.read(a.info, a.infoLen);
    }

    static int pin(Bpf bpf, int fd, String path) {
        return bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr(path, fd));
    }

    /** OBJ_GET of a pin: a new fd, asserted to be valid. */
    static int objGet(Bpf bpf, String path) {
        ObjAttr a = new ObjAttr(path, 0);
        int fd = bpf.bpf(BpfCmd.OBJ_GET, a);
        assertTrue(fd > 0, () -> "OBJ_GET " + path + " returned " + fd + ": " + a.errorMessage());
        return fd;
    }

    /** The names of every map an instance enumerates with MAP_GET_NEXT_ID. */
    static Set<String> mapNames(Bpf bpf) {
        Set<String> names = new TreeSet<>();
        GetIdAttr next = new GetIdAttr(0);
        while (bpf.bpf(BpfCmd.MAP_GET_NEXT_ID, next) == 0) {
            int fd = bpf.bpf(BpfCmd.MAP_GET_FD_BY_ID, new GetIdAttr(next.nextId));
            assertTrue(fd > 0, "MAP_GET_FD_BY_ID " + next.nextId + " returned " + fd);
            names.add(info(bpf, fd).name());
            assertEquals(0, bpf.close(fd));
            next.startId = next.nextId;
        }
        assertEquals(Errno.ENOENT, next.errno(), next::errorMessage);
        return names;
    }
}
