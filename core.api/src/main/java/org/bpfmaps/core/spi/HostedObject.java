package org.bpfmaps.core.spi;

import java.nio.ByteBuffer;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An object a bundle installs into an instance through {@link ObjectHost#install}: a socket, a
 * program, a link. The core holds it in the instance's fd table beside the maps and counts its
 * references (each fd, each pin); the bundle keeps what the object is (a channel, a program's
 * code) and answers for it here.
 *
 * <p>The core calls these methods from the thread of the command that needs them, never under a
 * lock of the bundle's. A method that throws is treated as the kernel treats a fault: info becomes
 * EFAULT, and a throwing {@link #release} is ignored (the object is gone either way).
 */
@ConsumerType
public interface HostedObject {
    /** The object's kind; the same instance every time. */
    ObjectKind kind();

    /**
     * What OBJ_GET_INFO_BY_FD copies out: the kind's info struct ({@code struct bpf_prog_info},
     * {@code struct bpf_link_info}, ...) in the kernel's layout and the host's byte order, from
     * position 0 to its limit (the struct's size). The core copies {@code min(info_len, size)}
     * bytes and answers E2BIG when the caller's bytes past the size are not zero
     * ({@code bpf_check_uarg_tail_zero}). Null, the default, for a kind without info (sockets):
     * the command answers EINVAL, as the kernel does for a file that is no BPF object.
     *
     * @param id the object's id in its kind's id space (0 for a kind without ids)
     */
    default ByteBuffer info(int id) {
        return null;
    }

    /**
     * The lines {@code /proc/self/fdinfo} shows for an fd of this object after the common ones, in
     * order ({@code prog_type}, {@code prog_id}, ...). Empty, the default, for none.
     *
     * @param id the object's id (0 for a kind without ids)
     */
    default Map<String, String> fdinfo(int id) {
        return Map.of();
    }

    /**
     * The last reference is gone: the last fd closed and, for a pinnable kind, the last pin
     * removed, or the instance closed. Called once; the object's id is no longer found when it
     * runs. A socket closes its channel here.
     */
    void release();
}
