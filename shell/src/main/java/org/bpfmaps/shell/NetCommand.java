package org.bpfmaps.shell;

import java.util.List;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.LinkCreateAttr;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.XdpAttach;
import org.bpfmaps.core.xdp.XdpAttachment;

/**
 * {@code net ...}: bpftool's {@code net} object (tools/bpf/bpftool/net.c) for XDP on the instance's
 * devices: {@code net attach xdp PROG dev NAME [overwrite]} and {@code net detach xdp dev NAME}
 * attach without a link, as bpftool does over netlink ({@code bpf_xdp_attach}: without
 * {@code overwrite}, XDP_FLAGS_UPDATE_IF_NOEXIST; {@code xdpgeneric}, {@code xdpdrv} and
 * {@code xdpoffload} add their mode flag), with the kernel's rules ({@link XdpAttach}); {@code net
 * show [dev NAME]} prints what runs on each device in bpftool's layout (the {@code xdp:} section
 * with {@code NAME(IFINDEX) MODE id ID}, then the empty {@code tc:} and {@code flow_dissector:}
 * sections: the emulation has neither), JSON included, as bpftool 7.1 prints them on 6.18. The
 * same Error lines and exit codes as bpftool's (the negated errno's low byte, 255 for -1).
 */
public final class NetCommand extends ObjectCommand {
    static final String USAGE = """
            Usage: net { show | list } [dev <devname>]
                   net attach ATTACH_TYPE PROG dev <devname> [ overwrite ]
                   net detach ATTACH_TYPE dev <devname>
                   net help

                   PROG := { id PROG_ID | pinned FILE | name PROG_NAME }
                   ATTACH_TYPE := { xdp | xdpgeneric | xdpdrv | xdpoffload }
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }

            Note: Only xdp attachments are supported here (the devices have no tc).
            """;

    /** bpftool's {@code cmds[]} of net, in its order. */
    static final List<String> COMMANDS = List.of("show", "list", "attach", "detach", "help");

    /** bpftool's {@code attach_type_strings}, with the mode flag each adds. */
    static final List<String> ATTACH_TYPES = List.of("xdp", "xdpgeneric", "xdpdrv", "xdpoffload");
    private static final int[] MODE_FLAGS = {0, LinkCreateAttr.XDP_FLAGS_SKB_MODE, LinkCreateAttr.XDP_FLAGS_DRV_MODE,
        LinkCreateAttr.XDP_FLAGS_HW_MODE};

    public NetCommand(Bpf bpf) {
        super(bpf, USAGE, "net");
    }

    @Override
    int body(Output out, List<String> w) {
        String command = COMMANDS.get(CommandFrame.choose(COMMANDS, w));
        Args a = CommandFrame.afterCommand(w);
        return switch (command) {
            case "show", "list" -> show(out, a);
            case "attach" -> attach(out, a);
            case "detach" -> detach(out, a);
            default -> help(out);
        };
    }

    /** {@code parse_attach_type}: the first type the word abbreviates, or -1. */
    static int attachType(String word) {
        for (int i = 0; i < ATTACH_TYPES.size(); i++) {
            if (Args.isPrefix(word, ATTACH_TYPES.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The ATTACH_TYPE word's index (the word read), or -1 after bpftool's Error line. */
    private static int attachType(Output out, Args a) {
        int type = attachType(a.peek());
        if (type < 0) {
            out.error("invalid net attach/detach type: " + a.peek(), null);
            return -1;
        }
        a.next();
        return type;
    }

    /** {@code net_parse_dev}: the ifindex after {@code dev NAME}, or -1 after an Error line. */
    private int parseDev(Output out, Args a) {
        if (!a.is("dev")) {
            out.error("expected 'dev', got: '" + a.peek() + "'?", null);
            return -1;
        }
        a.next();
        String name = a.next();
        NetDevice d = name == null ? null : NetDevices.of(bpf).byName(name);
        if (d == null) {
            out.error("invalid devname " + name, "dev list shows the instance's devices");
            return -1;
        }
        return d.ifindex();
    }

    /** {@code do_attach}: ATTACH_TYPE PROG dev NAME [overwrite]. */
    private int attach(Output out, Args a) {
        if (!a.require(5, out)) {
            return Errno.EINVAL.ret();
        }
        int type = attachType(out, a);
        if (type < 0) {
            return Errno.EINVAL.ret();
        }
        int prog = new ProgCommand(bpf).progFd(out, a);
        if (prog < 0) {
            return Errno.EINVAL.ret();
        }
        try {
            int ifindex = parseDev(out, a);
            if (ifindex < 1) {
                return Errno.EINVAL.ret();
            }
            boolean overwrite = false;
            if (a.argc() > 0) {
                if (!a.is("overwrite")) {
                    out.error("expected 'overwrite', got: '" + a.peek() + "'?", null);
                    return Errno.EINVAL.ret();
                }
                overwrite = true;
            }
            int flags = (overwrite ? 0 : LinkCreateAttr.XDP_FLAGS_UPDATE_IF_NOEXIST) | MODE_FLAGS[type];
            XdpReason why = new XdpReason();
            int err = XdpAttach.attach(bpf, ifindex, prog, flags, XdpAttach.NO_EXPECTED_FD, why);
            if (err < 0) {
                out.error("interface " + ATTACH_TYPES.get(type) + " attach failed: " + Libbpf.strerror(err), why.text);
                return err;
            }
            if (out.isJson()) {
                out.json().nul();
            }
            return 0;
        } finally {
            bpf.close(prog); // the device holds the program now
        }
    }

    /** {@code do_detach}: ATTACH_TYPE dev NAME, the program of that mode off the device. */
    private int detach(Output out, Args a) {
        if (!a.require(3, out)) {
            return Errno.EINVAL.ret();
        }
        int type = attachType(out, a);
        if (type < 0) {
            return Errno.EINVAL.ret();
        }
        int ifindex = parseDev(out, a);
        if (ifindex < 1) {
            return Errno.EINVAL.ret();
        }
        XdpReason why = new XdpReason();
        // bpftool passes overwrite as NULL here: XDP_FLAGS_UPDATE_IF_NOEXIST with fd -1
        int err = XdpAttach.detach(bpf, ifindex, LinkCreateAttr.XDP_FLAGS_UPDATE_IF_NOEXIST | MODE_FLAGS[type], why);
        if (err < 0) {
            out.error("interface " + ATTACH_TYPES.get(type) + " detach failed: " + Libbpf.strerror(err), why.text);
            return err;
        }
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }

    /** {@code do_show}: the xdp, tc and flow_dissector sections, every device or the one named. */
    private int show(Output out, Args a) {
        int filter = 0;
        if (a.argc() == 2) {
            filter = parseDev(out, a);
            if (filter < 1) {
                return -1;
            }
        } else if (a.argc() != 0) {
            throw new Usage();
        }
        JsonWriter j = out.json();
        StringBuilder b = new StringBuilder();
        if (j != null) {
            j.startArray();
            j.startObject();
            j.name("xdp");
            j.startArray();
        } else {
            b.append("xdp:\n");
        }
        for (NetDevice d : NetDevices.of(bpf).list()) {
            XdpAttachment x = XdpAttach.query(bpf, d.ifindex());
            if (filter != 0 && d.ifindex() != filter || x == null || x.attached() == XdpAttachment.ATTACHED_NONE) {
                continue;
            }
            if (j != null) {
                j.startObject();
                j.stringField("devname", d.name());
                j.numberField("ifindex", d.ifindex());
                j.stringField("mode", x.modeName());
                j.unsignedField("id", x.progId());
                j.endObject();
            } else {
                b.append(d.name()).append('(').append(d.ifindex()).append(") ").append(x.modeName()).append(" id ")
                        .append(Integer.toUnsignedString(x.progId())).append('\n');
            }
        }
        if (j != null) {
            j.endArray();
            j.name("tc");
            j.startArray();
            j.endArray();
            j.name("flow_dissector");
            j.startArray();
            j.endArray();
            j.endObject();
            j.endArray();
        } else {
            b.append("\ntc:\n\nflow_dissector:\n\n");
            out.print(b.toString());
        }
        return 0;
    }
}
