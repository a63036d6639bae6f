package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * The commands on objects rather than elements: OBJ_PIN, OBJ_GET, the id commands of every kind
 * (MAP_, PROG_ and LINK_GET_NEXT_ID and _GET_FD_BY_ID) and OBJ_GET_INFO_BY_FD, with the kernel's
 * checks and errnos. Nothing here names a kind but for the rules of the commands themselves: what
 * differs between kinds is asked of the {@link ObjectKind} and the object.
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
        if (a.tail != 0) {
            return pastLastField(a, "OBJ_PIN", 20);
        }
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
        if (o != null && !o.kind().pinnable()) {
            // bpf_fd_probe_obj tries map, prog and link and answers EINVAL for anything else
            return a.fail(Errno.EINVAL, "bpf_fd %d is a " + o.kind().name() + ": only maps, programs and links can "
                    + "be pinned", a.bpfFd);
        }
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
        if (a.tail != 0) {
            return pastLastField(a, "OBJ_GET", 20);
        }
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

    /**
     * MAP_, PROG_ and LINK_GET_NEXT_ID ({@code bpf_obj_get_next_id}): the smallest id above
     * start_id in the id space of the kind that answers the command; ENOENT at the end, and while
     * no kind answering it has objects here, as a kernel with no program loaded answers.
     */
    static int nextId(Instance in, BpfCmd cmd, GetIdAttr a) {
        // CHECK_ATTR: open_flags lies past next_id, this command's last field
        if (a.tail != 0) {
            return pastLastField(a, cmd.name(), 12);
        }
        if (a.openFlags != 0) {
            return a.fail(Errno.EINVAL, "open_flags 0x%x: " + cmd + " takes none", a.openFlags);
        }
        if (Integer.toUnsignedLong(a.startId) >= Integer.MAX_VALUE) {
            return a.fail(Errno.EINVAL, "start_id %d: ids are below %d", Integer.toUnsignedLong(a.startId),
                    Integer.MAX_VALUE);
        }
        ObjectKind kind = in.table.kindFor(cmd);
        BpfObject o = in.table.nextById(kind, a.startId, x -> true);
        if (o == null) {
            return a.fail(Errno.ENOENT, "no " + noun(cmd, kind) + " has an id above %d",
                    Integer.toUnsignedLong(a.startId));
        }
        a.nextId = o.id();
        return 0;
    }

    /**
     * MAP_, PROG_ and LINK_GET_FD_BY_ID: a new fd on the live object with that id. Only the map
     * command takes open_flags (BPF_F_RDONLY or BPF_F_WRONLY); for the others anything past the id
     * is EINVAL ({@code CHECK_ATTR}), as measured on 6.18.
     */
    static int fdById(Instance in, BpfCmd cmd, GetIdAttr a) {
        if (a.tail != 0) {
            return pastLastField(a, cmd.name(), 12);
        }
        if (cmd == BpfCmd.MAP_GET_FD_BY_ID) {
            if ((a.openFlags & ~OBJ_FLAG_MASK) != 0) {
                return a.fail(Errno.EINVAL, "open_flags 0x%x: only BPF_F_RDONLY (0x8) and BPF_F_WRONLY (0x10)",
                        a.openFlags);
            }
            if ((a.openFlags & OBJ_FLAG_MASK) == OBJ_FLAG_MASK) {
                return a.fail(Errno.EINVAL, "open_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
            }
        } else if (a.nextId != 0 || a.openFlags != 0) {
            return a.fail(Errno.EINVAL, cmd + " takes only the id: next_id %d and open_flags 0x%x must be 0",
                    Integer.toUnsignedLong(a.nextId), a.openFlags);
        }
        ObjectKind kind = in.table.kindFor(cmd);
        BpfObject o = in.table.byId(kind, a.startId);
        if (o == null || !o.retain()) {
            return a.fail(Errno.ENOENT, "no " + noun(cmd, kind) + " has id %d", Integer.toUnsignedLong(a.startId));
        }
        return install(in, o, a.openFlags, a);
    }

    /** CHECK_ATTR: a non-zero byte of the attr past the command's last field is EINVAL. */
    private static int pastLastField(ErrorSink a, String cmd, int end) {
        return a.fail(Errno.EINVAL, "the attr has non-zero bytes past " + cmd + "'s last field (offset %d)", end);
    }

    /** What a message calls the objects of an id command: the kind's name, or the command's family. */
    private static String noun(BpfCmd cmd, ObjectKind kind) {
        if (kind != null) {
            return kind.name();
        }
        String c = cmd.name();
        return c.substring(0, c.indexOf('_')).toLowerCase(java.util.Locale.ROOT);
    }

    /** Opens an fd on an object whose reference the caller holds; EMFILE (and the reference dropped) at the limit. */
    static int install(Instance in, BpfObject o, int access, ErrorSink a) {
        int fd = in.table.install(o, access);
        if (fd < 0) {
            o.release();
            return a.fail(Errno.EMFILE, "%d fds are open, the instance's limit", in.settings.maxFds());
        }
        return fd;
    }

    /** OBJ_GET_INFO_BY_FD: EBADFD for an fd that is not open; else what the object answers. */
    static int info(Instance in, InfoAttr a) {
        if (a.tail != 0) {
            return pastLastField(a, "OBJ_GET_INFO_BY_FD", 16);
        }
        FdEntry e = in.table.entry(a.bpfFd);
        if (e == null) {
            return a.fail(Errno.EBADFD, "bpf_fd %d is not an open fd", a.bpfFd);
        }
        return e.obj.info(a);
    }

    /**
     * A kind's info struct ({@code struct bpf_prog_info}, ...) from position to limit: the checks
     * of {@code bpf_check_uarg_tail_zero} against its size, then the copy of
     * {@code min(info_len, size)} bytes.
     */
    static int copyInfo(ByteBuffer struct, InfoAttr a) {
        int err = tailZero(a, struct.remaining());
        return err != 0 ? err : copyOut(struct, a);
    }

    /** PAGE_SIZE: the most bytes bpf_check_uarg_tail_zero looks at. */
    private static final int PAGE_SIZE = 4096;

    /** bpf_check_uarg_tail_zero: the caller's bytes past the {@code known} ones must be zero. */
    static int tailZero(InfoAttr a, int known) {
        long len = Integer.toUnsignedLong(a.infoLen);
        if (len > known && len > PAGE_SIZE) {
            // bpf_check_uarg_tail_zero refuses a struct larger than a page before reading it
            return a.fail(Errno.E2BIG, "info_len %d is more than a page (%d) and more than this kernel reads", len,
                    PAGE_SIZE);
        }
        if (len > known && Bytes.canRead(a.info, 0, len)) {
            for (int i = known; i < len; i++) {
                if (a.info.get(a.info.position() + i) != 0) {
                    return a.fail(Errno.E2BIG, "info byte %d is not zero; this kernel reads %d bytes of it", i,
                            known);
                }
            }
        } else if (len > known) {
            return a.fail(Errno.EFAULT, "info holds fewer than info_len (%d) bytes", len);
        }
        return 0;
    }

    /** Copies {@code min(info_len, struct's size)} bytes of the struct out and sets info_len to that. */
    static int copyOut(ByteBuffer struct, InfoAttr a) {
        int n = (int) Math.min(Integer.toUnsignedLong(a.infoLen), struct.remaining());
        if (n > 0 && !Bytes.canWrite(a.info, 0, n)) {
            return a.fail(Errno.EFAULT, "info has room for fewer than info_len (%d) bytes", n);
        }
        if (n > 0) {
            Bytes.copy(struct, struct.position(), a.info, a.info.position(), n);
        }
        a.infoLen = n;
        return 0;
    }

    /** A map's info: {@code struct bpf_map_info}, whose hash fields ask for what no map here computes. */
    static int mapInfo(MapObject m, InfoAttr a) {
        int err = tailZero(a, INFO_INPUT_END);
        if (err != 0) {
            return err;
        }
        long len = Integer.toUnsignedLong(a.infoLen);
        if (len > MapInfo.OFF_HASH && Bytes.canRead(a.info, 0, Math.min(len, INFO_INPUT_END))) {
            // the hash and hash_size fields ask for the map's hash, which no map type here computes
            for (int i = MapInfo.OFF_HASH; i < Math.min(len, INFO_INPUT_END); i++) {
                if (a.info.get(a.info.position() + i) != 0) {
                    return a.fail(Errno.EINVAL, "info.hash/hash_size (bytes 88..99) must be zero: map hashes "
                            + "are not supported");
                }
            }
        }
        return copyOut(encode(m), a);
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
