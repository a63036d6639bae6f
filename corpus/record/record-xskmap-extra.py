"""Records how this machine's kernel answers bpf(2) for XSKMAP where kernel-6.18.json has no case:
a close that empties the slots of an AF_XDP socket, the order of the update's checks (flags, index,
fd, family: xsk_map_update_elem), a fd value above S32_MAX (EBADF: the u32 is an int to
sockfd_lookup), the same socket again with each flag, a delete out of range, and memlock as fdinfo
shows it before and after elements.

Run as root:  python3 corpus/record/record-xskmap-extra.py [OUT.json]
Writes corpus/xskmap-extra-<kernel version>.json (format: corpus/FORMAT.md). The socket ops and
kinds are record-sockmap-extra.py's (loaded from beside this file, which loads the bpf(2) plumbing
of record-queue-stack-bloom.py); every socket, fd and map made here is closed before it ends.
"""
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "record_sockmap_extra", os.path.join(os.path.dirname(os.path.abspath(__file__)), "record-sockmap-extra.py"))
sx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sx)
rec = sx.rec
rec.TYPES.update({"XSKMAP": 17})
rec.ERRNO_NAMES.update({95: "EOPNOTSUPP", 9: "EBADF", 7: "E2BIG", 2: "ENOENT"})
K = rec.le32


def xsk(name, max_entries=4, **kw):
    return sx.SockCase(name, "XSKMAP", key_size=4, value_size=4, max_entries=max_entries, **kw)


def record():
    cases = []

    def done(c):
        cases.append(c.close())

    c = xsk("xskmap_close_empties_slots", max_entries=8)
    c.sock_new("x", "xdp_unbound")
    c.sock_new("y", "xdp_unbound")
    c.fdinfo(note="an empty XSKMAP of 8 slots")
    c.update(K(0), sock="x")
    c.update(K(3), sock="x")
    c.update(K(1), sock="y")
    c.fdinfo(note="three elements: an xsk_map_node each")
    c.sock_close("x", note="xsk_release empties every slot of the socket")
    c.fdinfo()
    c.update(K(0), sock="y", flags=2, note="BPF_EXIST on the slot x left")
    c.update(K(3), sock="y", flags=2)
    c.update(K(1), sock="y", flags=1, note="y stays: NOEXIST with the same socket")
    done(c)

    c = xsk("xskmap_update_check_order")
    c.sock_new("s", "xdp_unbound")
    c.sock_new("t", "tcp_established")
    c.sock_new("p", "pipe")
    c.sock_new("b", "badfd")
    c.update(K(0), sock="b", flags=3, note="flags before the fd")
    c.update(K(0), sock="p", flags=3)
    c.update(K(0), sock="t", flags=3)
    c.update(K(4), sock="b", note="the index before the fd")
    c.update(K(4), sock="t")
    c.update(K(0), fd_value=sx.S32_MAX + 1, note="a u32 above S32_MAX is a negative fd to sockfd_lookup")
    c.update(K(0), fd_value=0xffffffff)
    c.update(K(4), sock="s", flags=3)
    done(c)

    c = xsk("xskmap_same_socket_any_flags")
    c.sock_new("s", "xdp_unbound")
    c.sock_new("u", "xdp_unbound")
    c.update(K(2), sock="s", flags=1)
    for flags in (0, 1, 2):
        c.update(K(2), sock="s", flags=flags, note="the same socket again")
    c.update(K(2), sock="u", flags=2, note="EXIST replaces")
    c.fdinfo(note="a replacement adds no node")
    c.delete(K(2))
    c.delete(K(2), note="an empty slot")
    c.delete(K(0xffffffff), note="index out of range")
    c.fdinfo()
    done(c)
    return cases


def main():
    rec.write_corpus("xskmap-extra", "record-xskmap-extra.py", {}, lambda: record(),
                     why_root="CAP_BPF and XSKMAP CAP_NET_ADMIN")


if __name__ == "__main__":
    main()
