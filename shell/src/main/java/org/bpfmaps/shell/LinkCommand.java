package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.LinkDetachAttr;
import org.bpfmaps.core.api.LinkInfo;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgInfo;

/**
 * {@code link ...}: bpftool's {@code link} object (tools/bpf/bpftool/link.c of bpftool 7.1) over the
 * instance's links (XDP links made by LINK_CREATE): {@code show|list [LINK]} ({@code ID: xdp  prog
 * PROG_ID  }, JSON {@code {"id","type","prog_id"}}: bpftool 7.1 prints nothing more for an XDP link,
 * as it printed on 6.18 here), {@code pin LINK FILE}, {@code detach LINK} (LINK_DETACH: the device
 * stops running the program, the link stays), with bpftool's Error lines and exit codes (detach's
 * is 1, show's and pin's the negated errno).
 */
public final class LinkCommand extends ObjectCommand {
    static final String USAGE = """
            Usage: link { show | list }   [LINK]
                   link pin        LINK  FILE
                   link detach     LINK
                   link help

                   LINK := { id LINK_ID | pinned FILE }
                   OPTIONS := { {-j|--json} [{-p|--pretty}] }
            """;

    /** bpftool's {@code cmds[]} of link, in its order. */
    static final List<String> COMMANDS = List.of("show", "list", "help", "pin", "detach");

    public LinkCommand(Bpf bpf) {
        super(bpf, USAGE, "link");
    }

    @Override
    int body(Output out, List<String> w) {
        String command = COMMANDS.get(CommandFrame.choose(COMMANDS, w));
        Args a = CommandFrame.afterCommand(w);
        return switch (command) {
            case "show", "list" -> show(out, a);
            case "pin" -> pin(out, a);
            case "detach" -> detach(out, a);
            default -> help(out);
        };
    }

    /** The info of a link's fd, or null when the fd is another object (its info has another size). */
    private LinkInfo info(int fd) {
        InfoAttr i = new InfoAttr(fd);
        i.infoLen = 256; // a link's info is 64 bytes long, a map's 104, a program's 232
        i.info = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        if (bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i) < 0 || i.infoLen != LinkInfo.SIZE) {
            return null;
        }
        return LinkInfo.read(i.info, i.infoLen);
    }

    /** {@code link_parse_fd}: an fd on the link LINK names, or a negative number after an Error line. */
    private int linkFd(Output out, Args a) {
        String kw = a.next();
        String arg = a.next();
        if (Args.isPrefix(kw, "id")) {
            Long id = CNumbers.strtoul(arg, 0); // strtoul(.., 0) into a __u32, as bpftool
            if (id == null) {
                out.error("can't parse " + arg + " as ID", null);
                return -1;
            }
            GetIdAttr g = new GetIdAttr((int) (long) id);
            int fd = bpf.bpf(BpfCmd.LINK_GET_FD_BY_ID, g);
            if (fd < 0) {
                // bpftool prints the u32 id with %d
                out.error("failed to get link with ID " + (int) (long) id + ": " + Libbpf.strerror(fd), g.errorMessage());
            }
            return fd;
        }
        if (Args.isPrefix(kw, "pinned")) {
            int fd = CommandFrame.objGet(bpf, out, arg);
            if (fd < 0) {
                return -1;
            }
            int len = infoLen(fd);
            if (len != LinkInfo.SIZE) {
                bpf.close(fd);
                // bpftool's get_fd_type_name
                out.error("incorrect object type: " + (len == ProgInfo.SIZE ? "prog" : len > 0 ? "map" : "unknown"), null);
                return -1;
            }
            return fd;
        }
        out.error("expected 'id' or 'pinned', got: '" + kw + "'?", null);
        return -1;
    }

    /** The length OBJ_GET_INFO_BY_FD gives the fd's info (which says what kind of object it is), or -1. */
    private int infoLen(int fd) {
        InfoAttr i = new InfoAttr(fd);
        i.infoLen = 256;
        i.info = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        return bpf.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, i) < 0 ? -1 : i.infoLen;
    }

    private int show(Output out, Args a) {
        if (a.argc() == 2) {
            int fd = linkFd(out, a);
            if (fd < 0) {
                return fd;
            }
            print(out, info(fd));
            bpf.close(fd);
            return 0;
        }
        if (a.argc() != 0) {
            out.error("what is '" + a.peek() + "'?", null); // BAD_ARG()
            return -1;
        }
        if (out.isJson()) {
            out.json().startArray();
        }
        GetIdAttr next = new GetIdAttr(0);
        while (bpf.bpf(BpfCmd.LINK_GET_NEXT_ID, next) == 0) {
            int fd = bpf.bpf(BpfCmd.LINK_GET_FD_BY_ID, new GetIdAttr(next.nextId));
            next = new GetIdAttr(next.nextId);
            if (fd < 0) {
                continue; // freed since its id was listed
            }
            LinkInfo i = info(fd);
            bpf.close(fd);
            if (i != null) {
                print(out, i);
            }
        }
        if (out.isJson()) {
            out.json().endArray();
        }
        return 0;
    }

    /** {@code show_link_close_plain} / {@code _json} of bpftool 7.1: id, type, program. */
    private static void print(Output out, LinkInfo i) {
        if (out.isJson()) {
            JsonWriter j = out.json();
            j.startObject();
            j.unsignedField("id", i.id());
            if (i.type() == LinkInfo.TYPE_XDP) {
                j.stringField("type", i.typeName());
            } else {
                j.unsignedField("type", i.type());
            }
            j.unsignedField("prog_id", i.progId());
            j.endObject();
            return;
        }
        out.print(Integer.toUnsignedString(i.id()) + ": " + (i.type() == LinkInfo.TYPE_XDP ? i.typeName()
                : "type " + Integer.toUnsignedString(i.type())) + "  prog " + Integer.toUnsignedString(i.progId())
                + "  \n");
    }

    /** {@code do_pin} through {@code do_pin_any}: LINK FILE. */
    private int pin(Output out, Args a) {
        if (!a.require(3, out)) {
            return Errno.EINVAL.ret();
        }
        int fd = linkFd(out, a);
        if (fd < 0) {
            return fd;
        }
        String path = a.next();
        return CommandFrame.pin(bpf, out, fd, path);
    }

    /** {@code do_detach}: LINK; every failure exits 1, as bpftool's. */
    private int detach(Output out, Args a) {
        if (a.argc() != 2) {
            out.error("link specifier is invalid or missing\n", null);
            return 1;
        }
        int fd = linkFd(out, a);
        if (fd < 0) {
            return 1;
        }
        LinkDetachAttr d = new LinkDetachAttr(fd);
        int ret = bpf.bpf(BpfCmd.LINK_DETACH, d);
        bpf.close(fd);
        if (ret < 0) {
            out.error("failed link detach: " + Libbpf.strerror(ret), d.errorMessage());
            return 1;
        }
        if (out.isJson()) {
            out.json().nul();
        }
        return 0;
    }
}
