#!/usr/bin/env python3
"""Records how this machine's kernel answers bpf(2) for QUEUE, STACK and BLOOM_FILTER maps.

Run as root:  python3 corpus/record/record-queue-stack-bloom.py [OUT.json]
Writes corpus/queue-stack-bloom-<kernel version>.json (format: corpus/FORMAT.md, with the
extensions described there: a lookup's input `value`, `value: null` and `next_key: null` as
NULL pointers, and the `fdinfo` op).

Every pointer passed to the kernel points at the last bytes of a page followed by an
inaccessible page, so that a buffer shorter than the kernel reads faults (EFAULT) exactly as a
short user buffer does, and the Java runner's exactly-sized buffers replay the same thing.
Every fd made here is closed before the script ends; nothing is pinned.
"""
import ctypes
import json
import os
import platform
import sys

SYS_BPF = 321
PAGE = os.sysconf("SC_PAGE_SIZE")

MAP_CREATE, LOOKUP, UPDATE, DELETE, GET_NEXT_KEY = 0, 1, 2, 3, 4
OBJ_GET_INFO_BY_FD, LOOKUP_AND_DELETE, FREEZE = 15, 21, 22
LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH, DELETE_BATCH = 24, 25, 26, 27

TYPES = {"QUEUE": 22, "STACK": 23, "BLOOM_FILTER": 30}
ERRNO_NAMES = {1: "EPERM", 2: "ENOENT", 7: "E2BIG", 9: "EBADF", 12: "ENOMEM", 14: "EFAULT", 16: "EBUSY",
               22: "EINVAL", 28: "ENOSPC", 95: "EOPNOTSUPP", 524: "ENOTSUPP"}

F_NO_PREALLOC, F_NUMA_NODE, F_RDONLY, F_WRONLY = 1, 4, 8, 16
F_ZERO_SEED, F_RDONLY_PROG, F_WRONLY_PROG, F_MMAPABLE = 64, 128, 256, 1024
KMALLOC_MAX_SIZE = 4 << 20  # 1 << (MAX_PAGE_ORDER + PAGE_SHIFT) on x86-64

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_ulong]
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


class Guarded:
    """n bytes ending exactly where an inaccessible page begins."""

    def __init__(self, data=b"", size=None):
        self.n = len(data) if size is None else size
        pages = (self.n + PAGE - 1) // PAGE + 1
        self.len = pages * PAGE
        self.base = libc.mmap(None, self.len, 3, 0x22, -1, 0)  # RW, PRIVATE|ANONYMOUS
        if self.base in (None, ctypes.c_void_p(-1).value):
            raise OSError(ctypes.get_errno(), "mmap")
        libc.mprotect(self.base + self.len - PAGE, PAGE, 0)
        self.addr = self.base + self.len - PAGE - self.n
        ctypes.memmove(self.addr, bytes(data) + bytes(self.n - len(data)), self.n)

    def read(self, at=0, n=None):
        n = self.n - at if n is None else n
        return ctypes.string_at(self.addr + at, n)

    def free(self):
        libc.munmap(self.base, self.len)


def ptr(g):
    return 0 if g is None else g.addr


def sys_bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    err = ctypes.get_errno() if ret < 0 else 0
    return ret, err, buf.raw


def result(ret, err):
    return {"ret": 0 if ret >= 0 else -1, "errno": ERRNO_NAMES.get(err, str(err)) if ret < 0 else None}


def u32(b, at):
    return int.from_bytes(b[at:at + 4], "little")


def u64(b, at):
    return int.from_bytes(b[at:at + 8], "little")


def attr_bytes(size, fields):
    """fields: (offset, width, value)"""
    b = bytearray(size)
    for off, width, val in fields:
        b[off:off + width] = (val & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    return b


class Case:
    def __init__(self, name, type_name, key_size, value_size, max_entries, map_flags=0, map_extra=None,
                 numa_node=None, map_name="", note=None):
        self.map = {"type": type_name, "key_size": key_size, "value_size": value_size,
                    "max_entries": max_entries, "map_flags": map_flags, "name": map_name}
        if map_extra is not None:
            self.map["map_extra"] = map_extra
        if numa_node is not None:
            self.map["numa_node"] = numa_node
        self.name = name
        self.note = note
        self.ops = []
        attr = attr_bytes(128, [(0, 4, TYPES[type_name]), (4, 4, key_size), (8, 4, value_size),
                                (12, 4, max_entries), (16, 4, map_flags), (24, 4, numa_node or 0),
                                (64, 8, map_extra or 0)])
        attr[28:28 + len(map_name)] = map_name.encode()
        ret, err, _ = sys_bpf(MAP_CREATE, attr)
        self.fd = ret if ret >= 0 else -1
        self.create = result(ret, err)

    # ---- element commands ----

    def _elem(self, cmd, key, value, flags):
        attr = attr_bytes(32, [(0, 4, self.fd), (8, 8, ptr(key)), (16, 8, ptr(value)), (24, 8, flags)])
        ret, err, _ = sys_bpf(cmd, attr)
        return ret, err

    def _op(self, entry, check="exact", note=None):
        entry["check"] = check
        if note:
            entry["note"] = note
        self.ops.append(entry)
        return entry

    @staticmethod
    def _hex(b):
        return None if b is None else b.hex()

    def update(self, value, flags=0, key=None, note=None):
        """push (QUEUE/STACK) or add (BLOOM_FILTER); value None is a NULL pointer"""
        k = None if key is None else Guarded(key)
        v = None if value is None else Guarded(value)
        ret, err = self._elem(UPDATE, k, v, flags)
        for g in (k, v):
            if g:
                g.free()
        return self._op({"op": "update", "key": self._hex(key), "value": self._hex(value), "flags": flags,
                         "result": result(ret, err)}, note=note)

    def lookup(self, flags=0, key=None, value=None, null_value=False, delete=False, check="exact", note=None):
        """peek / pop (delete=True); for a bloom filter, `value` is the input looked up"""
        k = None if key is None else Guarded(key)
        vs = self.map["value_size"]
        v = None if null_value else Guarded(value if value is not None else b"", None if value is not None else vs)
        ret, err = self._elem(LOOKUP_AND_DELETE if delete else LOOKUP, k, v, flags)
        e = {"op": "lookup_and_delete" if delete else "lookup", "key": self._hex(key), "flags": flags}
        if null_value:
            e["value"] = None
        elif value is not None:
            e["value"] = value.hex()
        r = result(ret, err)
        if ret >= 0:
            r["value"] = v.read(0, vs).hex()
        e["result"] = r
        for g in (k, v):
            if g:
                g.free()
        return self._op(e, check=check, note=note)

    def pop(self, **kw):
        return self.lookup(delete=True, **kw)

    def delete(self, key=None, note=None):
        k = None if key is None else Guarded(key)
        ret, err = self._elem(DELETE, k, None, 0)
        if k:
            k.free()
        return self._op({"op": "delete", "key": self._hex(key), "result": result(ret, err)}, note=note)

    def get_next_key(self, key=None, null_next=False, note=None):
        k = None if key is None else Guarded(key)
        nk = None if null_next else Guarded(size=self.map["key_size"])
        ret, err = self._elem(GET_NEXT_KEY, k, nk, 0)
        e = {"op": "get_next_key", "key": self._hex(key)}
        if null_next:
            e["next_key"] = None
        r = result(ret, err)
        if ret >= 0:
            r["next_key"] = nk.read().hex()
        e["result"] = r
        for g in (k, nk):
            if g:
                g.free()
        return self._op(e, note=note)

    def freeze(self, note=None):
        ret, err, _ = sys_bpf(FREEZE, attr_bytes(32, [(0, 4, self.fd)]))
        return self._op({"op": "freeze", "result": result(ret, err)}, note=note)

    # ---- batches ----

    def lookup_batch(self, count, delete=False, note=None):
        ks, vs = self.map["key_size"], self.map["value_size"]
        out = Guarded(size=max(ks, 4))
        keys = Guarded(size=count * ks)
        values = Guarded(size=count * vs)
        attr = attr_bytes(56, [(8, 8, out.addr), (16, 8, keys.addr), (24, 8, values.addr), (32, 4, count),
                               (36, 4, self.fd)])
        ret, err, raw = sys_bpf(LOOKUP_AND_DELETE_BATCH if delete else LOOKUP_BATCH, attr)
        got = min(u32(raw, 32), count)
        r = result(ret, err)
        r["count"] = u32(raw, 32)
        r["keys"] = [keys.read(i * ks, ks).hex() for i in range(got)]
        r["values"] = [{"value": values.read(i * vs, vs).hex()} for i in range(got)]
        r["out_batch"] = out.read().hex()
        for g in (out, keys, values):
            g.free()
        return self._op({"op": "lookup_and_delete_batch" if delete else "lookup_batch", "count": count,
                         "in_batch": None, "result": r}, note=note)

    def write_batch(self, values, delete=False, note=None):
        ks = self.map["key_size"]
        keys = Guarded(b"".join(bytes(ks) for _ in values))
        vals = Guarded(b"".join(values))
        attr = attr_bytes(56, [(16, 8, keys.addr), (24, 8, 0 if delete else vals.addr), (32, 4, len(values)),
                               (36, 4, self.fd)])
        ret, err, raw = sys_bpf(DELETE_BATCH if delete else UPDATE_BATCH, attr)
        r = result(ret, err)
        r["count"] = u32(raw, 32)
        keys.free()
        vals.free()
        e = {"op": "delete_batch" if delete else "update_batch", "keys": [bytes(ks).hex() for _ in values]}
        if not delete:
            e["values"] = [v.hex() for v in values]
        e["result"] = r
        return self._op(e, note=note)

    # ---- what the map says about itself ----

    def info(self, note=None):
        info = Guarded(size=104)
        ret, err, raw = sys_bpf(OBJ_GET_INFO_BY_FD, attr_bytes(16, [(0, 4, self.fd), (4, 4, 104), (8, 8, info.addr)]))
        r = result(ret, err)
        if ret >= 0:
            b = info.read()
            tnum = u32(b, 0)
            r["info_len"] = u32(raw, 4)
            r["info"] = {
                "type": next((n for n, v in TYPES.items() if v == tnum), tnum),
                "id_nonzero": u32(b, 4) != 0,
                "key_size": u32(b, 8), "value_size": u32(b, 12), "max_entries": u32(b, 16),
                "map_flags": u32(b, 20), "name": b[24:40].split(b"\0")[0].decode(),
                "ifindex": u32(b, 40), "btf_vmlinux_value_type_id": u32(b, 44),
                "netns_dev_nonzero": u64(b, 48) != 0, "netns_ino_nonzero": u64(b, 56) != 0,
                "btf_id": u32(b, 64), "btf_key_type_id": u32(b, 68), "btf_value_type_id": u32(b, 72),
                "btf_vmlinux_id": u32(b, 76), "map_extra": u64(b, 80)}
        info.free()
        return self._op({"op": "info", "result": r}, note=note)

    def fdinfo(self, note=None):
        """memlock and frozen as /proc/self/fdinfo shows them (what bpftool prints)"""
        fields = {}
        with open(f"/proc/self/fdinfo/{self.fd}") as f:
            for line in f:
                k, _, v = line.partition(":")
                fields[k.strip()] = v.strip()
        r = {"ret": 0, "errno": None, "memlock": int(fields["memlock"]), "frozen": int(fields["frozen"]) != 0}
        return self._op({"op": "fdinfo", "result": r}, note=note)

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        c = {"name": self.name, "map": self.map, "create": self.create, "ops": self.ops}
        if self.note:
            c["create_note"] = self.note
        return c


def le32(n):
    return (n & 0xffffffff).to_bytes(4, "little")


def le64(n):
    return n.to_bytes(8, "little")


def record():
    cases = []

    def done(c):
        cases.append(c.close())

    # ---- QUEUE / STACK: create validation (queue_stack_map_alloc_check) ----
    for t in ("QUEUE", "STACK"):
        low = t.lower()
        c = Case(f"{low}_create_ok", t, 0, 4, 8, map_name=low)
        c.info()
        c.fdinfo(note="memlock = sizeof(struct bpf_queue_stack) + (max_entries + 1) * value_size")
        done(c)
        done(Case(f"{low}_create_key_size_4", t, 4, 4, 8, note="key_size must be 0"))
        done(Case(f"{low}_create_value_size_0", t, 0, 0, 8))
        done(Case(f"{low}_create_max_entries_0", t, 0, 4, 0))
    for name, flags in (("no_prealloc", F_NO_PREALLOC), ("zero_seed", F_ZERO_SEED), ("mmapable", F_MMAPABLE),
                        ("rdonly_wronly_prog", F_RDONLY_PROG | F_WRONLY_PROG), ("unknown_bit", 1 << 20)):
        done(Case(f"queue_create_flag_{name}", "QUEUE", 0, 4, 8, map_flags=flags))
    for name, flags in (("rdonly_prog", F_RDONLY_PROG), ("wronly_prog", F_WRONLY_PROG)):
        c = Case(f"queue_create_flag_{name}", "QUEUE", 0, 4, 8, map_flags=flags)
        c.info()
        done(c)
    c = Case("queue_create_value_size_kmalloc_max", "QUEUE", 0, KMALLOC_MAX_SIZE, 1)
    c.fdinfo()
    done(c)
    done(Case("queue_create_value_size_kmalloc_max_plus_1", "QUEUE", 0, KMALLOC_MAX_SIZE + 1, 1))
    done(Case("stack_create_value_size_2g", "STACK", 0, 1 << 31, 1))
    done(Case("queue_create_value_too_big_and_key_size_4", "QUEUE", 4, KMALLOC_MAX_SIZE + 1, 1,
              note="the EINVAL checks come before the E2BIG one"))
    done(Case("queue_create_map_extra_1", "QUEUE", 0, 4, 8, map_extra=1))
    c = Case("stack_create_numa_node_0", "STACK", 0, 4, 8, map_flags=F_NUMA_NODE, numa_node=0)
    c.info()
    done(c)
    c = Case("queue_create_max_entries_1_value_size_3", "QUEUE", 0, 3, 1)
    c.fdinfo()
    c.update(b"\x01\x02\x03")
    c.update(b"\x04\x05\x06", note="full: ANY")
    c.update(b"\x04\x05\x06", flags=2, note="full: EXIST replaces the only element")
    c.pop()
    c.pop()
    done(c)

    # ---- QUEUE / STACK: push, peek, pop ----
    c = Case("queue_fifo_order", "QUEUE", 0, 4, 8)
    c.lookup(note="peek on empty")
    c.pop(note="pop on empty")
    for i in (1, 2, 3):
        c.update(le32(i))
    c.lookup(note="peek: the oldest")
    c.lookup(note="peek again: unchanged")
    c.pop()
    c.pop()
    c.update(le32(4), flags=2, note="EXIST on a queue that is not full pushes")
    c.lookup()
    c.pop()
    c.pop()
    c.pop(note="empty again")
    c.lookup()
    done(c)

    c = Case("stack_lifo_order", "STACK", 0, 8, 4)
    for i in (1, 2, 3):
        c.update(le64(i))
    c.lookup(note="peek: the newest")
    c.pop()
    c.pop()
    c.update(le64(4))
    c.pop()
    c.pop()
    c.pop(note="empty")
    c.lookup(note="empty")
    done(c)

    for t in ("QUEUE", "STACK"):
        low = t.lower()
        c = Case(f"{low}_full_any_e2big", t, 0, 4, 3)
        for i in (1, 2, 3):
            c.update(le32(i))
        c.update(le32(4), note="full + ANY")
        c.update(le32(4), flags=1, note="NOEXIST is EINVAL even when full")
        for _ in range(4):
            c.pop()
        done(c)

        c = Case(f"{low}_full_exist_overwrites_oldest", t, 0, 4, 3)
        for i in (1, 2, 3):
            c.update(le32(i))
        c.update(le32(4), flags=2, note="full + EXIST: the oldest (1) goes")
        c.update(le32(5), flags=2, note="and again: 2 goes")
        c.lookup()
        for _ in range(4):
            c.pop()
        done(c)

    c = Case("queue_wraparound", "QUEUE", 0, 4, 3)
    n = 0
    for rnd in range(5):
        for _ in range(2 + rnd % 2):
            n += 1
            c.update(le32(n))
        for _ in range(2):
            c.pop()
    c.update(le32(100), flags=2)
    c.update(le32(101), flags=2)
    c.update(le32(102), flags=2, note="overwrite across the ring's end")
    for _ in range(4):
        c.pop()
    done(c)

    c = Case("stack_wraparound_exist", "STACK", 0, 4, 2)
    for i in range(1, 6):
        c.update(le32(i), flags=2, note="EXIST on a full stack drops its bottom")
    c.pop()
    c.update(le32(6))
    c.update(le32(7), flags=2)
    for _ in range(3):
        c.pop()
    done(c)

    c = Case("queue_update_flags", "QUEUE", 0, 4, 4)
    c.update(le32(1), flags=1, note="NOEXIST")
    c.update(le32(1), flags=3)
    c.update(le32(1), flags=4, note="BPF_F_LOCK without a spin lock")
    c.update(le32(1), flags=6)
    c.update(le32(7))
    c.lookup(flags=1, note="lookup flags 1")
    c.lookup(flags=4, note="lookup BPF_F_LOCK")
    c.pop(flags=1, note="lookup_and_delete flags 1")
    c.pop(flags=4, note="lookup_and_delete BPF_F_LOCK")
    c.pop()
    done(c)

    c = Case("stack_key_must_be_null", "STACK", 0, 4, 4)
    c.update(le32(1), key=le32(0), note="a key for a key_size 0 map")
    c.update(le32(2))
    c.lookup(key=le32(0))
    c.pop(key=le32(0))
    c.delete(key=le32(0))
    c.get_next_key(key=le32(0))
    c.pop()
    done(c)

    for t in ("QUEUE", "STACK"):
        low = t.lower()
        c = Case(f"{low}_no_keys", t, 0, 4, 4)
        c.delete(note="delete on empty")
        c.get_next_key(note="get_next_key on empty")
        c.update(le32(9))
        c.delete(note="delete with an element")
        c.get_next_key()
        c.get_next_key(null_next=True, note="next_key NULL: key_size 0 copies nothing")
        c.lookup()
        done(c)

        c = Case(f"{low}_batch_enotsupp", t, 0, 4, 4)
        c.update(le32(1))
        c.lookup_batch(2)
        c.lookup_batch(2, delete=True)
        c.write_batch([le32(5), le32(6)])
        c.write_batch([le32(5)], delete=True)
        c.pop()
        c.pop()
        done(c)

    c = Case("queue_bad_buffers", "QUEUE", 0, 8, 4)
    c.update(None, note="value NULL")
    c.update(b"\x01\x02\x03\x04", note="value shorter than value_size")
    c.lookup(null_value=True, note="peek into NULL on empty: ENOENT before any copy")
    c.pop(null_value=True, note="pop into NULL on empty")
    c.update(le64(0x1122334455667788))
    c.update(le64(0x99))
    c.lookup(null_value=True, note="peek into NULL with an element: EFAULT, nothing removed")
    c.lookup()
    done(c)

    c = Case("queue_pop_into_null_loses_the_element", "QUEUE", 0, 8, 4)
    c.update(le64(1))
    c.update(le64(2))
    c.pop(null_value=True, note="EFAULT: the kernel pops before it copies out")
    c.lookup(check="observed", note="the kernel lost element 1; bpfmaps checks the buffer first and keeps it")
    done(c)

    c = Case("queue_freeze", "QUEUE", 0, 4, 4)
    c.update(le32(1))
    c.freeze()
    c.fdinfo()
    c.update(le32(2), note="after freeze")
    c.lookup(note="peek after freeze")
    c.pop(note="pop after freeze: a write")
    c.freeze(note="freeze twice")
    done(c)

    c = Case("queue_rdonly", "QUEUE", 0, 4, 4, map_flags=F_RDONLY)
    c.update(le32(1))
    c.lookup()
    c.pop()
    done(c)

    c = Case("stack_wronly", "STACK", 0, 4, 4, map_flags=F_WRONLY)
    c.update(le32(1))
    c.lookup()
    c.pop()
    done(c)

    c = Case("stack_value_size_4096", "STACK", 0, 4096, 2)
    c.update(bytes(range(256)) * 16)
    c.update(bytes(4096))
    c.pop()
    c.pop()
    c.fdinfo()
    done(c)

    # ---- BLOOM_FILTER: create validation (bloom_map_alloc_check, then bloom_map_alloc) ----
    c = Case("bloom_create_ok", "BLOOM_FILTER", 0, 4, 100, map_name="bloom")
    c.info()
    c.fdinfo(note="memlock = sizeof(struct bpf_bloom_filter) + bitset bytes")
    done(c)
    for k in (1, 3, 15):
        c = Case(f"bloom_create_map_extra_{k}", "BLOOM_FILTER", 0, 8, 1000, map_extra=k)
        c.info()
        c.fdinfo()
        done(c)
    for extra in (16, 0x1f, 1 << 32):
        done(Case(f"bloom_create_map_extra_{extra:#x}", "BLOOM_FILTER", 0, 4, 100, map_extra=extra))
    done(Case("bloom_create_key_size_4", "BLOOM_FILTER", 4, 4, 100))
    done(Case("bloom_create_value_size_0", "BLOOM_FILTER", 0, 0, 100))
    done(Case("bloom_create_max_entries_0", "BLOOM_FILTER", 0, 4, 0))
    for name, flags in (("no_prealloc", F_NO_PREALLOC), ("mmapable", F_MMAPABLE),
                        ("rdonly_wronly_prog", F_RDONLY_PROG | F_WRONLY_PROG)):
        done(Case(f"bloom_create_flag_{name}", "BLOOM_FILTER", 0, 4, 100, map_flags=flags))
    done(Case("bloom_create_value_size_kmalloc_max_plus_1", "BLOOM_FILTER", 0, KMALLOC_MAX_SIZE + 1, 1))
    done(Case("bloom_create_value_too_big_and_key_size_4", "BLOOM_FILTER", 4, KMALLOC_MAX_SIZE + 1, 0,
              note="bloom_map_alloc_check (E2BIG) runs before bloom_map_alloc's EINVAL checks"))
    done(Case("bloom_create_value_too_big_and_bad_flag", "BLOOM_FILTER", 0, KMALLOC_MAX_SIZE + 1, 1,
              map_flags=F_NO_PREALLOC))
    done(Case("bloom_create_value_too_big_and_bad_map_extra", "BLOOM_FILTER", 0, KMALLOC_MAX_SIZE + 1, 1,
              map_extra=16))
    c = Case("bloom_create_value_size_kmalloc_max", "BLOOM_FILTER", 0, KMALLOC_MAX_SIZE, 1)
    c.fdinfo()
    done(c)
    c = Case("bloom_create_zero_seed_numa", "BLOOM_FILTER", 0, 4, 100, map_flags=F_ZERO_SEED | F_NUMA_NODE,
             numa_node=0)
    c.info()
    done(c)
    for me, k in ((1, 1), (9, 5), (10, 5), (46, 5), (47, 5), (1000, 15), (100000, 5)):
        c = Case(f"bloom_size_{me}_k{k}", "BLOOM_FILTER", 0, 4, me, map_extra=k)
        c.fdinfo(note="the bitset: max_entries * k / 5 * 7 bits, at least 64, a power of two")
        done(c)

    # ---- BLOOM_FILTER: add and lookup ----
    c = Case("bloom_add_lookup", "BLOOM_FILTER", 0, 4, 1000)
    c.lookup(value=le32(1), note="empty: definitely absent")
    for i in (1, 2, 3, 1000):
        c.update(le32(i))
    for i in (1, 2, 3, 1000):
        c.lookup(value=le32(i), note="added: maybe present (0), the value untouched")
    c.update(le32(1), note="adding twice is fine")
    for i in (4, 5, 0xdeadbeef):
        c.lookup(value=le32(i), note="never added; at most 20 of 8192 bits set: a false positive has probability < 1e-13")
    done(c)

    c = Case("bloom_update_flags", "BLOOM_FILTER", 0, 4, 100)
    c.update(le32(1), flags=1, note="NOEXIST")
    c.update(le32(1), flags=2, note="EXIST")
    c.update(le32(1), flags=3)
    c.update(le32(1), flags=4, note="BPF_F_LOCK")
    c.lookup(value=le32(1), note="nothing was added")
    c.lookup(value=le32(1), flags=4, note="lookup BPF_F_LOCK")
    c.lookup(value=le32(1), flags=1)
    done(c)

    c = Case("bloom_not_supported", "BLOOM_FILTER", 0, 4, 100)
    c.update(le32(1))
    c.pop(note="lookup_and_delete: no pop from a bloom filter")
    c.delete(note="delete")
    c.get_next_key(note="get_next_key")
    c.lookup_batch(2)
    c.lookup_batch(2, delete=True)
    c.write_batch([le32(5)])
    c.write_batch([le32(5)], delete=True)
    c.lookup(value=le32(1))
    done(c)

    c = Case("bloom_bad_buffers", "BLOOM_FILTER", 0, 8, 100)
    c.update(None, note="value NULL")
    c.update(b"\x01\x02\x03", note="value shorter than value_size")
    c.update(le64(5))
    c.lookup(null_value=True, note="lookup reads the value: NULL is EFAULT")
    c.lookup(value=b"\x05\x00\x00\x00", note="a value shorter than value_size: EFAULT")
    c.lookup(value=le64(5))
    c.update(le64(6), key=le32(0), note="a key for a key_size 0 map")
    c.lookup(value=le64(6), key=le32(0))
    done(c)

    c = Case("bloom_freeze_rdonly", "BLOOM_FILTER", 0, 4, 100)
    c.update(le32(1))
    c.freeze()
    c.update(le32(2))
    c.lookup(value=le32(1))
    c.fdinfo()
    done(c)

    c = Case("bloom_rdonly", "BLOOM_FILTER", 0, 4, 100, map_flags=F_RDONLY)
    c.update(le32(1))
    c.lookup(value=le32(1))
    done(c)

    # BPF_F_ZERO_SEED makes the hashes deterministic: the false positives below are the kernel's
    # jhash/jhash2 with seed 0 + i, so they replay only with exactly the kernel's hashing and sizing.
    for name, vs, me, k, added, probes in (
            ("bloom_zero_seed_jhash2_k1", 4, 1, 1, range(0, 16), range(100, 164)),
            ("bloom_zero_seed_jhash2_k5", 4, 4, 0, range(0, 12), range(100, 164)),
            ("bloom_zero_seed_jhash2_16b_k3", 16, 8, 3, range(0, 20), range(100, 164)),
            ("bloom_zero_seed_jhash_5b_k2", 5, 4, 2, range(0, 20), range(100, 164)),
            ("bloom_zero_seed_jhash_13b_k15", 13, 2, 15, range(0, 6), range(100, 140))):
        c = Case(name, "BLOOM_FILTER", 0, vs, me, map_flags=F_ZERO_SEED, map_extra=k)

        def val(i):
            return (i * 0x9e3779b1 & 0xffffffff).to_bytes(4, "little") * (vs // 4) + bytes([i & 0xff]) * (vs % 4)
        for i in added:
            c.update(val(i))
        for i in added:
            c.lookup(value=val(i))
        for i in probes:
            c.lookup(value=val(i), note="never added: 0 here is a false positive")
        done(c)
    return cases


def possible_cpus():
    """The kernel's possible CPUs, as /sys says them ("0-1"): what per-CPU values are sized by."""
    lo, _, hi = open("/sys/devices/system/cpu/possible").read().strip().partition("-")
    return int(hi or lo) + 1


def write_corpus(prefix, script, check_modes, record, why_root="CAP_BPF"):
    """Records a corpus file, FILE from argv or corpus/PREFIX-MAJOR.MINOR.json, with the header every
    recorder writes; record() gives the cases. The other recorders call this too."""
    if os.geteuid() != 0:
        sys.exit(f"run as root: bpf(2) map creation needs {why_root}")
    release = platform.release()
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", f"{prefix}-{'.'.join(release.split('.')[:2])}.json")
    corpus = {
        "format": "bpf-map-oracle/1",
        "generated_by": "corpus/record/" + script,
        "kernel": {"uname_r": release, "machine": platform.machine(), "possible_cpus": possible_cpus(),
                   "map_info_len": 104,
                   "errno_note": "ENOTSUPP is the kernel-internal errno 524 (no libc name); EOPNOTSUPP is 95"},
        "check_modes": dict(check_modes, exact="ret, errno and every output field must match"),
        "cases": record(),
    }
    with open(out, "w") as f:
        json.dump(corpus, f, indent=1, sort_keys=True)
        f.write("\n")
    ops = sum(len(c["ops"]) for c in corpus["cases"])
    print(f"{out}: {len(corpus['cases'])} cases, {ops} ops")


def main():
    write_corpus("queue-stack-bloom", "record-queue-stack-bloom.py",
                 {"observed": "nothing asserted; kernel behaviour recorded for information"}, record)


if __name__ == "__main__":
    main()
