package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;

/**
 * The commands on objects rather than elements: OBJ_PIN, OBJ_GET, MAP_GET_NEXT_ID,
 * MAP_GET_FD_BY_ID and OBJ_GET_INFO_BY_FD, with the kernel's checks and errnos.
 */
final class ObjCommands {
    private ObjCommands() {
    }

    /** The file flags an fd may be opened with ({@code BPF_OBJ_FLAG_MASK}). */
    private static final int OBJ_FLAG_MASK = BpfFlags.F_RDONLY | BpfFlags.F_WRONLY;

    /**
     * The bytes of {@code struct bpf_map_info} the kernel reads as input (up to the end of
     * hash_size); a non-zero byte past them is E2BIG, as measured on 6.18.
     */
    private static final int INFO_INPUT_END = MapInfo.OFF_HASH_SIZE + 4;

    static int pin(Instance in, ObjAttr a) {
        int err0;
        if ((a.fileFlags & ~BpfFlags.F_PATH_FD) != 0) {
            return a.fail(Errno.EINVAL, "file_flags 0x%x: OBJ_PIN takes only BPF_F_PATH_FD", a.fileFlags);
        }
        if ((a.fileFlags & BpfFlags.F_PATH_FD) == 0 && a.pathFd != 0) {
            return a.fail(Errno.EINVAL, "path_fd is set without BPF_F_PATH_FD");
        }
        if ((err0 = pathFdCheck(a)) != 0) {
            return err0;
        }
        BpfObject o = in.table.get(a.bpfFd);
        if (o == null || !o.retain()) {
            return a.fail(Errno.EINVAL, "bpf_fd %d is not an open BPF object", a.bpfFd);
        }
        if (a.pathname == null) {
            o.release();
            return a.fail(Errno.EFAULT, "pathname is NULL");
        }
        int err = in.fs.pin(a.pathname, o, a);
        if (err != 0) {
            o.release();
        }
        return err;
    }

    static int get(Instance in, ObjAttr a) {
        if (a.bpfFd != 0 || (a.fileFlags & ~(OBJ_FLAG_MASK | BpfFlags.F_PATH_FD)) != 0) {
            return a.fail(Errno.EINVAL, "OBJ_GET takes bpf_fd 0 and file_flags of BPF_F_RDONLY, BPF_F_WRONLY "
                    + "or BPF_F_PATH_FD only");
        }
        if ((a.fileFlags & BpfFlags.F_PATH_FD) == 0 && a.pathFd != 0) {
            return a.fail(Errno.EINVAL, "path_fd is set without BPF_F_PATH_FD");
        }
        int err0 = pathFdCheck(a);
        if (err0 != 0) {
            return err0;
        }
        if ((a.fileFlags & OBJ_FLAG_MASK) == OBJ_FLAG_MASK) {
            return a.fail(Errno.EINVAL, "file_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
        }
        if (a.pathname == null) {
            return a.fail(Errno.EFAULT, "pathname is NULL");
        }
        int[] err = new int[1];
        BpfObject o = in.fs.get(a.pathname, a, err);
        if (o == null) {
            return err[0];
        }
        return install(in, o, a.fileFlags & OBJ_FLAG_MASK, a);
    }

    /**
     * BPF_F_PATH_FD resolves a relative path against a directory fd; this bpffs has no directory
     * fds, so only absolute paths (for which the kernel ignores path_fd) are accepted with it.
     */
    private static int pathFdCheck(ObjAttr a) {
        if ((a.fileFlags & BpfFlags.F_PATH_FD) != 0 && a.pathname != null && !a.pathname.startsWith("/")) {
            return a.fail(Errno.EBADF, "path_fd %d: directory fds are not supported here; give an absolute path",
                    a.pathFd);
        }
        return 0;
    }

    static int nextId(Instance in, GetIdAttr a) {
        if (Integer.toUnsignedLong(a.startId) >= Integer.MAX_VALUE) {
            return a.fail(Errno.EINVAL, "start_id %d: ids are below %d", Integer.toUnsignedLong(a.startId),
                    Integer.MAX_VALUE);
        }
        BpfObject o = in.table.nextById(ObjectKind.MAP, a.startId, x -> true);
        if (o == null) {
            return a.fail(Errno.ENOENT, "no map has an id above %d", Integer.toUnsignedLong(a.startId));
        }
        a.nextId = o.id();
        return 0;
    }

    static int fdById(Instance in, GetIdAttr a) {
        if ((a.openFlags & ~OBJ_FLAG_MASK) != 0) {
            return a.fail(Errno.EINVAL, "open_flags 0x%x: only BPF_F_RDONLY (0x8) and BPF_F_WRONLY (0x10)",
                    a.openFlags);
        }
        if ((a.openFlags & OBJ_FLAG_MASK) == OBJ_FLAG_MASK) {
            return a.fail(Errno.EINVAL, "open_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
        }
        BpfObject o = in.table.byId(ObjectKind.MAP, a.startId);
        if (o == null || !o.retain()) {
            return a.fail(Errno.ENOENT, "no map has id %d", Integer.toUnsignedLong(a.startId));
        }
        return install(in, o, a.openFlags, a);
    }

    private static int install(Instance in, BpfObject o, int access, org.bpfmaps.core.api.BpfAttr a) {
        int fd = in.table.install(o, access);
        if (fd < 0) {
            o.release();
            return a.fail(Errno.EMFILE, "%d fds are open, the instance's limit", in.settings.maxFds());
        }
        return fd;
    }

    static int info(Instance in, InfoAttr a) {
        FdEntry e = in.table.entry(a.bpfFd);
        if (e == null) {
            return a.fail(Errno.EBADFD, "bpf_fd %d is not an open fd", a.bpfFd);
        }
        if (!(e.obj instanceof MapObject m)) {
            return a.fail(Errno.EINVAL, "bpf_fd %d is not a BPF object with info", a.bpfFd);
        }
        long len = Integer.toUnsignedLong(a.infoLen);
        if (len > INFO_INPUT_END && Bytes.canRead(a.info, 0, len)) {
            // bpf_check_uarg_tail_zero: bytes past what this kernel reads must be zero
            for (int i = INFO_INPUT_END; i < len; i++) {
                if (a.info.get(a.info.position() + i) != 0) {
                    return a.fail(Errno.E2BIG, "info byte %d is not zero; this kernel reads %d bytes of it", i,
                            INFO_INPUT_END);
                }
            }
        } else if (len > INFO_INPUT_END) {
            return a.fail(Errno.EFAULT, "info holds fewer than info_len (%d) bytes", len);
        }
        if (len > MapInfo.OFF_HASH && Bytes.canRead(a.info, 0, Math.min(len, INFO_INPUT_END))) {
            // the hash and hash_size fields ask for the map's hash, which no map type here computes
            for (int i = MapInfo.OFF_HASH; i < Math.min(len, INFO_INPUT_END); i++) {
                if (a.info.get(a.info.position() + i) != 0) {
                    return a.fail(Errno.EINVAL, "info.hash/hash_size (bytes 88..99) must be zero: map hashes "
                            + "are not supported");
                }
            }
        }
        int n = (int) Math.min(len, BpfFlags.MAP_INFO_SIZE);
        if (n > 0 && !Bytes.canWrite(a.info, 0, n)) {
            return a.fail(Errno.EFAULT, "info has room for fewer than info_len (%d) bytes", n);
        }
        if (n > 0) {
            Bytes.copy(encode(m), 0, a.info, a.info.position(), n);
        }
        a.infoLen = n;
        return 0;
    }

    /** The map's {@code struct bpf_map_info}, in the kernel's layout and host byte order. */
    static ByteBuffer encode(MapObject m) {
        MapDef d = m.def;
        ByteBuffer b = ByteBuffer.allocate(BpfFlags.MAP_INFO_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(MapInfo.OFF_TYPE, d.type().number());
        b.putInt(MapInfo.OFF_ID, m.id());
        b.putInt(MapInfo.OFF_KEY_SIZE, d.keySize());
        b.putInt(MapInfo.OFF_VALUE_SIZE, d.valueSize());
        b.putInt(MapInfo.OFF_MAX_ENTRIES, d.maxEntries());
        b.putInt(MapInfo.OFF_MAP_FLAGS, m.infoFlags());
        byte[] name = d.name().getBytes(StandardCharsets.US_ASCII);
        b.put(MapInfo.OFF_NAME, name, 0, Math.min(name.length, BpfFlags.OBJ_NAME_LEN - 1));
        b.putLong(MapInfo.OFF_MAP_EXTRA, d.mapExtra());
        return b;
    }
}
