#!/usr/bin/env python3
"""Records how this machine's kernel keeps the padding of per-CPU values.

Run as root:  python3 corpus/record/record-percpu-padding.py [OUT.json]
Writes corpus/percpu-padding-<kernel version>.json (format: corpus/FORMAT.md).

A per-CPU value crosses bpf(2) as round_up(value_size, 8) bytes per possible CPU. The question
recorded here is what happens to the bytes between value_size and the 8-byte boundary: the
kernel copies the whole rounded slot in both directions (copy_map_value_long in
bpf_percpu_array_copy/update and in hashtab.c's pcpu_copy_value / pcpu_init_value and its
lookup paths), so an update's padding bytes are stored and every read returns them: lookup,
lookup_and_delete, and the batches. Each case writes values whose padding is not zero, reads them
back every way, then overwrites them with zero padding and reads again.

The bpf(2) plumbing (guarded buffers, attrs, results) is record-queue-stack-bloom.py's, loaded
from beside this file; only the per-CPU value sizes differ. Every fd is closed; nothing is pinned.
"""
import importlib.util
import json
import os
import platform
import sys

_spec = importlib.util.spec_from_file_location(
    "record_qsb", os.path.join(os.path.dirname(os.path.abspath(__file__)), "record-queue-stack-bloom.py"))
rec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rec)
rec.TYPES.update({"PERCPU_HASH": 5, "PERCPU_ARRAY": 6, "LRU_PERCPU_HASH": 10})

CPUS = None  # set in main() from /sys/devices/system/cpu/possible


def stride(value_size):
    return (value_size + 7) & ~7


class PercpuCase(rec.Case):
    """A per-CPU map: value buffers are round_up(value_size, 8) * possible CPUs bytes."""

    def buf_size(self):
        return stride(self.map["value_size"]) * CPUS

    def per_cpu(self, b):
        s = stride(self.map["value_size"])
        return [b[i * s:(i + 1) * s].hex() for i in range(CPUS)]

    def lookup(self, key, delete=False, note=None):
        k = rec.Guarded(key)
        v = rec.Guarded(size=self.buf_size())
        ret, err = self._elem(rec.LOOKUP_AND_DELETE if delete else rec.LOOKUP, k, v, 0)
        r = rec.result(ret, err)
        if ret >= 0:
            b = v.read()
            r["value"] = b.hex()
            r["value_per_cpu"] = self.per_cpu(b)
        k.free()
        v.free()
        return self._op({"op": "lookup_and_delete" if delete else "lookup", "key": key.hex(), "flags": 0,
                         "result": r}, note=note)

    def update_batch(self, keys, values, note=None):
        kb = rec.Guarded(b"".join(keys))
        vb = rec.Guarded(b"".join(values))
        attr = rec.attr_bytes(56, [(16, 8, kb.addr), (24, 8, vb.addr), (32, 4, len(keys)), (36, 4, self.fd)])
        ret, err, raw = rec.sys_bpf(rec.UPDATE_BATCH, attr)
        r = rec.result(ret, err)
        r["count"] = rec.u32(raw, 32)
        kb.free()
        vb.free()
        return self._op({"op": "update_batch", "keys": [k.hex() for k in keys], "values": [v.hex() for v in values],
                         "result": r}, note=note)

    def lookup_batch(self, count, check="exact", note=None):
        """one batch from the start; the maps here hold at most one bucket's worth, so it ends the walk"""
        ks, vs = self.map["key_size"], self.buf_size()
        out = rec.Guarded(size=max(ks, 4))
        keys = rec.Guarded(size=count * ks)
        values = rec.Guarded(size=count * vs)
        attr = rec.attr_bytes(56, [(8, 8, out.addr), (16, 8, keys.addr), (24, 8, values.addr), (32, 4, count),
                                   (36, 4, self.fd)])
        ret, err, raw = rec.sys_bpf(rec.LOOKUP_BATCH, attr)
        got = min(rec.u32(raw, 32), count)
        r = rec.result(ret, err)
        r["count"] = rec.u32(raw, 32)
        r["keys"] = [keys.read(i * ks, ks).hex() for i in range(got)]
        r["values"] = []
        for i in range(got):
            b = values.read(i * vs, vs)
            r["values"].append({"value": b.hex(), "value_per_cpu": self.per_cpu(b)})
        r["out_batch"] = out.read().hex()
        for g in (out, keys, values):
            g.free()
        return self._op({"op": "lookup_batch", "count": count, "in_batch": None, "result": r}, check=check,
                        note=note)


def value(value_size, fills):
    """One slot per CPU: value_size bytes of the CPU's fill byte, then padding of 0xe0 + CPU."""
    s = stride(value_size)
    return b"".join(bytes([fills[cpu]]) * value_size + bytes([0xe0 + cpu]) * (s - value_size)
                    for cpu in range(CPUS))


def zero_padded(value_size, fills):
    s = stride(value_size)
    return b"".join(bytes([fills[cpu]]) * value_size + bytes(s - value_size) for cpu in range(CPUS))


def record():
    cases = []
    k0, k1 = rec.le32(0), rec.le32(1)
    layouts = (("", 0), ("_no_prealloc", rec.F_NO_PREALLOC))
    for t in ("PERCPU_ARRAY", "PERCPU_HASH", "LRU_PERCPU_HASH"):
        hashed = t != "PERCPU_ARRAY"
        for vs in (4, 12, 3):
            for suffix, flags in layouts if t == "PERCPU_HASH" else layouts[:1]:
                c = PercpuCase(f"{t.lower()}_padding_vs{vs}{suffix}", t, 4, vs, 2, map_flags=flags,
                               map_name="pad")
                # value_size 4, 2 CPUs: 11111111e0e0e0e0 22222222e1e1e1e1
                c.update(value(vs, [0x11, 0x22]), key=k0, note="the padding bytes are not zero")
                c.lookup(k0, note="the padding comes back as written")
                c.update(zero_padded(vs, [0x33, 0x44]), key=k0, note="zero padding overwrites the stored padding")
                c.lookup(k0)
                c.update_batch([k1], [value(vs, [0x55, 0x66])], note="a batch update stores the padding too")
                c.lookup(k1)
                # a hash's bucket order follows its random seed
                c.lookup_batch(8, check="unordered" if hashed else "exact", note="and a batch lookup returns it")
                if hashed:
                    c.lookup(k1, delete=True, note="lookup_and_delete returns the padding")
                    c.lookup(k1, note="gone")
                cases.append(c.close())
    return cases


def main():
    global CPUS
    CPUS = rec.possible_cpus()
    rec.write_corpus("percpu-padding", "record-percpu-padding.py",
                     {"unordered": "ret/errno exact; keys and values compared as multisets, out_batch ignored"},
                     record)


if __name__ == "__main__":
    main()
