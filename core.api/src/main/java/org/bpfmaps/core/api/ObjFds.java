package org.bpfmaps.core.api;

/**
 * The object calls {@link BpfLink} and {@link BpfProgram} make alike on the fd each holds (OBJ_GET,
 * *_GET_FD_BY_ID, OBJ_PIN), each failure a {@link BpfException} naming the command.
 */
final class ObjFds {
    private ObjFds() {
    }

    /** OBJ_GET: a new fd on the object pinned at {@code path}. */
    static int objGet(Bpf bpf, String path) {
        ObjAttr a = new ObjAttr(path, 0);
        int fd = bpf.bpf(BpfCmd.OBJ_GET, a);
        if (fd < 0) {
            throw BpfException.of("OBJ_GET " + path, fd, a);
        }
        return fd;
    }

    /** {@code cmd} (a *_GET_FD_BY_ID): a new fd on the object with this id. */
    static int fdById(Bpf bpf, BpfCmd cmd, int id) {
        GetIdAttr a = new GetIdAttr(id);
        int fd = bpf.bpf(cmd, a);
        if (fd < 0) {
            throw BpfException.of(cmd.name() + " " + Integer.toUnsignedString(id), fd, a);
        }
        return fd;
    }

    /** OBJ_PIN of {@code fd} at {@code path} in the instance's bpffs. */
    static void pin(Bpf bpf, int fd, String path) {
        ObjAttr a = new ObjAttr(path, fd);
        int r = bpf.bpf(BpfCmd.OBJ_PIN, a);
        if (r < 0) {
            throw BpfException.of("OBJ_PIN " + path, r, a);
        }
    }
}
