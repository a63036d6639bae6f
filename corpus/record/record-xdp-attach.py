#!/usr/bin/env python3
"""Records how this machine's kernel attaches XDP programs to devices (issue 21): PROG_LOAD of XDP
programs with the fields that differ for this type (prog_flags, expected_attach_type, prog_ifindex),
BPF links of attach type BPF_XDP (LINK_CREATE, OBJ_GET_INFO_BY_FD of a link, LINK_DETACH,
LINK_UPDATE, LINK_GET_FD_BY_ID, OBJ_PIN / OBJ_GET of a link, closing its last reference) and the
link-less attach bpftool's `net attach xdp` makes over netlink (RTM_SETLINK with IFLA_XDP: fd,
XDP_FLAGS_*, expected fd), with the rules of `dev_xdp_attach` (net/core/dev.c) between the two.

Run as root, in a network namespace of its own (it makes veth pairs there; never on the host's
devices):
    ip netns add bpfrec
    ip netns exec bpfrec python3 corpus/record/record-xdp-attach.py [OUT.json]
    ip netns del bpfrec
Writes corpus/xdp-attach-<kernel version>.json (format: corpus/FORMAT.md, section
`xdp-attach-6.18.json`). Ids vary between runs: a program or link id is recorded as the label of
this case's object that has it (or "other"), an ifindex as the label of this case's device.
Every fd made here is closed, every device deleted, every pin (under /sys/fs/bpf/bpfmaps-xdprec)
removed before a case ends.
"""
import ctypes
import json
import os
import platform
import socket
import struct
import subprocess
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_BPF = 321
ERRNO_NAMES = {1: "EPERM", 2: "ENOENT", 7: "E2BIG", 9: "EBADF", 13: "EACCES", 14: "EFAULT", 16: "EBUSY",
               17: "EEXIST", 19: "ENODEV", 22: "EINVAL", 67: "ENOLINK", 95: "EOPNOTSUPP", 524: "ENOTSUPP",
               34: "ERANGE", 28: "ENOSPC"}

PROG_LOAD, OBJ_PIN, OBJ_GET, OBJ_GET_INFO_BY_FD = 5, 6, 7, 15
LINK_CREATE, LINK_UPDATE, LINK_GET_FD_BY_ID, LINK_GET_NEXT_ID, LINK_DETACH = 28, 29, 30, 31, 34
PROG_TYPES = {"SOCKET_FILTER": 1, "XDP": 6, "SK_SKB": 14}
ATTACH_TYPES = {"XDP": 37, "XDP_DEVMAP": 33, "XDP_CPUMAP": 35, "SK_SKB_STREAM_VERDICT": 5, "CGROUP_INET_INGRESS": 0}
XDP_FLAGS = {"UPDATE_IF_NOEXIST": 1, "SKB_MODE": 2, "DRV_MODE": 4, "HW_MODE": 8, "REPLACE": 16}
ATTACHED = {0: "NONE", 1: "DRV", 2: "SKB", 3: "HW", 4: "MULTI"}
ATTR_SIZE = 160
PIN_DIR = "/sys/fs/bpf/bpfmaps-xdprec"
INSNS = {"XDP": bytes.fromhex("b700000002000000" "9500000000000000"),  # r0 = XDP_PASS; exit
         "SK_SKB": bytes.fromhex("b700000001000000" "9500000000000000"),
         "SOCKET_FILTER": bytes.fromhex("b700000001000000" "9500000000000000")}


def sys_bpf(cmd, fields):
    attr = bytearray(ATTR_SIZE)
    for off, width, value in fields:
        attr[off:off + width] = int(value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    err = ctypes.get_errno() if ret < 0 else 0
    return ret, err, buf.raw


def errname(err):
    return ERRNO_NAMES.get(err, str(err))


def info(fd, size=256):
    buf = ctypes.create_string_buffer(size)
    ret, err, attr = sys_bpf(OBJ_GET_INFO_BY_FD, [(0, 4, fd), (4, 4, size), (8, 8, ctypes.addressof(buf))])
    if ret < 0:
        return None, err, 0
    return buf.raw, 0, int.from_bytes(attr[4:8], "little")


# ---- netlink (rtnetlink RTM_SETLINK / RTM_GETLINK with IFLA_XDP) ----
RTM_GETLINK, RTM_SETLINK, NLMSG_ERROR = 18, 19, 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
IFLA_XDP, NLA_F_NESTED = 43, 0x8000
IFLA_XDP_FD, IFLA_XDP_ATTACHED, IFLA_XDP_FLAGS, IFLA_XDP_PROG_ID = 1, 2, 3, 4
IFLA_XDP_DRV_PROG_ID, IFLA_XDP_SKB_PROG_ID, IFLA_XDP_HW_PROG_ID, IFLA_XDP_EXPECTED_FD = 5, 6, 7, 8


def nla(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def nl_request(msg_type, flags, body):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    try:
        s.bind((0, 0))
        hdr = struct.pack("=IHHII", 16 + len(body), msg_type, flags, 1, 0)
        s.send(hdr + body)
        return s.recv(65536)
    finally:
        s.close()


def ifinfomsg(ifindex):
    return struct.pack("=BxHiII", socket.AF_UNSPEC, 0, ifindex, 0, 0)


def nl_xdp_set(ifindex, fd, flags, expected_fd=None):
    """RTM_SETLINK with IFLA_XDP {FD, FLAGS, EXPECTED_FD}: 0 or the errno, as libbpf's
    bpf_xdp_attach / bpftool's `net attach xdp` send it."""
    inner = nla(IFLA_XDP_FD, struct.pack("=i", fd)) + nla(IFLA_XDP_FLAGS, struct.pack("=I", flags))
    if expected_fd is not None:
        inner += nla(IFLA_XDP_EXPECTED_FD, struct.pack("=i", expected_fd))
    body = ifinfomsg(ifindex) + nla(IFLA_XDP | NLA_F_NESTED, inner)
    r = nl_request(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, body)
    length, t = struct.unpack_from("=IH", r, 0)
    if t != NLMSG_ERROR:
        raise RuntimeError(f"netlink answered type {t}")
    err = struct.unpack_from("=i", r, 16)[0]
    return -err


def nl_xdp_query(ifindex):
    r = nl_request(RTM_GETLINK, NLM_F_REQUEST, ifinfomsg(ifindex))
    length, t = struct.unpack_from("=IH", r, 0)
    if t == NLMSG_ERROR:
        raise RuntimeError(f"RTM_GETLINK {ifindex}: errno {-struct.unpack_from('=i', r, 16)[0]}")
    at = 16 + 16
    out = {"attached": "NONE", "prog_id": 0, "drv_prog_id": 0, "skb_prog_id": 0}
    while at + 4 <= length:
        n, typ = struct.unpack_from("=HH", r, at)
        if n < 4:
            break
        if typ & 0x3fff == IFLA_XDP:
            p = at + 4
            while p < at + n:
                m, u = struct.unpack_from("=HH", r, p)
                if u == IFLA_XDP_ATTACHED:
                    out["attached"] = ATTACHED[r[p + 4]]
                elif u == IFLA_XDP_PROG_ID:
                    out["prog_id"] = struct.unpack_from("=I", r, p + 4)[0]
                elif u == IFLA_XDP_DRV_PROG_ID:
                    out["drv_prog_id"] = struct.unpack_from("=I", r, p + 4)[0]
                elif u == IFLA_XDP_SKB_PROG_ID:
                    out["skb_prog_id"] = struct.unpack_from("=I", r, p + 4)[0]
                p += (m + 3) & ~3
        at += (n + 3) & ~3
    return out


class Obj:
    def __init__(self, fd, kind):
        self.fd = fd
        self.kind = kind
        b, err, _ = info(fd)
        self.id = int.from_bytes(b[4:8], "little") if b else 0


class Case:
    def __init__(self, name, doc):
        self.name = name
        self.doc = doc
        self.ops = []
        self.objs = {}  # label -> Obj (prog or link)
        self.devs = {}  # label -> (ifindex, name)
        self.pins = []
        self.names = []

    # ---- labels ----
    def _fd(self, label):
        if label is None:
            return -1
        if isinstance(label, int):
            return label
        return self.objs[label].fd

    def _label_of_id(self, i, kind):
        if i == 0:
            return 0
        for label, o in self.objs.items():
            if o.kind == kind and o.id == i:
                return label
        return "other"

    def _label_of_ifindex(self, ifindex):
        if ifindex == 0:
            return 0
        for label, (i, _) in self.devs.items():
            if i == ifindex:
                return label
        return "other"

    def _ifindex(self, dev):
        return dev if isinstance(dev, int) else self.devs[dev][0]

    def _op(self, e, ret, err, note, **more):
        e["expect"] = {"ret": "fd" if ret >= 0 and e.get("_fd") else (0 if ret >= 0 else -1),
                       "errno": errname(err) if ret < 0 else None}
        e.pop("_fd", None)
        e["expect"].update(more)
        if note:
            e["note"] = note
        self.ops.append(e)
        return ret

    # ---- ops ----
    def dev_new(self, label, kind="veth", note=None):
        """A device: a veth (native XDP, as this project's emulated devices) or lo (ifindex 1)."""
        if kind == "lo":
            self.devs[label] = (1, "lo")
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        else:
            name = f"xr{len(self.names)}{os.getpid() % 1000}"
            subprocess.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name + "p"], check=True)
            subprocess.run(["ip", "link", "set", name, "up"], check=True)
            subprocess.run(["ip", "link", "set", name + "p", "up"], check=True)
            self.names.append(name)
            self.devs[label] = (socket.if_nametoindex(name), name)
        e = {"op": "dev_new", "label": label, "kind": kind}
        if note:
            e["note"] = note
        self.ops.append(e)

    def prog_load(self, label, prog_type="XDP", prog_flags=0, expected_attach_type=None, prog_ifindex=None,
                  note=None):
        insns = INSNS[prog_type]
        ib = ctypes.create_string_buffer(insns, len(insns))
        lic = ctypes.create_string_buffer(b"GPL")
        fields = [(0, 4, PROG_TYPES[prog_type]), (4, 4, len(insns) // 8), (8, 8, ctypes.addressof(ib)),
                  (16, 8, ctypes.addressof(lic)), (44, 4, prog_flags)]
        e = {"op": "prog_load", "label": label, "prog_type": prog_type, "_fd": True}
        if prog_flags:
            e["prog_flags"] = prog_flags
        if expected_attach_type is not None:
            e["expected_attach_type"] = expected_attach_type
            fields.append((68, 4, ATTACH_TYPES.get(expected_attach_type, expected_attach_type)
                           if isinstance(expected_attach_type, str) else expected_attach_type))
        if prog_ifindex is not None:
            e["prog_ifindex"] = prog_ifindex
            fields.append((64, 4, self._ifindex(prog_ifindex)))
        ret, err, _ = sys_bpf(PROG_LOAD, fields)
        if ret >= 0:
            self.objs[label] = Obj(ret, "prog")
        return self._op(e, ret, err, note)

    def prog_info(self, prog, note=None):
        """The XDP-specific fields of bpf_prog_info: type, ifindex (offset 80 of the 6.18 struct)."""
        b, err, n = info(self.objs[prog].fd)
        e = {"op": "prog_info", "prog": prog}
        more = {}
        if b:
            more = {"type": int.from_bytes(b[0:4], "little"),
                    "ifindex": self._label_of_ifindex(int.from_bytes(b[80:84], "little"))}
        return self._op(e, 0 if b else -1, err, note, **more)

    def close(self, label, note=None):
        o = self.objs[label]
        os.close(o.fd)
        o.fd = -1
        e = {"op": "close", "label": label}
        if note:
            e["note"] = note
        self.ops.append(e)

    def link_create(self, label, prog, dev, attach_type="XDP", flags=0, attr_set=None, note=None):
        fields = [(0, 4, self._fd(prog)), (4, 4, self._ifindex(dev)),
                  (8, 4, ATTACH_TYPES[attach_type] if isinstance(attach_type, str) else attach_type), (12, 4, flags)]
        fields += [tuple(f) for f in attr_set or []]
        e = {"op": "link_create", "label": label, "prog": prog, "dev": dev, "attach_type": attach_type,
             "flags": flags, "_fd": True}
        if attr_set:
            e["attr_set"] = [list(f) for f in attr_set]
        ret, err, _ = sys_bpf(LINK_CREATE, fields)
        if ret >= 0:
            self.objs[label] = Obj(ret, "link")
        return self._op(e, ret, err, note)

    def link_info(self, link, note=None):
        """struct bpf_link_info: type, id, prog_id, xdp.ifindex (offset 16) and the length the
        kernel writes."""
        b, err, n = info(self._fd(link))
        e = {"op": "link_info", "link": link}
        more = {}
        if b:
            more = {"type": int.from_bytes(b[0:4], "little"),
                    "id": self._label_of_id(int.from_bytes(b[4:8], "little"), "link"),
                    "prog": self._label_of_id(int.from_bytes(b[8:12], "little"), "prog"),
                    "ifindex": self._label_of_ifindex(int.from_bytes(b[16:20], "little")), "info_len": n}
        if b:
            with open(f"/proc/self/fdinfo/{self._fd(link)}") as f:
                lines = [l.split(":", 1) for l in f.read().splitlines()]
            fd_info = {k.strip(): v.strip() for k, v in lines if k.strip() not in ("pos", "flags", "mnt_id", "ino")}
            for k in ("link_id", "prog_id"):
                if k in fd_info:
                    fd_info[k] = self._label_of_id(int(fd_info[k]), "link" if k == "link_id" else "prog")
            if "ifindex" in fd_info:
                fd_info["ifindex"] = self._label_of_ifindex(int(fd_info["ifindex"]))
            fd_info.pop("prog_tag", None)
            more["fdinfo"] = fd_info
        return self._op(e, 0 if b else -1, err, note, **more)

    def link_detach(self, link, attr_set=None, note=None):
        fields = [(0, 4, self._fd(link))] + [tuple(f) for f in attr_set or []]
        ret, err, _ = sys_bpf(LINK_DETACH, fields)
        e = {"op": "link_detach", "link": link}
        if attr_set:
            e["attr_set"] = [list(f) for f in attr_set]
        return self._op(e, ret, err, note)

    def link_update(self, link, prog, flags=0, old_prog=None, note=None):
        fields = [(0, 4, self._fd(link)), (4, 4, self._fd(prog)), (8, 4, flags)]
        e = {"op": "link_update", "link": link, "prog": prog, "flags": flags}
        if old_prog is not None:
            e["old_prog"] = old_prog
            fields.append((12, 4, self._fd(old_prog)))
        ret, err, _ = sys_bpf(LINK_UPDATE, fields)
        return self._op(e, ret, err, note)

    def link_fd_by_id(self, label, link, open_flags=0, note=None):
        ret, err, _ = sys_bpf(LINK_GET_FD_BY_ID, [(0, 4, self.objs[link].id), (8, 4, open_flags)])
        e = {"op": "link_fd_by_id", "label": label, "link": link, "_fd": True}
        if open_flags:
            e["open_flags"] = open_flags
        if ret >= 0:
            self.objs[label] = Obj(ret, "link")
        return self._op(e, ret, err, note)

    def obj_pin(self, obj, path, note=None):
        p = ctypes.create_string_buffer((PIN_DIR + "/" + path).encode())
        ret, err, _ = sys_bpf(OBJ_PIN, [(0, 8, ctypes.addressof(p)), (8, 4, self._fd(obj))])
        if ret >= 0:
            self.pins.append(path)
        return self._op({"op": "obj_pin", "obj": obj, "path": path}, ret, err, note)

    def obj_get(self, label, path, note=None):
        p = ctypes.create_string_buffer((PIN_DIR + "/" + path).encode())
        ret, err, _ = sys_bpf(OBJ_GET, [(0, 8, ctypes.addressof(p))])
        if ret >= 0:
            self.objs[label] = Obj(ret, "link")
        return self._op({"op": "obj_get", "label": label, "path": path, "_fd": True}, ret, err, note)

    def pin_remove(self, path, note=None):
        os.unlink(PIN_DIR + "/" + path)
        self.pins.remove(path)
        e = {"op": "pin_remove", "path": path}
        if note:
            e["note"] = note
        self.ops.append(e)

    def nl_attach(self, dev, prog, flags=0, expected=None, note=None):
        """bpftool net attach / detach: RTM_SETLINK IFLA_XDP (prog None: fd -1, a detach)."""
        flag_names = flags
        err = nl_xdp_set(self._ifindex(dev), self._fd(prog), flags,
                         None if expected is None else self._fd(expected))
        e = {"op": "nl_attach", "dev": dev, "prog": prog, "flags": flag_names}
        if expected is not None:
            e["expected"] = expected
        return self._op(e, -1 if err else 0, err, note)

    def dev_query(self, dev, note=None):
        """RTM_GETLINK's IFLA_XDP: the mode attached and the programs of each mode, as labels."""
        q = nl_xdp_query(self._ifindex(dev))
        e = {"op": "dev_query", "dev": dev}
        return self._op(e, 0, 0, note, attached=q["attached"],
                        drv=self._label_of_id(q["drv_prog_id"], "prog"),
                        skb=self._label_of_id(q["skb_prog_id"], "prog"))

    def done(self):
        for o in self.objs.values():
            if o.fd >= 0:
                os.close(o.fd)
        for p in list(self.pins):
            os.unlink(PIN_DIR + "/" + p)
        for n in self.names:
            subprocess.run(["ip", "link", "del", n], check=False)
        return {"name": self.name, "doc": self.doc, "ops": self.ops}


F = XDP_FLAGS


def record():
    cases = []

    c = Case("xdp_prog_load", "PROG_LOAD of XDP programs: prog_flags, expected_attach_type, prog_ifindex "
             "(bpf_prog_load, bpf_prog_load_check_attach, bpf_prog_dev_bound_init in kernel/bpf)")
    c.dev_new("d")
    c.prog_load("p", note="plain XDP program")
    c.prog_info("p")
    c.prog_load("frags", prog_flags=0x20, note="BPF_F_XDP_HAS_FRAGS")
    c.prog_load("sleepable", prog_flags=0x10, note="BPF_F_SLEEPABLE: not for XDP")
    c.prog_load("unknown_flag", prog_flags=0x1000, note="a flag bpf_prog_load does not know")
    c.prog_load("exp_xdp", expected_attach_type="XDP")
    c.prog_load("exp_devmap", expected_attach_type="XDP_DEVMAP")
    c.prog_load("exp_cpumap", expected_attach_type="XDP_CPUMAP")
    c.prog_load("exp_other", expected_attach_type="SK_SKB_STREAM_VERDICT", note="any other attach type")
    c.prog_load("offload", prog_ifindex="d", note="prog_ifindex without DEV_BOUND_ONLY: offload to a device "
                "without an offload driver")
    c.prog_load("dev_bound", prog_ifindex="d", prog_flags=0x40, note="BPF_F_XDP_DEV_BOUND_ONLY")
    if "dev_bound" in c.objs:
        c.prog_info("dev_bound", note="a dev-bound program names its device")
    c.prog_load("dev_bound_noif", prog_flags=0x40, note="DEV_BOUND_ONLY without prog_ifindex")
    c.prog_load("dev_bound_bad", prog_ifindex=99999, prog_flags=0x40, note="no such device")
    c.prog_load("skb_ifindex", prog_type="SK_SKB", prog_ifindex="d", note="prog_ifindex on a socket program")
    cases.append(c.done())

    c = Case("xdp_link_create", "BPF_LINK_CREATE with attach_type BPF_XDP (link_create, bpf_xdp_link_attach, "
             "dev_xdp_attach in net/core/dev.c), the link's info, and the device's program over netlink")
    c.dev_new("d")
    c.prog_load("p")
    c.prog_load("q")
    c.link_create("l", "p", "d", flags=0, note="no mode flag: native when the driver has ndo_bpf (veth)")
    c.link_info("l")
    c.dev_query("d")
    c.link_create("l2", "q", "d", note="a second link, same device and mode")
    c.link_create("l3", "q", "d", flags=F["DRV_MODE"], note="DRV_MODE is the same mode")
    c.link_create("l4", "q", "d", flags=F["SKB_MODE"], note="generic while native is taken")
    c.nl_attach("d", "q", flags=0, note="link-less attach over a link")
    c.nl_attach("d", "q", flags=F["DRV_MODE"], note="link-less native attach over a link")
    c.nl_attach("d", None, flags=0, note="link-less detach while a link holds the device")
    c.dev_query("d")
    c.close("l", note="the link's last reference: the device is detached")
    c.dev_query("d")
    c.link_create("l5", "q", "d", flags=F["SKB_MODE"], note="generic mode")
    c.link_info("l5")
    c.dev_query("d")
    c.link_create("l6", "p", "d", flags=F["DRV_MODE"], note="native while generic is taken")
    cases.append(c.done())

    c = Case("xdp_link_flags", "LINK_CREATE flags for XDP: only the mode flags, one at a time "
             "(bpf_xdp_link_attach: flags & ~XDP_FLAGS_MODES; dev_xdp_attach: one mode)")
    c.dev_new("d")
    c.prog_load("p")
    c.link_create("hw", "p", "d", flags=F["HW_MODE"], note="no offload driver")
    c.link_create("two", "p", "d", flags=F["DRV_MODE"] | F["SKB_MODE"])
    c.link_create("noexist", "p", "d", flags=F["UPDATE_IF_NOEXIST"])
    c.link_create("replace", "p", "d", flags=F["REPLACE"])
    c.link_create("high", "p", "d", flags=0x20)
    c.link_create("ok", "p", "d", flags=F["DRV_MODE"])
    c.link_info("ok")
    cases.append(c.done())

    c = Case("xdp_link_create_checks", "LINK_CREATE's checks before the device: the program's fd and "
             "type, the attach type, the ifindex, the attr past the fields (link_create in kernel/bpf/syscall.c)")
    c.dev_new("d")
    c.prog_load("p")
    c.prog_load("skb", prog_type="SK_SKB")
    c.prog_load("devmap", expected_attach_type="XDP_DEVMAP")
    c.prog_load("cpumap", expected_attach_type="XDP_CPUMAP")
    c.link_create("bad_fd", 999, "d", note="prog_fd not open")
    c.link_create("skb_prog", "skb", "d", note="an SK_SKB program with attach type XDP")
    c.link_create("at_devmap", "p", "d", attach_type="XDP_DEVMAP")
    c.link_create("devmap_prog", "devmap", "d", note="a program made for a DEVMAP")
    c.link_create("cpumap_prog", "cpumap", "d", note="a program made for a CPUMAP")
    c.link_create("no_dev", "p", 99999, note="no such ifindex")
    c.link_create("zero_dev", "p", 0, note="ifindex 0")
    c.link_create("tail16", "p", "d", attr_set=[[16, 4, 1]], note="a byte of the link_create union XDP does "
                  "not read")
    c.close("tail16")
    c.link_create("tail56", "p", "d", attr_set=[[56, 4, 1]], note="a byte past the union's XDP part")
    c.close("tail56")
    c.link_create("ok", "p", "d")
    cases.append(c.done())

    c = Case("xdp_link_detach", "LINK_DETACH (bpf_link_detach, bpf_xdp_link_detach): the device is "
             "freed, the link stays an fd with ifindex 0; LINK_UPDATE of a detached link")
    c.dev_new("d")
    c.prog_load("p")
    c.prog_load("q")
    c.link_create("l", "p", "d")
    c.link_detach("l")
    c.link_info("l", note="detached: ifindex 0, the program stays")
    c.dev_query("d")
    c.link_detach("l", note="detached twice")
    c.link_update("l", "q", note="update of a detached link")
    c.nl_attach("d", "q", note="the device is free for a link-less attach")
    c.dev_query("d")
    c.nl_attach("d", None)
    c.link_detach("p", note="LINK_DETACH of a program fd")
    c.link_detach(999, note="LINK_DETACH of no fd")
    c.link_create("m", "p", "d")
    c.link_detach("m", attr_set=[[4, 4, 1]], note="a byte past link_fd (CHECK_ATTR)")
    cases.append(c.done())

    c = Case("xdp_link_update", "LINK_UPDATE of an XDP link (link_update, bpf_xdp_link_update): a new "
             "program, BPF_F_REPLACE with old_prog_fd, a program of another type")
    c.dev_new("d")
    c.prog_load("p")
    c.prog_load("q")
    c.prog_load("r")
    c.prog_load("skb", prog_type="SK_SKB")
    c.prog_load("devmap", expected_attach_type="XDP_DEVMAP")
    c.link_create("l", "p", "d")
    c.link_update("l", "q")
    c.link_info("l")
    c.dev_query("d")
    c.link_update("l", "r", flags=4, old_prog="p", note="BPF_F_REPLACE with a program that is not the link's")
    c.link_update("l", "r", flags=4, old_prog="q", note="BPF_F_REPLACE with the link's program")
    c.link_info("l")
    c.link_update("l", "q", old_prog="r", note="old_prog_fd without BPF_F_REPLACE")
    c.link_update("l", "q", flags=1, note="a flag other than BPF_F_REPLACE")
    c.link_update("l", "skb", note="an SK_SKB program")
    c.link_update("l", "devmap", note="a DEVMAP program")
    c.prog_load("exp", expected_attach_type="XDP")
    c.link_update("l", "exp", note="an XDP program of another expected_attach_type")
    c.link_update("l", "r", note="the same program again")
    c.link_info("l")
    c.link_update("p", "q", note="a program fd as the link")
    cases.append(c.done())

    c = Case("xdp_link_objects", "links as objects: OBJ_PIN / OBJ_GET of a link, LINK_GET_FD_BY_ID, the "
             "device detached only when the last reference goes (fds and pins)")
    c.dev_new("d")
    c.prog_load("p")
    c.link_create("l", "p", "d")
    c.obj_pin("l", "link")
    c.close("l", note="the pin holds the link")
    c.dev_query("d")
    c.obj_get("g", "link")
    c.link_info("g")
    c.link_fd_by_id("h", "g")
    c.link_fd_by_id("h2", "g", open_flags=8, note="open_flags for a link")
    c.close("g")
    c.pin_remove("link", note="an fd from LINK_GET_FD_BY_ID still holds the link")
    c.dev_query("d")
    c.close("h", note="the last reference")
    c.dev_query("d")
    c.close("p")
    cases.append(c.done())

    c = Case("xdp_netlink_rules", "link-less attach over netlink (dev_change_xdp_fd, dev_xdp_attach in "
             "net/core/dev.c): replace, UPDATE_IF_NOEXIST, REPLACE with an expected fd, the modes")
    c.dev_new("d")
    c.prog_load("p")
    c.prog_load("q")
    c.prog_load("skb", prog_type="SK_SKB")
    c.prog_load("devmap", expected_attach_type="XDP_DEVMAP")
    c.nl_attach("d", "p", flags=0)
    c.dev_query("d")
    c.nl_attach("d", "q", flags=0, note="replaces the program")
    c.dev_query("d")
    c.nl_attach("d", "p", flags=F["UPDATE_IF_NOEXIST"], note="a program is there")
    c.nl_attach("d", "p", flags=F["SKB_MODE"], note="generic while native runs")
    c.nl_attach("d", "p", flags=F["REPLACE"], expected="p", note="expected is not the current program")
    c.nl_attach("d", "p", flags=F["REPLACE"], expected="q", note="expected is the current program")
    c.dev_query("d")
    c.nl_attach("d", "q", flags=0, expected="p", note="expected fd without REPLACE")
    c.nl_attach("d", "q", flags=F["DRV_MODE"] | F["SKB_MODE"], note="two modes")
    c.nl_attach("d", "q", flags=0x20, note="an unknown flag")
    c.link_create("l", "q", "d", note="a link over a link-less program")
    c.nl_attach("d", "skb", note="an SK_SKB program")
    c.nl_attach("d", "devmap", note="a DEVMAP program")
    c.nl_attach("d", "p", flags=F["HW_MODE"], note="no offload driver")
    c.close("p", note="the device holds the program")
    c.dev_query("d")
    c.nl_attach("d", None, flags=0, note="detach")
    c.dev_query("d")
    c.nl_attach("d", None, flags=0, note="detach with nothing attached")
    c.nl_attach("d", "q", flags=F["SKB_MODE"])
    c.dev_query("d")
    c.nl_attach("d", None, flags=0, note="detach without the mode flag: native, where nothing runs")
    c.dev_query("d")
    c.nl_attach("d", None, flags=F["SKB_MODE"])
    c.dev_query("d")
    c.nl_attach("d", "q", flags=F["REPLACE"], expected=None, note="REPLACE, expected fd absent: nothing "
                "expected, nothing there")
    c.dev_query("d")
    cases.append(c.done())

    c = Case("xdp_dev_bound", "a dev-bound program attaches only to its device (dev_xdp_attach: "
             "bpf_prog_dev_bound_match)")
    c.dev_new("d")
    c.dev_new("e")
    c.prog_load("b", prog_ifindex="d", prog_flags=0x40)
    c.link_create("other", "b", "e")
    c.nl_attach("e", "b")
    c.link_create("own", "b", "d")
    c.link_info("own")
    cases.append(c.done())

    c = Case("xdp_lo", "lo: no native XDP in the kernel (no ndo_bpf); generic mode")
    c.dev_new("lo", kind="lo")
    c.prog_load("p")
    c.nl_attach("lo", "p", flags=F["DRV_MODE"], note="differs here: emulated devices, lo included, run native")
    c.nl_attach("lo", "p", flags=F["SKB_MODE"])
    c.dev_query("lo")
    c.nl_attach("lo", None, flags=F["SKB_MODE"])
    c.link_create("l", "p", "lo", note="no mode flag: generic on a driver without ndo_bpf")
    c.dev_query("lo")
    cases.append(c.done())
    return cases


def main():
    if os.geteuid() != 0:
        sys.exit("run as root, inside a network namespace of its own (see the docstring)")
    if sorted(os.listdir("/sys/class/net")) != ["lo"]:
        # a fresh namespace has lo only; anything else may be the host's
        sys.exit("refusing to run where devices other than lo exist: ip netns exec bpfrec python3 ...")
    os.makedirs(PIN_DIR, exist_ok=True)
    try:
        cases = record()
    finally:
        os.rmdir(PIN_DIR)
    version = platform.release().split("-")[0]
    short = ".".join(version.split(".")[:2])
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                f"xdp-attach-{short}.json")
    doc = {"format": "xdp-attach (corpus/FORMAT.md)", "kernel": platform.release(),
           "recorded_by": "corpus/record/record-xdp-attach.py", "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases, {sum(len(c['ops']) for c in cases)} ops -> {out}")


if __name__ == "__main__":
    main()
