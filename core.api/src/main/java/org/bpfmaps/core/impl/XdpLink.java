package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.LinkInfo;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * An XDP link (the kernel's {@code struct bpf_xdp_link}, net/core/dev.c): a kind
 * {@link ObjectKind#LINK} object that holds one reference on its program and runs it on one device
 * in one mode. The device is detached when the link's last reference (fd or pin) goes
 * ({@code bpf_xdp_link_release}) or at LINK_DETACH; a detached link keeps its id, fds, pins and
 * program, and answers ifindex 0. The device state ({@link XdpDevices}) is changed under its lock.
 */
final class XdpLink extends BpfObject {
    private final XdpDevices devices;
    /** The mode flags it was made with ({@code XDP_FLAGS_*} & MODES). */
    final int flags;
    /** The program; replaced by LINK_UPDATE under the devices' lock. */
    volatile ProgObject prog;
    /** The device, or 0 once detached; written under the devices' lock. */
    volatile int ifindex;

    XdpLink(XdpDevices devices, ProgObject prog, int ifindex, int flags) {
        super(ObjectKind.LINK);
        this.devices = devices;
        this.prog = prog;
        this.ifindex = ifindex;
        this.flags = flags;
    }

    /** {@code bpf_link_get_info_by_fd} with {@code bpf_xdp_link_fill_link_info}: type, id, prog_id, xdp.ifindex. */
    @Override
    int info(InfoAttr a) {
        ByteBuffer b = ByteBuffer.allocate(LinkInfo.SIZE).order(ByteOrder.nativeOrder());
        b.putInt(LinkInfo.OFF_TYPE, LinkInfo.TYPE_XDP);
        b.putInt(LinkInfo.OFF_ID, id());
        b.putInt(LinkInfo.OFF_PROG_ID, prog.id());
        b.putInt(LinkInfo.OFF_XDP_IFINDEX, ifindex);
        return ObjCommands.copyInfo(b, a);
    }

    /** {@code bpf_link_show_fdinfo} with {@code bpf_xdp_link_show_fdinfo}'s ifindex line, as on 6.18. */
    @Override
    Map<String, String> fdinfoLines() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("link_type", "xdp");
        m.put("link_id", Integer.toString(id()));
        ProgObject p = prog;
        m.put("prog_tag", p.fdinfoLines().get("prog_tag"));
        m.put("prog_id", Integer.toString(p.id()));
        m.put("ifindex", Integer.toString(ifindex));
        return m;
    }

    /** The last reference went: the device is detached, the program released. */
    @Override
    protected void free() {
        devices.detach(this);
        prog.release();
    }
}
