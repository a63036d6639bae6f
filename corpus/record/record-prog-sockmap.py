#!/usr/bin/env python3
"""Records how this machine's kernel answers the program commands of bpf(2) where they meet socket
maps (issue 19): PROG_LOAD of tiny SK_SKB / SK_MSG programs (and XDP / SOCKET_FILTER ones, to have
wrong types), PROG_ATTACH / PROG_DETACH / PROG_QUERY on SOCKMAP and SOCKHASH fds
(`bpf_prog_attach` / `bpf_prog_detach` in kernel/bpf/syscall.c, `sock_map_get_from_fd`,
`sock_map_prog_detach`, `sock_map_prog_lookup` in net/core/sock_map.c), `sock_map_link`'s EBUSY when
a socket is inserted, and the object commands on program fds: PROG_GET_NEXT_ID, PROG_GET_FD_BY_ID,
OBJ_GET_INFO_BY_FD, OBJ_PIN / OBJ_GET, each with its attribute checks.

Run as root:  python3 corpus/record/record-prog-sockmap.py [OUT.json]
Writes corpus/prog-sockmap-<kernel version>.json (format: corpus/FORMAT.md, section
`prog-sockmap-6.18.json`: the ops prog_load, prog_close, map_new, map_close, prog_attach,
prog_detach, prog_query, prog_info, prog_get_next_id, prog_id_walk, prog_get_fd_by_id, obj_pin,
obj_get, pin_remove, `attr_set` on any of them, and `map` on update / delete / lookup).

The bpf(2) plumbing is record-queue-stack-bloom.py's, the sockets record-sockmap-extra.py's, both
loaded from beside this file. Programs are "r0 = 1; exit" (SK_PASS for SK_SKB / SK_MSG). Ids and
times vary between runs and with what else runs on the machine: ids are recorded only as labels of
this case's own objects (or "other"), times as "nonzero". Every fd made here is closed, every pin
removed before a case ends; pins go only under /sys/fs/bpf/bpfmaps-progrec (made and removed here).
"""
import ctypes
import importlib.util
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))


def _load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(_here, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


sx = _load("record_sockmap_extra", "record-sockmap-extra.py")
rec = sx.rec  # the module record-sockmap-extra.py loaded: one set of TYPES / ERRNO_NAMES
rec.TYPES.update({"ARRAY": 2, "HASH": 1})
rec.ERRNO_NAMES.update({13: "EACCES", 17: "EEXIST", 88: "ENOTSOCK", 20: "ENOTDIR", 24: "EMFILE"})

OBJ_PIN, OBJ_GET = 6, 7
PROG_LOAD, PROG_ATTACH, PROG_DETACH = 5, 8, 9
PROG_GET_NEXT_ID, PROG_GET_FD_BY_ID, PROG_QUERY = 11, 13, 16

# enum bpf_prog_type / enum bpf_attach_type (include/uapi/linux/bpf.h; checked against the 6.18 tree)
PROG_TYPES = {"SOCKET_FILTER": 1, "XDP": 6, "SK_SKB": 14, "SK_MSG": 16}
ATTACH_TYPES = {"CGROUP_INET_INGRESS": 0, "SK_SKB_STREAM_PARSER": 4, "SK_SKB_STREAM_VERDICT": 5,
                "SK_MSG_VERDICT": 7, "SK_SKB_VERDICT": 38, "XDP": 37}
INSNS_PASS = bytes.fromhex("b700000001000000" "9500000000000000")  # r0 = 1; exit
ATTR_SIZE = 160  # passed with every program command: more than the last field any of them reads
PIN_DIR = "/sys/fs/bpf/bpfmaps-progrec"
ID_WALK_BOUND = 1 << 20  # ids on one machine: the walk ends long before (ENOENT)


def sys_bpf(cmd, fields, attr_set=None):
    """bpf(cmd) with an ATTR_SIZE attr: the named fields, then the raw `attr_set` [offset, width,
    value] ones (what the corpus records for attribute checks)."""
    attr = rec.attr_bytes(ATTR_SIZE, list(fields) + [tuple(f) for f in (attr_set or [])])
    return rec.sys_bpf(cmd, attr)


def obj_id(fd):
    """The id of a bpf object's fd (prog or map; the id is u32 at offset 4 of both infos)."""
    g = rec.Guarded(size=8)
    ret, err, _ = sys_bpf(rec.OBJ_GET_INFO_BY_FD, [(0, 4, fd), (4, 4, 8), (8, 8, g.addr)])
    i = rec.u32(g.read(), 4) if ret >= 0 else None
    g.free()
    if i is None:
        raise RuntimeError(f"fd {fd}: no info ({err})")
    return i


class Map:
    def __init__(self, fd, spec):
        self.fd = fd
        self.spec = spec
        self.id = obj_id(fd)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Prog:
    def __init__(self, fd):
        self.fd = fd
        self.id = obj_id(fd)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class ProgCase(sx.SockCase):
    """A case: its map ("map"), and the programs, sockets, other maps and pins its ops make, all
    named by labels of one namespace."""

    def __init__(self, name, type_name="SOCKMAP", key_size=4, value_size=8, max_entries=4, **kw):
        super().__init__(name, type_name, key_size, value_size, max_entries, **kw)
        if self.fd < 0:
            raise RuntimeError(f"{name}: map create failed {self.create}")
        self.objs = {"map": Map(self.fd, self.map)}
        self.pins = []

    # ---- labels ----

    def _fd(self, label):
        if label in self.objs:
            return self.objs[label].fd
        if label in self.socks:
            return self.socks[label].fd
        raise KeyError(f"{self.name}: no object '{label}'")

    def _label_of_id(self, i, kind):
        for label, o in self.objs.items():
            if isinstance(o, kind) and o.id == i:
                return label
        return "other"

    def _new_label(self, label):
        if label in self.objs or label in self.socks:
            raise ValueError(f"{self.name}: label {label} used twice")

    def _with(self, e, attr_set, note, check="exact"):
        if attr_set:
            e["attr_set"] = [list(f) for f in attr_set]
        return self._op(e, check=check, note=note)

    # ---- objects ----

    def sock_new(self, label, kind, note=None):
        self._new_label(label)
        return super().sock_new(label, kind, note=note)

    def map_new(self, label, type_name="SOCKMAP", key_size=4, value_size=8, max_entries=4, note=None):
        self._new_label(label)
        spec = {"type": type_name, "key_size": key_size, "value_size": value_size, "max_entries": max_entries,
                "map_flags": 0, "name": ""}
        ret, err, _ = rec.sys_bpf(rec.MAP_CREATE, rec.attr_bytes(128, [(0, 4, rec.TYPES[type_name]),
                                                                      (4, 4, key_size), (8, 4, value_size),
                                                                      (12, 4, max_entries)]))
        if ret < 0:
            raise RuntimeError(f"{self.name}: map_new {spec}: {err}")
        self.objs[label] = Map(ret, spec)
        return self._op({"op": "map_new", "label": label, "map": spec, "result": rec.result(ret, err)}, note=note)

    def map_close(self, label, note=None):
        self.objs[label].close()
        return self._op({"op": "map_close", "label": label, "result": rec.result(0, 0)}, note=note)

    def prog_load(self, label, prog_type, name="", license="GPL", expected_attach_type=None, insns=INSNS_PASS,
                  prog_flags=0, attr_set=None, note=None):
        self._new_label(label)
        code = rec.Guarded(insns)
        lic = rec.Guarded(license.encode() + b"\0")
        ptype = PROG_TYPES[prog_type] if isinstance(prog_type, str) else prog_type
        fields = [(0, 4, ptype), (4, 4, len(insns) // 8), (8, 8, code.addr), (16, 8, lic.addr),
                  (44, 4, prog_flags)]
        if expected_attach_type is not None:
            fields.append((68, 4, ATTACH_TYPES[expected_attach_type]))
        attr = rec.attr_bytes(ATTR_SIZE, fields + [tuple(f) for f in (attr_set or [])])
        attr[48:48 + len(name)] = name.encode()
        ret, err, _ = rec.sys_bpf(PROG_LOAD, attr)
        code.free()
        lic.free()
        if ret >= 0:
            self.objs[label] = Prog(ret)
        e = {"op": "prog_load", "label": label, "prog_type": prog_type, "name": name, "license": license,
             "insns": insns.hex()}
        if expected_attach_type is not None:
            e["expected_attach_type"] = expected_attach_type
        if prog_flags:
            e["prog_flags"] = prog_flags
        e["result"] = rec.result(ret, err)
        return self._with(e, attr_set, note)

    def prog_close(self, label, note=None):
        self.objs[label].close()
        return self._op({"op": "prog_close", "label": label, "result": rec.result(0, 0)}, note=note)

    # ---- attach, detach, query ----

    def _attach_fields(self, prog, prog_fd_value, target, target_fd_value, attach_type, attach_flags):
        pfd = prog_fd_value if prog_fd_value is not None else self._fd(prog)
        tfd = target_fd_value if target_fd_value is not None else self._fd(target)
        at = ATTACH_TYPES[attach_type] if isinstance(attach_type, str) else attach_type
        return [(0, 4, tfd), (4, 4, pfd), (8, 4, at), (12, 4, attach_flags)]

    def _attach_entry(self, op, prog, prog_fd_value, target, target_fd_value, attach_type, attach_flags):
        e = {"op": op, "attach_type": attach_type}
        if prog_fd_value is not None:
            e["prog_fd_value"] = prog_fd_value
        else:
            e["prog"] = prog
        if target_fd_value is not None:
            e["target_fd_value"] = target_fd_value
        else:
            e["target"] = target
        if attach_flags:
            e["attach_flags"] = attach_flags
        return e

    def prog_attach(self, prog, attach_type, target="map", attach_flags=0, prog_fd_value=None,
                    target_fd_value=None, attr_set=None, note=None):
        ret, err, _ = sys_bpf(PROG_ATTACH, self._attach_fields(prog, prog_fd_value, target, target_fd_value,
                                                               attach_type, attach_flags), attr_set)
        e = self._attach_entry("prog_attach", prog, prog_fd_value, target, target_fd_value, attach_type,
                               attach_flags)
        e["result"] = rec.result(ret, err)
        return self._with(e, attr_set, note)

    def prog_detach(self, prog, attach_type, target="map", attach_flags=0, prog_fd_value=None,
                    target_fd_value=None, attr_set=None, note=None):
        """prog None (and no prog_fd_value): attach_bpf_fd 0, as a caller of the old API leaves it."""
        if prog is None and prog_fd_value is None:
            prog_fd_value = 0
        ret, err, _ = sys_bpf(PROG_DETACH, self._attach_fields(prog, prog_fd_value, target, target_fd_value,
                                                               attach_type, attach_flags), attr_set)
        e = self._attach_entry("prog_detach", prog, prog_fd_value, target, target_fd_value, attach_type,
                               attach_flags)
        e["result"] = rec.result(ret, err)
        return self._with(e, attr_set, note)

    def prog_query(self, attach_type, target="map", prog_cnt=4, query_flags=0, attr_set=None, note=None):
        """PROG_QUERY: attach_flags and prog_cnt are read back; ids are given as labels."""
        ids = rec.Guarded(size=4 * prog_cnt) if prog_cnt else None
        fields = [(0, 4, self._fd(target)), (4, 4, ATTACH_TYPES[attach_type]), (8, 4, query_flags),
                  (16, 8, rec.ptr(ids)), (24, 4, prog_cnt)]
        ret, err, raw = sys_bpf(PROG_QUERY, fields, attr_set)
        r = rec.result(ret, err)
        if ret >= 0:
            r["attach_flags"] = rec.u32(raw, 12)
            r["prog_cnt"] = rec.u32(raw, 24)
            n = min(r["prog_cnt"], prog_cnt)
            r["progs"] = [self._label_of_id(rec.u32(ids.read(), 4 * i), Prog) for i in range(n)]
        if ids:
            ids.free()
        e = {"op": "prog_query", "target": target, "attach_type": attach_type, "prog_cnt": prog_cnt}
        if query_flags:
            e["query_flags"] = query_flags
        e["result"] = r
        return self._with(e, attr_set, note)

    # ---- sockets into any of the case's maps ----

    def update(self, key, sock=None, fd_value=None, flags=0, map=None, note=None):
        if map is None:
            return super().update(key, sock=sock, fd_value=fd_value, flags=flags, note=note)
        m = self.objs[map]
        k = rec.Guarded(key)
        n = self.socks[sock].fd if sock is not None else fd_value
        v = rec.Guarded((n & ((1 << (8 * m.spec["value_size"])) - 1)).to_bytes(m.spec["value_size"], "little"))
        ret, err, _ = rec.sys_bpf(rec.UPDATE, rec.attr_bytes(32, [(0, 4, m.fd), (8, 8, k.addr), (16, 8, v.addr),
                                                                  (24, 8, flags)]))
        k.free()
        v.free()
        e = {"op": "update", "map": map, "key": key.hex(), "flags": flags, "result": rec.result(ret, err)}
        if sock is not None:
            e["sock"] = sock
        else:
            e["fd_value"] = fd_value
        return self._op(e, note=note)

    def delete(self, key=None, map=None, note=None):
        if map is None:
            return super().delete(key, note=note)
        k = rec.Guarded(key)
        ret, err, _ = rec.sys_bpf(rec.DELETE, rec.attr_bytes(32, [(0, 4, self.objs[map].fd), (8, 8, k.addr)]))
        k.free()
        return self._op({"op": "delete", "map": map, "key": key.hex(), "result": rec.result(ret, err)}, note=note)

    # ---- object commands on program fds ----

    def prog_info(self, prog, info_len=None, tail_at=None, note=None, attr_set=None):
        """OBJ_GET_INFO_BY_FD on `prog` (any label). info_len defaults to the kernel's size;
        `tail_at`: the offset of a byte 01 in the buffer, which is zero elsewhere (a non-zero byte past
        the kernel's struct gives E2BIG)."""
        n = PROG_INFO_LEN if info_len is None else info_len
        buf = bytearray(n)
        if tail_at is not None:
            buf[tail_at] = 1
        g = rec.Guarded(bytes(buf))
        ret, err, raw = sys_bpf(rec.OBJ_GET_INFO_BY_FD, [(0, 4, self._fd(prog)), (4, 4, n), (8, 8, g.addr)], attr_set)
        r = rec.result(ret, err)
        if ret >= 0:
            r["info_len"] = rec.u32(raw, 4)
            r["info"], r["info_observed"] = prog_info_fields(g.read(), r["info_len"])
        g.free()
        e = {"op": "prog_info", "prog": prog}
        if info_len is not None:
            e["info_len"] = info_len
        if tail_at is not None:
            e["tail_at"] = tail_at
        e["result"] = r
        return self._with(e, attr_set, note, check="exact")

    def prog_get_next_id(self, start=None, start_id=None, attr_set=None, note=None):
        """One PROG_GET_NEXT_ID from the id of `start` (a label) or the raw `start_id`. What comes next
        depends on the machine: the result says only whether it is greater than the start."""
        sid = self.objs[start].id if start is not None else start_id
        ret, err, raw = sys_bpf(PROG_GET_NEXT_ID, [(0, 4, sid)], attr_set)
        r = rec.result(ret, err)
        if ret >= 0:
            r["next_id_gt_start"] = rec.u32(raw, 4) > sid
        e = {"op": "prog_get_next_id"}
        if start is not None:
            e["start"] = start
        else:
            e["start_id"] = start_id
        e["result"] = r
        return self._with(e, attr_set, note)

    def prog_id_walk(self, start=None, note=None):
        """PROG_GET_NEXT_ID from the id of `start` (or 0) until ENOENT: the case's own programs in the
        order seen (other programs of the machine are left out)."""
        sid = 0 if start is None else self.objs[start].id
        seen, cur = [], sid
        for _ in range(ID_WALK_BOUND):
            ret, err, raw = sys_bpf(PROG_GET_NEXT_ID, [(0, 4, cur)])
            if ret < 0:
                break
            cur = rec.u32(raw, 4)
            label = self._label_of_id(cur, Prog)
            if label != "other":
                seen.append(label)
        else:
            raise RuntimeError("the id walk did not end")
        r = {"ret": 0, "errno": None, "progs": seen, "end_errno": rec.ERRNO_NAMES.get(err, str(err))}
        e = {"op": "prog_id_walk"}
        if start is not None:
            e["start"] = start
        e["result"] = r
        return self._op(e, note=note)

    def prog_get_fd_by_id(self, label, of=None, id_value=None, open_flags=0, attr_set=None, note=None):
        """PROG_GET_FD_BY_ID of the id of `of` (a label: prog or map) or a raw `id_value`; a new fd
        becomes object `label`, and the result says whose id it has."""
        i = self.objs[of].id if of is not None else id_value
        ret, err, _ = sys_bpf(PROG_GET_FD_BY_ID, [(0, 4, i), (8, 4, open_flags)], attr_set)
        r = rec.result(ret, err)
        if ret >= 0:
            self._new_label(label)
            self.objs[label] = Prog(ret)
            r["same_id_as"] = self._label_of_id(self.objs[label].id, Prog)
        e = {"op": "prog_get_fd_by_id", "label": label}
        if of is not None:
            e["of"] = of
        else:
            e["id_value"] = id_value
        if open_flags:
            e["open_flags"] = open_flags
        e["result"] = r
        return self._with(e, attr_set, note)

    def obj_pin(self, obj, pin, file_flags=0, attr_set=None, note=None):
        path = rec.Guarded(f"{PIN_DIR}/{pin}".encode() + b"\0")
        ret, err, _ = sys_bpf(OBJ_PIN, [(0, 8, path.addr), (8, 4, self._fd(obj)), (12, 4, file_flags)], attr_set)
        path.free()
        if ret >= 0:
            self.pins.append(pin)
        e = {"op": "obj_pin", "obj": obj, "pin": pin}
        if file_flags:
            e["file_flags"] = file_flags
        e["result"] = rec.result(ret, err)
        return self._with(e, attr_set, note)

    def obj_get(self, label, pin, file_flags=0, attr_set=None, note=None):
        path = rec.Guarded(f"{PIN_DIR}/{pin}".encode() + b"\0")
        ret, err, _ = sys_bpf(OBJ_GET, [(0, 8, path.addr), (12, 4, file_flags)], attr_set)
        path.free()
        r = rec.result(ret, err)
        if ret >= 0:
            self._new_label(label)
            i = obj_id(ret)
            # what kind of object: a prog's info is longer than a map's
            kind = object_kind(ret)
            self.objs[label] = Prog(ret) if kind == "prog" else Map(ret, None)
            r["kind"] = kind
            r["same_id_as"] = self._label_of_id(i, Prog if kind == "prog" else Map)
        e = {"op": "obj_get", "label": label, "pin": pin}
        if file_flags:
            e["file_flags"] = file_flags
        e["result"] = r
        return self._with(e, attr_set, note)

    def pin_remove(self, pin, note=None):
        os.unlink(f"{PIN_DIR}/{pin}")
        self.pins.remove(pin)
        return self._op({"op": "pin_remove", "pin": pin, "result": rec.result(0, 0)}, note=note)

    def close(self):
        left, self.pins = self.pins, []
        for pin in left:
            os.unlink(f"{PIN_DIR}/{pin}")
        if left:
            raise RuntimeError(f"{self.name}: pins left: {left} (a case removes its own, by pin_remove)")
        for label, o in self.objs.items():
            if label != "map":
                o.close()
        return super().close()


def object_kind(fd):
    with open(f"/proc/self/fdinfo/{fd}") as f:
        text = f.read()
    if "prog_type:" in text:
        return "prog"
    if "map_type:" in text:
        return "map"
    return "other"


# struct bpf_prog_info (include/uapi/linux/bpf.h): (name, offset, width) of the fields recorded.
# The rest are pointers in (jited/xlated insns, map_ids, func/line info, prog tags, ksyms) or say
# what the JIT made.
PROG_INFO_FIELDS = [("type", 0, 4), ("id", 4, 4), ("tag", 8, 8), ("jited_prog_len", 16, 4),
                    ("xlated_prog_len", 20, 4), ("load_time", 40, 8), ("created_by_uid", 48, 4),
                    ("nr_map_ids", 52, 4), ("name", 64, 16), ("ifindex", 80, 4), ("gpl_compatible", 84, 4),
                    ("netns_dev", 88, 8), ("netns_ino", 96, 8), ("nr_jited_ksyms", 104, 4),
                    ("nr_jited_func_lens", 108, 4), ("btf_id", 128, 4), ("func_info_rec_size", 132, 4),
                    ("nr_func_info", 144, 4), ("nr_line_info", 148, 4), ("line_info_rec_size", 172, 4),
                    ("jited_line_info_rec_size", 176, 4), ("nr_prog_tags", 180, 4), ("run_time_ns", 192, 8),
                    ("run_cnt", 200, 8), ("recursion_misses", 208, 8), ("verified_insns", 216, 4),
                    ("attach_btf_obj_id", 220, 4), ("attach_btf_id", 224, 4)]
# values that change between runs: recorded as "is it non-zero"
PROG_INFO_NONZERO = ("id", "load_time")
# what the kernel's JIT and verifier say: recorded, not something a Java program can match; the
# result gives them apart, as `info_observed`, which a replay does not compare
PROG_INFO_OBSERVED = ("tag", "jited_prog_len", "xlated_prog_len", "nr_jited_ksyms", "nr_jited_func_lens",
                      "verified_insns", "func_info_rec_size", "line_info_rec_size", "jited_line_info_rec_size")
PROG_INFO_LEN = None  # set by main(): what the kernel answers for a large info_len


def prog_info_fields(b, n):
    """(fields a replay must match, fields it need not: PROG_INFO_OBSERVED) of the first n bytes."""
    out, observed = {}, {}
    for name, off, w in PROG_INFO_FIELDS:
        if off + w > n:
            continue
        raw = b[off:off + w]
        if name == "type":
            v = rec.u32(raw, 0)
            out[name] = next((k for k, t in PROG_TYPES.items() if t == v), v)
        elif name == "name":
            out[name] = raw.split(b"\0")[0].decode()
        elif name == "tag":
            observed[name] = raw.hex()
        elif name == "gpl_compatible":
            out[name] = rec.u32(raw, 0) & 1
        elif name in PROG_INFO_NONZERO:
            out[name + "_nonzero"] = int.from_bytes(raw, "little") != 0
        elif name in ("netns_dev", "netns_ino"):
            out[name + "_nonzero"] = int.from_bytes(raw, "little") != 0
        elif name in PROG_INFO_OBSERVED:
            observed[name] = int.from_bytes(raw, "little")
        else:
            out[name] = int.from_bytes(raw, "little")
    return out, observed


def kernel_prog_info_len():
    c = ProgCase("probe", "SOCKMAP")
    c.prog_load("p", "SK_SKB")
    g = rec.Guarded(size=1024)
    ret, err, raw = sys_bpf(rec.OBJ_GET_INFO_BY_FD, [(0, 4, c.objs["p"].fd), (4, 4, 1024), (8, 8, g.addr)])
    g.free()
    c.close()
    if ret < 0:
        raise RuntimeError(f"prog info: {err}")
    return rec.u32(raw, 4)



K = rec.le32
SKB_TYPES = ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT")
SOCK_TYPES = ("SOCKMAP", "SOCKHASH")
F_RDONLY, F_WRONLY = 8, 16


def fitting(attach_type):
    return "SK_MSG" if attach_type == "SK_MSG_VERDICT" else "SK_SKB"


def record():
    cases = []

    def done(c):
        cases.append(c.close())

    def four(c):
        """the four program types, one program each"""
        for label, t in (("skb", "SK_SKB"), ("msg", "SK_MSG"), ("xdp", "XDP"), ("sf", "SOCKET_FILTER")):
            c.prog_load(label, t, name=label)

    # ---- PROG_ATTACH: which program type fits which attach type (bpf_prog_attach: attach_type_to_prog_type,
    #      bpf_prog_get_type), on SOCKMAP and SOCKHASH ----
    for t in SOCK_TYPES:
        low = t.lower()
        for at in ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT", "SK_MSG_VERDICT"):
            c = ProgCase(f"{low}_attach_{at.lower()}_prog_types", t)
            four(c)
            for label in ("msg", "xdp", "sf", "skb"):
                if label != {"SK_SKB": "skb", "SK_MSG": "msg"}[fitting(at)]:
                    c.prog_attach(label, at, note=f"{at} takes only {fitting(at)} programs: EINVAL")
            good = {"SK_SKB": "skb", "SK_MSG": "msg"}[fitting(at)]
            c.prog_attach(good, at, note=f"{at} with a {fitting(at)} program")
            for q in ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT", "SK_MSG_VERDICT"):
                c.prog_query(q)
            c.prog_detach(good, at)
            c.prog_query(at, note="none attached")
            done(c)

    c = ProgCase("sockmap_attach_all_four_slots", "SOCKMAP")
    c.prog_load("parser", "SK_SKB", name="parser")
    c.prog_load("verdict", "SK_SKB", name="verdict")
    c.prog_load("msg", "SK_MSG", name="msg")
    c.prog_attach("parser", "SK_SKB_STREAM_PARSER")
    c.prog_attach("verdict", "SK_SKB_STREAM_VERDICT")
    c.prog_attach("msg", "SK_MSG_VERDICT")
    c.prog_attach("parser", "SK_SKB_STREAM_VERDICT", note="one program in two slots: replaces verdict")
    for q in ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT", "SK_MSG_VERDICT"):
        c.prog_query(q)
    c.prog_detach("parser", "SK_SKB_STREAM_PARSER")
    c.prog_query("SK_SKB_STREAM_VERDICT", note="the other slot keeps it")
    c.prog_detach("parser", "SK_SKB_STREAM_VERDICT")
    c.prog_detach("msg", "SK_MSG_VERDICT")
    done(c)

    c = ProgCase("sockmap_attach_expected_attach_type_ignored", "SOCKMAP")
    c.prog_load("p", "SK_SKB", name="p", expected_attach_type="SK_SKB_VERDICT",
                note="SK_SKB takes any expected_attach_type at load")
    c.prog_load("q", "SK_SKB", name="q", expected_attach_type="SK_MSG_VERDICT")
    c.prog_load("m", "SK_MSG", name="m", expected_attach_type="SK_SKB_STREAM_PARSER")
    c.prog_attach("p", "SK_SKB_STREAM_PARSER", note="attach does not check it for socket maps")
    c.prog_attach("q", "SK_SKB_STREAM_VERDICT")
    c.prog_attach("m", "SK_MSG_VERDICT")
    c.prog_detach("p", "SK_SKB_STREAM_PARSER")
    c.prog_detach("q", "SK_SKB_STREAM_VERDICT")
    c.prog_detach("m", "SK_MSG_VERDICT")
    done(c)

    # ---- attach types that are no socket map's ----
    c = ProgCase("sockmap_attach_other_attach_types", "SOCKMAP")
    four(c)
    c.prog_attach("xdp", "XDP", note="BPF_XDP: attach_type_to_prog_type gives XDP, which PROG_ATTACH has no case for")
    c.prog_attach("skb", "XDP", note="and an SK_SKB program for it: the type does not fit")
    c.prog_attach("skb", "CGROUP_INET_INGRESS", note="a cgroup attach type with an SK_SKB program")
    c.prog_attach("skb", 999, note="no such attach type")
    c.prog_attach("skb", 39, note="BPF_SK_REUSEPORT_SELECT")
    c.prog_detach("skb", 999)
    c.prog_query("SK_SKB_STREAM_VERDICT")
    done(c)

    # ---- a map that is not a socket map: sock_map_prog_lookup has no progs for it ----
    for t, ks, vs in (("ARRAY", 4, 8), ("HASH", 4, 8)):
        c = ProgCase(f"{t.lower()}_attach_not_a_socket_map", t, key_size=ks, value_size=vs)
        c.prog_load("skb", "SK_SKB", name="skb")
        c.prog_load("msg", "SK_MSG", name="msg")
        for at in ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT", "SK_MSG_VERDICT"):
            c.prog_attach("skb" if fitting(at) == "SK_SKB" else "msg", at, note=f"{t} target")
        c.prog_attach("msg", "SK_SKB_STREAM_VERDICT", note="wrong program type and a wrong map: the type first")
        c.prog_detach("skb", "SK_SKB_STREAM_VERDICT")
        c.prog_query("SK_SKB_STREAM_VERDICT")
        done(c)

    # ---- fds of the wrong kind, in order ----
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_attach_bad_fds", t)
        c.prog_load("skb", "SK_SKB", name="skb")
        c.prog_load("msg", "SK_MSG", name="msg")
        c.sock_new("s", "tcp_established")
        c.sock_new("bad", "badfd")
        c.map_new("arr", "ARRAY")
        c.prog_attach(None, "SK_SKB_STREAM_VERDICT", prog_fd_value=sx.BAD_FD, note="prog fd not open")
        c.prog_attach("map", "SK_SKB_STREAM_VERDICT", note="a map fd as the prog fd")
        c.prog_attach("s", "SK_SKB_STREAM_VERDICT", note="a socket fd as the prog fd")
        c.prog_attach("skb", "SK_SKB_STREAM_VERDICT", target_fd_value=sx.BAD_FD, note="target fd not open")
        c.prog_attach("skb", "SK_SKB_STREAM_VERDICT", target="msg", note="a prog fd as the target")
        c.prog_attach("skb", "SK_SKB_STREAM_VERDICT", target="s", note="a socket fd as the target")
        c.prog_attach("skb", "SK_SKB_STREAM_VERDICT", target="arr", note="an ARRAY map as the target")
        c.prog_attach(None, "SK_SKB_STREAM_VERDICT", prog_fd_value=sx.BAD_FD, target="arr",
                      note="a bad prog fd and an ARRAY target: the prog fd first")
        c.prog_attach("msg", "SK_SKB_STREAM_VERDICT", target_fd_value=sx.BAD_FD,
                      note="a wrong program type and a bad target")
        c.prog_attach(None, "SK_SKB_STREAM_VERDICT", prog_fd_value=sx.BAD_FD, attach_flags=1,
                      note="a bad prog fd and attach_flags 1")
        c.prog_attach("skb", "SK_SKB_STREAM_VERDICT", target_fd_value=sx.BAD_FD, attach_flags=1,
                      note="a bad target and attach_flags 1")
        c.prog_detach(None, "SK_SKB_STREAM_VERDICT", prog_fd_value=sx.BAD_FD, note="detach: prog fd not open")
        c.prog_detach("skb", "SK_SKB_STREAM_VERDICT", target_fd_value=sx.BAD_FD, note="detach: target fd not open")
        c.prog_detach("map", "SK_SKB_STREAM_VERDICT", note="detach: a map fd as the prog fd")
        c.prog_detach("skb", "SK_SKB_STREAM_VERDICT", target="arr", note="detach from an ARRAY")
        c.prog_detach("msg", "SK_SKB_STREAM_VERDICT", target_fd_value=sx.BAD_FD,
                      note="detach: a wrong program type and a bad target: the target first")
        c.prog_detach(None, "SK_SKB_STREAM_VERDICT", prog_fd_value=sx.BAD_FD, target="arr",
                      note="detach: a bad prog fd and an ARRAY target: the prog fd before the map type")
        c.prog_detach("msg", "SK_SKB_STREAM_VERDICT", target="arr",
                      note="detach: a wrong program type and an ARRAY target: the type before the map type")
        c.prog_query("SK_SKB_STREAM_VERDICT", note="nothing attached")
        c.map_close("arr")
        done(c)

    # ---- attach where one is attached: replaced; detach of another: ENOENT ----
    for t in SOCK_TYPES:
        low = t.lower()
        for at in ("SK_SKB_STREAM_PARSER", "SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT", "SK_MSG_VERDICT"):
            pt = fitting(at)
            c = ProgCase(f"{low}_replace_{at.lower()}", t)
            c.prog_load("a", pt, name="a")
            c.prog_load("b", pt, name="b")
            c.prog_detach("a", at, note="none attached: ENOENT")
            c.prog_attach("a", at)
            c.prog_attach("a", at, note="the same program again")
            c.prog_attach("b", at, note="replaces a")
            c.prog_query(at)
            c.prog_detach("a", at, note="a is not the attached one")
            c.prog_detach("b", at)
            c.prog_detach("b", at, note="detached already")
            c.prog_query(at)
            done(c)

    # ---- STREAM_VERDICT and SK_SKB_VERDICT exclude each other (sock_map_prog_lookup) ----
    for t in SOCK_TYPES:
        low = t.lower()
        for first, second in (("SK_SKB_STREAM_VERDICT", "SK_SKB_VERDICT"), ("SK_SKB_VERDICT", "SK_SKB_STREAM_VERDICT")):
            c = ProgCase(f"{low}_exclusive_{first.lower()}_first", t)
            c.prog_load("a", "SK_SKB", name="a")
            c.prog_load("b", "SK_SKB", name="b")
            c.prog_load("m", "SK_MSG", name="m")
            c.prog_attach("a", first)
            c.prog_attach("b", second, note=f"{second} while {first} is attached")
            c.prog_attach("a", second, note="even the same program")
            c.prog_attach("m", second, note="a wrong program type: EINVAL before EBUSY")
            c.prog_attach("b", second, attach_flags=1, note="attach_flags 1: EINVAL before EBUSY")
            c.prog_query(second, note=f"query of {second}: the lookup says EBUSY too")
            c.prog_detach("a", second, note=f"detach {second}: EBUSY (the lookup first)")
            c.prog_detach("b", second)
            c.prog_attach("b", "SK_SKB_STREAM_PARSER", note="the parser is no verdict: OK")
            c.prog_detach("a", first)
            c.prog_attach("b", second, note=f"{first} detached: now OK")
            c.prog_attach("a", first, note="and the other way round")
            c.prog_query(second)
            c.prog_detach("b", second)
            c.prog_detach("b", "SK_SKB_STREAM_PARSER")
            done(c)

    # ---- attach_flags and the fields after them ----
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_attach_attr_checks", t)
        c.prog_load("a", "SK_SKB", name="a")
        c.prog_load("b", "SK_SKB", name="b")
        for flags in (1, 2, 4, 1 << 31):
            c.prog_attach("a", "SK_SKB_STREAM_VERDICT", attach_flags=flags,
                          note=f"attach_flags {flags:#x} (ALLOW_OVERRIDE 1, ALLOW_MULTI 2, REPLACE 4)")
        c.prog_attach("a", "SK_SKB_STREAM_VERDICT", attr_set=[[16, 4, 0]], note="replace_bpf_fd 0: OK")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attr_set=[[16, 4, 3]], note="replace_bpf_fd non-zero")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attach_flags=4, attr_set=[[16, 4, 3]],
                      note="BPF_F_REPLACE with replace_bpf_fd")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attr_set=[[20, 4, 1]], note="relative_fd / relative_id")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attr_set=[[24, 8, 1]], note="expected_revision")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attr_set=[[32, 4, 1]], note="past the last field")
        c.prog_attach("b", "SK_SKB_STREAM_VERDICT", attr_set=[[156, 4, 1]], note="past the last field")
        c.prog_query("SK_SKB_STREAM_VERDICT", note="still a")
        for flags in (1, 4):
            c.prog_detach("a", "SK_SKB_STREAM_VERDICT", attach_flags=flags, note=f"detach attach_flags {flags}")
        c.prog_detach("a", "SK_SKB_STREAM_VERDICT", attr_set=[[16, 4, 3]], note="detach replace_bpf_fd")
        c.prog_detach("a", "SK_SKB_STREAM_VERDICT", attr_set=[[20, 4, 1]], note="detach relative_fd")
        c.prog_detach("a", "SK_SKB_STREAM_VERDICT", attr_set=[[24, 8, 1]], note="detach expected_revision")
        c.prog_detach("a", "SK_SKB_STREAM_VERDICT", attr_set=[[32, 4, 1]], note="detach past the last field")
        c.prog_query("SK_SKB_STREAM_VERDICT", note="still a")
        c.prog_query("SK_SKB_STREAM_VERDICT", query_flags=1, note="query_flags non-zero")
        c.prog_query("SK_SKB_STREAM_VERDICT", attr_set=[[12, 4, 7]], note="query attach_flags (an output) set")
        c.prog_query("SK_SKB_STREAM_VERDICT", attr_set=[[64, 4, 1]], note="query: past the last field")
        c.prog_query("SK_SKB_STREAM_VERDICT", prog_cnt=0, note="prog_cnt 0: the count only")
        c.prog_detach("a", "SK_SKB_STREAM_VERDICT")
        done(c)

    # ---- PROG_DETACH's prog fd: wrong type, another attach type, none (the old API) ----
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_detach_rules", t)
        c.prog_load("v", "SK_SKB", name="v")
        c.prog_load("m", "SK_MSG", name="m")
        c.prog_attach("v", "SK_SKB_STREAM_VERDICT")
        c.prog_attach("m", "SK_MSG_VERDICT")
        c.prog_detach("m", "SK_SKB_STREAM_VERDICT", note="an SK_MSG program for an SK_SKB attach type")
        c.prog_detach("v", "SK_MSG_VERDICT", note="an SK_SKB program for SK_MSG_VERDICT")
        c.prog_detach("v", "SK_SKB_STREAM_PARSER", note="v is attached, as the verdict, not the parser")
        c.prog_detach(None, "SK_SKB_STREAM_VERDICT",
                      note="attach_bpf_fd 0 (fd 0 open, not a program): the old API without a prog fd")
        c.prog_detach(None, "SK_MSG_VERDICT", note="the same for SK_MSG_VERDICT")
        c.prog_query("SK_SKB_STREAM_VERDICT", note="still attached")
        c.prog_query("SK_MSG_VERDICT")
        c.prog_detach("v", "SK_SKB_STREAM_VERDICT")
        c.prog_detach("m", "SK_MSG_VERDICT")
        done(c)

    # ---- an attached program outlives its fd ----
    c = ProgCase("sockmap_attached_prog_outlives_its_fd", "SOCKMAP")
    c.prog_load("v", "SK_SKB", name="v")
    c.prog_attach("v", "SK_SKB_STREAM_VERDICT")
    c.prog_close("v", note="the map holds the program")
    c.prog_query("SK_SKB_STREAM_VERDICT", note="still attached, same id")
    c.prog_id_walk()
    c.prog_get_fd_by_id("v2", of="v", note="a new fd for it")
    c.prog_detach("v2", "SK_SKB_STREAM_VERDICT", note="detached with the new fd")
    c.prog_query("SK_SKB_STREAM_VERDICT")
    done(c)

    # ---- sock_map_link: EBUSY at insert ----
    def link_case(name, t, first, second, kind="tcp_established", same_map=False, note=None):
        """A socket inserted into a map with programs `first` (attach types), then into another map (or a
        second key of the same map) with programs `second`."""
        c = ProgCase(name, t)
        progs = {}
        for at in sorted(set(first) | set(second)):
            progs[at] = f"p_{at.lower()}"
            c.prog_load(progs[at], fitting(at), name=progs[at][:15])
        for at in first:
            c.prog_attach(progs[at], at)
        if not same_map:
            c.map_new("m2", t)
            for at in second:
                c.prog_attach(progs[at], at, target="m2")
        c.sock_new("s", kind)
        c.update(K(0), sock="s", note=f"into a map with {', '.join(first) or 'no programs'}")
        if same_map:
            c.update(K(1), sock="s", note="the same socket at a second key of the same map")
            c.update(K(0), sock="s", note="re-insert at its own key (ANY)")
            c.update(K(0), sock="s", flags=2, note="re-insert at its own key (EXIST)")
        else:
            c.update(K(0), sock="s", map="m2", note=note or f"then into a map with {', '.join(second) or 'none'}")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        if not same_map:
            c.update(K(1), sock="s", note="a second key of the first map")
            c.map_close("m2")
        done(c)

    V, SV, P, MV = "SK_SKB_VERDICT", "SK_SKB_STREAM_VERDICT", "SK_SKB_STREAM_PARSER", "SK_MSG_VERDICT"
    for t in SOCK_TYPES:
        low = t.lower()
        for first, second in (((SV,), (SV,)), ((SV,), (V,)), ((V,), (SV,)), ((V,), (V,)),
                              ((P, SV), (P,)), ((P, SV), (P, SV)), ((SV,), (P,)), ((P,), (P,)),
                              ((MV,), (MV,)), ((MV,), (SV,)), ((SV,), (MV,)), ((P, SV, MV), ()),
                              ((), (SV,)), ((), (MV,))):
            name = "_".join(a.lower().replace("sk_skb_", "").replace("sk_", "") for a in first) or "none"
            name2 = "_".join(a.lower().replace("sk_skb_", "").replace("sk_", "") for a in second) or "none"
            link_case(f"{low}_link_{name}_then_{name2}", t, first, second)
        for first in ((SV,), (V,), (P, SV), (MV,), (P,), ()):
            name = "_".join(a.lower().replace("sk_skb_", "").replace("sk_", "") for a in first) or "none"
            link_case(f"{low}_link_{name}_same_map", t, first, (), same_map=True)
    for kind in ("tcp_accepted", "tcp6_established", "tcp_listen", "udp_bound", "unix_stream", "unix_dgram"):
        link_case(f"sockmap_link_stream_verdict_twice_{kind}", "SOCKMAP", (SV,), (SV,), kind=kind)
        link_case(f"sockmap_link_parser_verdict_{kind}", "SOCKMAP", (P, SV), (), kind=kind, same_map=True)
        link_case(f"sockmap_link_msg_verdict_twice_{kind}", "SOCKMAP", (MV,), (MV,), kind=kind)

    # attaching later does not reach the sockets already in the map
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_attach_later_not_on_sockets_in_map", t)
        c.prog_load("v", "SK_SKB", name="v")
        c.prog_load("w", "SK_SKB", name="w")
        c.map_new("m2", t)
        c.prog_attach("w", SV, target="m2")
        c.sock_new("s", "tcp_established")
        c.update(K(0), sock="s", note="into the map without programs")
        c.prog_attach("v", SV, note="attached after the insert")
        c.update(K(0), sock="s", map="m2",
                 note="the socket runs no verdict: a map with one takes it (it would be EBUSY had v reached it)")
        c.update(K(1), sock="s", note="it runs w now: a second key of the first map (with v) is EBUSY")
        c.delete(K(0), map="m2", note="its link to m2 goes, and w with it")
        c.update(K(1), sock="s", note="a second key of the first map: the socket takes v now")
        c.update(K(0), sock="s", map="m2", note="now it runs v: EBUSY")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        c.map_close("m2")
        done(c)

        c = ProgCase(f"{low}_detach_later_stays_on_sockets_in_map", t)
        c.prog_load("v", "SK_SKB", name="v")
        c.prog_load("w", "SK_SKB", name="w")
        c.map_new("m2", t)
        c.prog_attach("w", SV, target="m2")
        c.prog_attach("v", SV)
        c.sock_new("s", "tcp_established")
        c.update(K(0), sock="s", note="the socket takes v")
        c.prog_detach("v", SV, note="detached from the map, not from the socket")
        c.update(K(0), sock="s", map="m2", note="the socket still runs v: EBUSY")
        c.update(K(1), sock="s", note="the map has no verdict now: a second key is OK")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        c.map_close("m2")
        done(c)

    # the socket leaves the map: its psock (and programs) go with the last link
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_link_after_delete", t)
        c.prog_load("v", "SK_SKB", name="v")
        c.prog_attach("v", SV)
        c.map_new("m2", t)
        c.prog_attach("v", SV, target="m2")
        c.sock_new("s", "tcp_established")
        c.update(K(0), sock="s")
        c.update(K(0), sock="s", map="m2", note="EBUSY")
        c.delete(K(0), note="the socket's only link goes")
        c.update(K(0), sock="s", map="m2", note="no program left on the socket: OK")
        c.update(K(1), sock="s", note="now the first map says EBUSY")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        c.map_close("m2")
        done(c)

    # what a socket keeps when one of its links goes (sock_map_del_link): the verdict of a map that has
    # one is stopped and the socket takes another; an SK_MSG program stays until the last link goes
    for t in SOCK_TYPES:
        low = t.lower()
        c = ProgCase(f"{low}_unlink_keeps_msg_program", t)
        c.prog_load("v", "SK_SKB", name="v")
        c.prog_load("m", "SK_MSG", name="m")
        c.prog_attach("v", SV)
        for label, at, prog in (("m2", MV, "m"), ("m3", MV, "m"), ("m4", SV, "v")):
            c.map_new(label, t)
            c.prog_attach(prog, at, target=label)
        c.sock_new("s", "tcp_established")
        c.update(K(0), sock="s", note="takes v")
        c.update(K(0), sock="s", map="m2", note="takes m too")
        c.update(K(0), sock="s", map="m3", note="runs m: EBUSY")
        c.delete(K(0), map="m2", note="the link to m2 (an SK_MSG_VERDICT map) goes")
        c.update(K(0), sock="s", map="m3", note="m stays on the socket: EBUSY")
        c.update(K(0), sock="s", map="m4", note="v stays (m2 has no verdict): EBUSY")
        c.delete(K(0), note="the last link: the socket runs nothing")
        c.update(K(0), sock="s", map="m3", note="OK")
        c.update(K(0), sock="s", map="m4", note="OK")
        for label in ("m2", "m3", "m4"):
            c.map_close(label)
        done(c)

    c = ProgCase("sockmap_link_replace_slot_with_other_socket", "SOCKMAP")
    c.prog_load("v", "SK_SKB", name="v")
    c.prog_attach("v", SV)
    c.sock_new("a", "tcp_established")
    c.sock_new("b", "tcp_established")
    c.update(K(0), sock="a")
    c.update(K(0), sock="b", note="another socket replaces a: b takes v")
    c.update(K(1), sock="a", note="a left the map (its link and psock went): OK again")
    c.update(K(2), sock="b", note="b runs v: EBUSY")
    c.dump()
    done(c)

    # ---- PROG_LOAD: a few attribute checks ----
    c = ProgCase("prog_load_checks", "SOCKMAP")
    c.prog_load("a", "SK_SKB", name="abcdefghijklmno", note="15 chars")
    c.prog_load("b", "SK_SKB", name="a-b", note="'-' in a name")
    c.prog_load("c", "SK_SKB", name="a.b_c", note="'.' and '_'")
    c.prog_load("d", "SK_SKB", name="", attr_set=[[48, 8, int.from_bytes(b"abcdefgh", "little")],
                                                  [56, 8, int.from_bytes(b"ijklmnop", "little")]],
                note="16 chars, no NUL")
    c.prog_load("e", 999, name="e", note="no such program type")
    c.prog_load("f", 0, name="f", note="BPF_PROG_TYPE_UNSPEC")
    c.prog_load("g", "SK_MSG", name="g", license="MIT", note="not GPL: r0 = 1 calls no GPL helper")
    c.prog_load("h", "SK_SKB", name="h", insns=b"", note="insn_cnt 0")
    c.prog_load("i", "SK_SKB", name="i", prog_flags=1 << 30, note="an unknown prog_flags bit")
    c.prog_load("j", "SK_SKB", name="j", insns=bytes.fromhex("9500000000000000"), note="exit, r0 never set")
    c.prog_info("a")
    c.prog_info("c")
    c.prog_info("g", note="gpl_compatible 0")
    done(c)

    # ---- OBJ_GET_INFO_BY_FD on a program ----
    c = ProgCase("prog_info_sizes", "SOCKMAP")
    c.prog_load("v", "SK_SKB", name="v")
    c.prog_load("m", "SK_MSG", name="msg_prog")
    c.prog_info("v")
    c.prog_info("m")
    c.prog_info("v", info_len=8, note="type and id only")
    c.prog_info("v", info_len=4, note="type only")
    c.prog_info("v", info_len=0)
    c.prog_info("v", info_len=PROG_INFO_LEN + 8, note="longer than the kernel's struct, a zero tail: OK")
    c.prog_info("v", info_len=PROG_INFO_LEN + 8, tail_at=PROG_INFO_LEN, note="a non-zero byte just past it: E2BIG")
    c.prog_info("v", info_len=PROG_INFO_LEN + 8, tail_at=PROG_INFO_LEN + 7, note="at the end: E2BIG")
    c.prog_info("v", info_len=PROG_INFO_LEN + 8, tail_at=0, note="a non-zero byte inside the struct: ignored")
    c.prog_info("v", info_len=4096, note="a page, zero past the struct: OK")
    c.prog_info("v", info_len=4097, note="more than a page, all zero: E2BIG (bpf_check_uarg_tail_zero)")
    c.prog_info("v", attr_set=[[16, 4, 1]], note="past info (the last field)")
    c.sock_new("s", "tcp_established")
    c.prog_info("s", note="a socket fd")
    c.prog_attach("v", SV)
    c.prog_info("v", note="attached: nothing in the info says so")
    c.prog_detach("v", SV)
    done(c)

    # ---- PROG_GET_NEXT_ID ----
    c = ProgCase("prog_get_next_id", "SOCKMAP")
    c.prog_load("a", "SK_SKB", name="a")
    c.prog_load("b", "SK_MSG", name="b")
    c.prog_load("c", "SK_SKB", name="c")
    c.prog_id_walk(note="the case's programs, in load order")
    c.prog_id_walk(start="a", note="from a: a is not in it")
    c.prog_get_next_id(start_id=0)
    c.prog_get_next_id(start="a")
    c.prog_get_next_id(start="a", attr_set=[[4, 4, 12345]], note="next_id (an output) non-zero: OK")
    c.prog_get_next_id(start="a", attr_set=[[8, 4, 1]], note="open_flags: not for GET_NEXT_ID")
    c.prog_get_next_id(start="a", attr_set=[[12, 4, 1]], note="past the last field")
    for sid in (0x7ffffffe, 0x7fffffff, 0x80000000, 0xffffffff):
        c.prog_get_next_id(start_id=sid)
    c.prog_close("b")
    c.prog_id_walk(note="b closed (attached nowhere): gone")
    done(c)

    # ---- PROG_GET_FD_BY_ID ----
    c = ProgCase("prog_get_fd_by_id", "SOCKMAP")
    c.prog_load("a", "SK_SKB", name="a")
    c.prog_load("gone", "SK_SKB", name="gone")
    c.prog_get_fd_by_id("a2", of="a")
    c.prog_info("a2")
    c.prog_attach("a2", SV, note="the new fd is the same program")
    c.prog_detach("a", SV, note="detached through the first fd")
    for flags in (F_RDONLY, F_WRONLY, 1):
        c.prog_get_fd_by_id(f"x{flags}", of="a", open_flags=flags, note=f"open_flags {flags}")
    c.prog_get_fd_by_id("x", of="a", attr_set=[[4, 4, 1]], note="the word after prog_id")
    c.prog_get_fd_by_id("x", of="a", attr_set=[[12, 4, 1]], note="past open_flags")
    c.prog_get_fd_by_id("x", id_value=0, note="id 0")
    c.prog_get_fd_by_id("x", id_value=0xffffffff)
    c.prog_close("gone")
    c.prog_get_fd_by_id("x", of="gone", note="its only fd closed")
    done(c)

    # ---- OBJ_PIN / OBJ_GET of programs ----
    c = ProgCase("prog_pin", "SOCKMAP")
    c.prog_load("a", "SK_SKB", name="a")
    c.obj_pin("a", "a")
    c.obj_pin("a", "a", note="the path exists")
    c.obj_pin("a", "b", file_flags=F_RDONLY, note="file_flags on OBJ_PIN")
    c.obj_pin("a", "b", attr_set=[[16, 4, 1]], note="path_fd without BPF_F_PATH_FD")
    c.obj_pin("a", "b", attr_set=[[20, 4, 1]], note="past the last field")
    c.obj_pin("a", "nodir/b", note="a missing directory")
    c.obj_get("a1", "a")
    c.obj_get("a2", "a", file_flags=F_RDONLY, note="BPF_F_RDONLY on a program")
    c.obj_get("a3", "a", file_flags=F_WRONLY, note="BPF_F_WRONLY on a program")
    c.obj_get("a4", "a", file_flags=F_RDONLY | F_WRONLY)
    c.obj_get("a5", "a", file_flags=1, note="an unknown flag")
    c.obj_get("a6", "a", attr_set=[[16, 4, 1]], note="path_fd without BPF_F_PATH_FD")
    c.obj_get("a7", "a", attr_set=[[20, 4, 1]], note="past the last field")
    c.obj_get("x", "missing")
    c.prog_close("a", note="the pin holds the program")
    c.prog_attach("a1", SV)
    c.prog_query(SV)
    c.prog_detach("a1", SV)
    c.obj_pin("map", "m")
    c.obj_get("mm", "m")
    c.prog_attach("a1", SV, target="mm", note="a map fd from OBJ_GET")
    c.prog_attach("mm", SV, note="... which is no program")
    c.prog_detach("a1", SV)
    c.sock_new("s", "tcp_established")
    c.obj_pin("s", "s", note="a socket fd")
    c.sock_new("bad", "badfd")
    c.obj_pin("bad", "s", note="an fd not open")
    c.pin_remove("a")
    c.pin_remove("m")
    done(c)
    return cases


def recorded_without_leaks():
    """The cases, after checking that recording them left no fd open and no pin."""
    global PROG_INFO_LEN
    try:
        os.fstat(0)
    except OSError:
        sys.exit("fd 0 must be open (not a program): detach with attach_bpf_fd 0 relies on it")
    os.mkdir(PIN_DIR)
    try:
        PROG_INFO_LEN = kernel_prog_info_len()
        fds = set(os.listdir("/proc/self/fd"))
        cases = record()
        leaked = set(os.listdir("/proc/self/fd")) - fds
        if leaked:
            sys.exit(f"fds left open: {sorted(leaked)}")
        if os.listdir(PIN_DIR):
            sys.exit(f"pins left: {os.listdir(PIN_DIR)}")
    finally:
        os.rmdir(PIN_DIR)
    return cases


def main():
    rec.write_corpus("prog-sockmap", "record-prog-sockmap.py",
                     {"unordered": "ret/errno exact; list outputs (keys, entries) compared as multisets"},
                     recorded_without_leaks,
                     why_root="CAP_BPF, CAP_NET_ADMIN for socket maps, CAP_SYS_ADMIN for ids")


if __name__ == "__main__":
    main()
