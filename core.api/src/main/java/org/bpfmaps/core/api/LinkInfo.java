package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A link's {@code struct bpf_link_info} as OBJ_GET_INFO_BY_FD writes it (64 bytes on 6.18, host
 * byte order): the link's type, id and program, and for an XDP link its device (0 once detached).
 *
 * @param type {@code enum bpf_link_type}: {@link #TYPE_XDP}
 * @param id the link's id
 * @param progId the id of the program it runs
 * @param ifindex {@code xdp.ifindex}: the device, or 0 for a detached link
 */
public record LinkInfo(int type, int id, int progId, int ifindex) {
    /** {@code sizeof(struct bpf_link_info)} on 6.18. */
    public static final int SIZE = 64;
    /** {@code BPF_LINK_TYPE_XDP}. */
    public static final int TYPE_XDP = 6;
    public static final int OFF_TYPE = 0;
    public static final int OFF_ID = 4;
    public static final int OFF_PROG_ID = 8;
    /** The union's first field, {@code xdp.ifindex}. */
    public static final int OFF_XDP_IFINDEX = 16;

    /** Decodes {@code len} bytes (of the kernel's layout) from the buffer's position. */
    public static LinkInfo read(ByteBuffer info, int len) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        int n = Math.min(len, SIZE);
        for (int i = 0; i < n; i++) {
            b.put(i, info.get(info.position() + i));
        }
        return new LinkInfo(b.getInt(OFF_TYPE), b.getInt(OFF_ID), b.getInt(OFF_PROG_ID), b.getInt(OFF_XDP_IFINDEX));
    }

    /** The name bpftool prints for the type ({@code xdp}), or the number. */
    public String typeName() {
        return type == TYPE_XDP ? "xdp" : Integer.toString(type);
    }
}
