#!/usr/bin/env python3
"""Records how this machine's kernel answers bpf(2) for SOCKMAP and SOCKHASH where kernel-6.18.json
has no case: the rows of its README table that no recorded case shows (SOCKHASH key_size 513, a
SOCKMAP NOEXIST with the same socket, a close that empties a SOCKMAP slot, the tcp6_established and
tcp_bound kinds, ...), the kinds each map type was not tried with, and the order of the update's
checks (fd, socket, flags, index) that decides which errno an input breaking several gets.

Run as root:  python3 corpus/record/record-sockmap-extra.py [OUT.json]
Writes corpus/sockmap-extra-<kernel version>.json (format: corpus/FORMAT.md, socket ops as in
kernel-6.18.json: `sock_new {label, kind}`, `update` with `sock: label` or `fd_value: n`, a lookup of a
value_size 8 map records `cookie_of: label`, `sock_close {label}`).

The bpf(2) plumbing (guarded buffers, attrs, results) is record-queue-stack-bloom.py's, loaded from
beside this file. Sockets are real ones made with Python's socket module on loopback, one kind per
`sock_new`, each checked to be in the state its kind names (TCP_INFO's tcpi_state) before it is
used, so that a recording never holds a socket in a state it does not claim. States are reached by
reading, never by waiting: CLOSE_WAIT is the state once a read has returned the peer's EOF. Every
socket, fd and map made here is closed before the script ends; nothing is pinned.
"""
import importlib.util
import json
import os
import platform
import socket
import struct
import sys

_spec = importlib.util.spec_from_file_location(
    "record_qsb", os.path.join(os.path.dirname(os.path.abspath(__file__)), "record-queue-stack-bloom.py"))
rec = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rec)
rec.TYPES.update({"SOCKMAP": 15, "SOCKHASH": 18})
rec.ERRNO_NAMES.update({17: "EEXIST", 88: "ENOTSOCK"})

SO_COOKIE = 57
TCP_INFO = 11
AF_XDP = 44
BPF_F_LOCK = 4
S32_MAX = (1 << 31) - 1
# TCP states (include/net/tcp_states.h)
ESTABLISHED, CLOSE, CLOSE_WAIT, LISTEN = 1, 7, 8, 10
# an fd number never open here (checked), far below S32_MAX: fdget fails, EBADF
BAD_FD = 1 << 20
# a bound on every read that reaches a state: it returns at once on loopback; the bound only keeps
# a broken kernel from hanging the script
READ_BOUND_S = 10


def tcp_state(s):
    return s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 1)[0]


def cookie(s):
    return struct.unpack("<Q", s.getsockopt(socket.SOL_SOCKET, SO_COOKIE, 8))[0]


def read_eof(s):
    """Reads until the peer's FIN: a blocking read returns b"" once the FIN is processed."""
    s.settimeout(READ_BOUND_S)
    while s.recv(64):
        pass


class Sock:
    """One `sock_new` object: the fd put in values, its cookie, and what must stay open with it."""

    def __init__(self, fd, obj=None, cookie=None, keep=()):
        self.fd = fd
        self.obj = obj  # the object whose fd it is (closed by sock_close), or None for BAD_FD
        self.cookie = cookie
        self.keep = list(keep)  # listener, peer, pipe end: closed with the case

    def close(self):
        if isinstance(self.obj, socket.socket):
            self.obj.close()
        elif isinstance(self.obj, int):
            os.close(self.obj)
        self.obj = None

    def free(self):
        self.close()
        for k in self.keep:
            if isinstance(k, int):
                os.close(k)
            else:
                k.close()
        self.keep = []


def tcp_pair(family=socket.AF_INET, host="127.0.0.1"):
    """A listener on loopback, a client connected to it and the accepted peer."""
    lst = socket.socket(family, socket.SOCK_STREAM)
    lst.bind((host, 0))
    lst.listen(4)
    cli = socket.socket(family, socket.SOCK_STREAM)
    cli.settimeout(READ_BOUND_S)
    cli.connect(lst.getsockname()[:2])
    lst.settimeout(READ_BOUND_S)
    acc, _ = lst.accept()
    return lst, cli, acc


def expect_state(s, state, kind):
    got = tcp_state(s)
    if got != state:
        raise RuntimeError(f"{kind}: TCP state {got}, expected {state}")


def make(kind):
    """A socket (or not) of one of the corpus's kinds (corpus/FORMAT.md)."""
    if kind in ("tcp_established", "tcp6_established", "tcp_accepted"):
        lst, cli, acc = tcp_pair(*((socket.AF_INET6, "::1") if kind == "tcp6_established" else ()))
        mine, other = (acc, cli) if kind == "tcp_accepted" else (cli, acc)
        expect_state(mine, ESTABLISHED, kind)
        return Sock(mine.fileno(), mine, cookie(mine), [other, lst])
    if kind == "tcp_listen":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        expect_state(s, LISTEN, kind)
        return Sock(s.fileno(), s, cookie(s))
    if kind in ("tcp_unconnected", "tcp_bound"):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if kind == "tcp_bound":
            s.bind(("127.0.0.1", 0))
        expect_state(s, CLOSE, kind)
        return Sock(s.fileno(), s, cookie(s))
    if kind == "tcp_close_wait":
        # the peer closes: its FIN, read here as EOF, leaves this side in CLOSE_WAIT
        lst, cli, acc = tcp_pair()
        acc.close()
        read_eof(cli)
        expect_state(cli, CLOSE_WAIT, kind)
        return Sock(cli.fileno(), cli, cookie(cli), [lst])
    if kind == "tcp_closed_state":
        # FINs both ways: this side's first (SHUT_WR), read by the peer as EOF, then the peer's
        # close; this side reads it as EOF in FIN_WAIT2, and tcp_time_wait leaves the socket in CLOSE
        lst, cli, acc = tcp_pair()
        cli.shutdown(socket.SHUT_WR)
        read_eof(acc)
        acc.close()
        read_eof(cli)
        expect_state(cli, CLOSE, kind)
        return Sock(cli.fileno(), cli, cookie(cli), [lst])
    if kind in ("udp_bound", "udp_unbound"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        if kind == "udp_bound":
            s.bind(("127.0.0.1", 0))
        return Sock(s.fileno(), s, cookie(s))
    if kind in ("unix_stream", "unix_dgram"):
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM if kind == "unix_stream" else socket.SOCK_DGRAM)
        return Sock(a.fileno(), a, cookie(a), [b])
    if kind == "xdp_unbound":
        s = socket.socket(AF_XDP, socket.SOCK_RAW, 0)
        return Sock(s.fileno(), s, cookie(s))
    if kind == "pipe":
        r, w = os.pipe()
        return Sock(r, r, None, [w])
    if kind == "devnull":
        fd = os.open("/dev/null", os.O_RDWR)
        return Sock(fd, fd)
    if kind == "badfd":
        try:
            os.fstat(BAD_FD)
        except OSError:
            return Sock(BAD_FD)
        raise RuntimeError(f"fd {BAD_FD} is open: pick another BAD_FD")
    raise ValueError(f"no such kind: {kind}")


class SockCase(rec.Case):
    """A SOCKMAP / SOCKHASH case: its ops as kernel-6.18.json records them for socket maps."""

    def __init__(self, name, type_name, key_size=4, value_size=8, max_entries=4, **kw):
        super().__init__(name, type_name, key_size, value_size, max_entries, **kw)
        self.socks = {}

    def sock_new(self, label, kind, note=None):
        self.socks[label] = make(kind)
        return self._op({"op": "sock_new", "label": label, "kind": kind, "result": {"ret": 0, "errno": None}},
                        note=note)

    def sock_close(self, label, note=None):
        self.socks[label].close()
        return self._op({"op": "sock_close", "label": label, "result": {"ret": 0, "errno": None}}, note=note)

    def _fd_bytes(self, n):
        return (n & ((1 << (8 * self.map["value_size"])) - 1)).to_bytes(self.map["value_size"], "little")

    def update(self, key, sock=None, fd_value=None, flags=0, note=None):
        """The value is the fd of `sock` (a label), or the raw integer `fd_value`."""
        k = rec.Guarded(key)
        v = rec.Guarded(self._fd_bytes(self.socks[sock].fd if sock is not None else fd_value))
        ret, err = self._elem(rec.UPDATE, k, v, flags)
        k.free()
        v.free()
        e = {"op": "update", "key": key.hex(), "flags": flags, "result": rec.result(ret, err)}
        if sock is not None:
            e["sock"] = sock
        else:
            e["fd_value"] = fd_value
        return self._op(e, note=note)

    def _cookie_of(self, raw):
        c = int.from_bytes(raw, "little")
        for label, s in self.socks.items():
            if s.cookie == c:
                return label
        raise RuntimeError(f"{self.name}: cookie {c} is no socket of this case")

    def _lookup(self, key):
        """(result fields, errno name or None): a socket's cookie is given as its label."""
        k = rec.Guarded(key)
        v = rec.Guarded(size=self.map["value_size"])
        ret, err = self._elem(rec.LOOKUP, k, v, 0)
        r = rec.result(ret, err)
        if ret >= 0:
            raw = v.read()
            if self.map["value_size"] == 8:
                r["cookie_of"] = self._cookie_of(raw)
            else:
                r["value"] = raw.hex()
        k.free()
        v.free()
        return r

    def lookup(self, key, note=None, check="exact"):
        return self._op({"op": "lookup", "key": key.hex(), "result": self._lookup(key)}, check=check, note=note)

    def lookup_and_delete(self, key, note=None):
        k = rec.Guarded(key)
        v = rec.Guarded(size=self.map["value_size"])
        ret, err = self._elem(rec.LOOKUP_AND_DELETE, k, v, 0)
        k.free()
        v.free()
        if ret >= 0:
            raise RuntimeError(f"{self.name}: lookup_and_delete succeeded on a socket map")
        return self._op({"op": "lookup_and_delete", "key": key.hex(), "result": rec.result(ret, err)}, note=note)

    def _walk(self):
        """get_next_key from NULL until an error, at most 2 * max_entries + 2 steps."""
        keys, prev = [], None
        for _ in range(2 * self.map["max_entries"] + 2):
            k = None if prev is None else rec.Guarded(prev)
            nk = rec.Guarded(size=self.map["key_size"])
            ret, err = self._elem(rec.GET_NEXT_KEY, k, nk, 0)
            nxt = nk.read() if ret >= 0 else None
            for g in (k, nk):
                if g:
                    g.free()
            if ret < 0:
                return keys, rec.ERRNO_NAMES.get(err, str(err))
            keys.append(nxt)
            prev = nxt
        raise RuntimeError(f"{self.name}: the walk did not end")

    def iterate(self, check="exact", note=None):
        keys, end = self._walk()
        r = {"ret": 0, "errno": None, "keys": [k.hex() for k in keys], "end_errno": end}
        return self._op({"op": "iterate", "result": r}, check=check, note=note)

    def dump(self, check="exact", note=None):
        keys, end = self._walk()
        entries = []
        for k in keys:
            r = self._lookup(k)
            e = {"key": k.hex()}
            if r["ret"] == 0:
                e.update({f: r[f] for f in ("cookie_of", "value") if f in r})
            else:
                e["errno"] = r["errno"]
            entries.append(e)
        r = {"ret": 0, "errno": None, "count": len(entries), "entries": entries, "end_errno": end}
        return self._op({"op": "dump", "result": r}, check=check, note=note)

    def _batch(self, cmd, count, keys=None, values=None):
        ks, vs = self.map["key_size"], self.map["value_size"]
        out = rec.Guarded(size=max(ks, 4))
        kb = rec.Guarded(b"".join(keys)) if keys else rec.Guarded(size=count * ks)
        vb = rec.Guarded(b"".join(values)) if values else rec.Guarded(size=count * vs)
        attr = rec.attr_bytes(56, [(8, 8, out.addr), (16, 8, kb.addr), (24, 8, vb.addr), (32, 4, count),
                                   (36, 4, self.fd)])
        ret, err, raw = rec.sys_bpf(cmd, attr)
        for g in (out, kb, vb):
            g.free()
        if ret >= 0:
            raise RuntimeError(f"{self.name}: a batch command succeeded on a socket map")
        r = rec.result(ret, err)
        r["count"] = rec.u32(raw, 32)
        return r

    def lookup_batch(self, count, delete=False, note=None):
        r = self._batch(rec.LOOKUP_AND_DELETE_BATCH if delete else rec.LOOKUP_BATCH, count)
        return self._op({"op": "lookup_and_delete_batch" if delete else "lookup_batch", "count": count,
                         "in_batch": None, "result": r}, note=note)

    def update_batch(self, keys, socks, note=None):
        r = self._batch(rec.UPDATE_BATCH, len(keys), keys, [self._fd_bytes(self.socks[s].fd) for s in socks])
        return self._op({"op": "update_batch", "keys": [k.hex() for k in keys], "socks": list(socks), "result": r},
                        note=note)

    def delete_batch(self, keys, note=None):
        r = self._batch(rec.DELETE_BATCH, len(keys), keys)
        return self._op({"op": "delete_batch", "keys": [k.hex() for k in keys], "result": r}, note=note)

    def close(self):
        c = super().close()
        for s in self.socks.values():
            s.free()
        self.socks = {}
        return c


K = rec.le32


def record():
    cases = []

    def done(c):
        cases.append(c.close())

    # ---- create: sock_hash_alloc's E2BIG comes after all of its EINVALs ----
    for ks in (513, 4096):
        done(SockCase(f"sockhash_create_key_size_{ks}", "SOCKHASH", key_size=ks,
                      note="SOCKHASH key_size > MAX_BPF_STACK (512)"))
    done(SockCase("sockhash_create_key_size_513_value_size_2", "SOCKHASH", key_size=513, value_size=2,
                  note="the EINVAL checks come before the key_size E2BIG"))
    done(SockCase("sockhash_create_key_size_513_max_entries_0", "SOCKHASH", key_size=513, max_entries=0))
    done(SockCase("sockhash_create_key_size_513_no_prealloc", "SOCKHASH", key_size=513, map_flags=rec.F_NO_PREALLOC))
    done(SockCase("sockmap_create_key_size_513", "SOCKMAP", key_size=513, note="SOCKMAP key_size != 4"))
    for t in ("SOCKMAP", "SOCKHASH"):
        low = t.lower()
        for name, flags in (("rdonly_prog", rec.F_RDONLY_PROG), ("wronly_prog", rec.F_WRONLY_PROG),
                            ("zero_seed", rec.F_ZERO_SEED), ("mmapable", rec.F_MMAPABLE), ("unknown_bit", 1 << 20)):
            done(SockCase(f"{low}_create_flag_{name}", t, map_flags=flags,
                          note="SOCK_CREATE_FLAG_MASK is BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY"))
    c = SockCase("sockhash_create_wronly_numa", "SOCKHASH", map_flags=rec.F_WRONLY | rec.F_NUMA_NODE, numa_node=0)
    c.info()
    done(c)

    # ---- which sockets each type takes: the kinds kernel-6.18.json tried on the other type only ----
    kinds = {
        "SOCKMAP": ("tcp6_established", "tcp_bound", "tcp_close_wait", "unix_stream", "tcp_listen"),
        "SOCKHASH": ("tcp6_established", "tcp_bound", "tcp_accepted", "tcp_closed_state", "udp_unbound",
                     "unix_dgram", "devnull", "xdp_unbound"),
    }
    for t, ks in kinds.items():
        low = t.lower()
        for kind in ks:
            c = SockCase(f"{low}_update_{kind}", t, map_name=f"{low[:5]}8")
            c.sock_new("s", kind)
            c.update(K(1), sock="s", note=f"{t} update {kind}")
            c.lookup(K(1))
            done(c)
    c = SockCase("sockmap_update_tcp6_established_vs4", "SOCKMAP", value_size=4)
    c.sock_new("s", "tcp6_established")
    c.update(K(2), sock="s")
    c.lookup(K(2), note="value_size 4: ENOSPC even for an IPv6 socket")
    c.delete(K(2))
    c.delete(K(2), note="empty again")
    done(c)

    # ---- NOEXIST with the socket already there ----
    for t in ("SOCKMAP", "SOCKHASH"):
        low = t.lower()
        c = SockCase(f"{low}_noexist_same_socket", t)
        c.sock_new("a", "tcp_established")
        c.update(K(0), sock="a", flags=1)
        c.update(K(0), sock="a", flags=1, note=f"{t} NOEXIST on a key holding the same socket")
        c.lookup(K(0))
        c.update(K(0), sock="a", flags=2, note="EXIST with the same socket replaces it by itself")
        c.update(K(0), sock="a", flags=0)
        c.lookup(K(0))
        c.update(K(1), sock="a", flags=1, note="NOEXIST on an empty key, the socket being elsewhere in the map")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        done(c)

    # ---- a socket's close takes it out of the map ----
    for kind in ("tcp_established", "tcp_accepted", "tcp6_established", "tcp_listen", "udp_bound", "unix_stream",
                 "unix_dgram"):
        c = SockCase(f"sockmap_close_removes_entry_{kind}", "SOCKMAP")
        c.sock_new("a", kind)
        c.update(K(1), sock="a")
        c.lookup(K(1))
        c.sock_close("a")
        c.lookup(K(1), note="SOCKMAP lookup after the socket closed")
        c.delete(K(1), note="the slot is empty: EINVAL")
        c.dump()
        done(c)

    c = SockCase("sockmap_close_two_slots_and_a_survivor", "SOCKMAP")
    c.sock_new("a", "tcp_established")
    c.sock_new("b", "tcp_established")
    c.update(K(0), sock="a")
    c.update(K(2), sock="a")
    c.update(K(3), sock="b")
    c.sock_close("a", note="a leaves both of its slots, b stays")
    c.dump()
    c.update(K(0), sock="b", flags=1, note="the emptied slot takes NOEXIST again")
    c.update(K(2), sock="b", flags=2, note="and EXIST finds it empty")
    c.dump()
    done(c)

    c = SockCase("sockmap_close_after_replace", "SOCKMAP")
    c.sock_new("a", "tcp_established")
    c.sock_new("b", "udp_bound")
    c.update(K(1), sock="a")
    c.update(K(1), sock="b", note="b replaces a")
    c.sock_close("a", note="a is in no slot any more: nothing changes")
    c.lookup(K(1))
    c.sock_close("b")
    c.lookup(K(1))
    done(c)

    c = SockCase("sockmap_close_vs4", "SOCKMAP", value_size=4)
    c.sock_new("a", "tcp_established")
    c.update(K(0), sock="a")
    c.sock_close("a")
    c.delete(K(0), note="value_size 4 cannot look: the delete shows the slot is empty (EINVAL)")
    done(c)

    c = SockCase("sockhash_close_removes_every_key", "SOCKHASH")
    c.sock_new("a", "tcp_established")
    c.sock_new("b", "unix_stream")
    c.update(K(1), sock="a")
    c.update(K(2), sock="a")
    c.update(K(3), sock="b")
    c.sock_close("a")
    c.lookup(K(1))
    c.lookup(K(2))
    c.delete(K(2), note="SOCKHASH: the key went with the socket (ENOENT)")
    c.dump(check="unordered")
    c.sock_close("b")
    c.iterate(note="empty")
    done(c)

    c = SockCase("sockhash_full_close_frees_room", "SOCKHASH", max_entries=2)
    for label in "abc":
        c.sock_new(label, "tcp_established")
    c.update(K(1), sock="a")
    c.update(K(2), sock="b")
    c.update(K(3), sock="c", note="full")
    c.sock_close("a", note="its element is freed")
    c.update(K(3), sock="c", note="room again")
    c.dump(check="unordered")
    done(c)

    c = SockCase("sockhash_close_vs4", "SOCKHASH", value_size=4)
    c.sock_new("a", "udp_bound")
    c.update(K(7), sock="a")
    c.get_next_key(None)
    c.sock_close("a")
    c.get_next_key(None, note="the key went with the socket")
    c.delete(K(7))
    done(c)

    # ---- the update's checks in order: fd (EINVAL > S32_MAX, EBADF, ENOTSOCK), socket (EOPNOTSUPP),
    #      flags (EINVAL), then index (SOCKMAP E2BIG); BPF_F_LOCK alone is refused by the syscall first ----
    for t in ("SOCKMAP", "SOCKHASH"):
        low = t.lower()
        c = SockCase(f"{low}_update_check_order", t)
        c.sock_new("ok", "tcp_established")
        for label, kind in (("bad", "badfd"), ("pipe", "pipe"), ("unc", "tcp_unconnected"), ("cw", "tcp_close_wait"),
                            ("udp", "udp_unbound")):
            c.sock_new(label, kind)
        for flags in (3, 8, 1 << 32):
            c.update(K(0), sock="bad", flags=flags, note=f"flags {flags} and a bad fd")
        c.update(K(0), sock="pipe", flags=3, note="flags 3 and not a socket")
        c.update(K(0), fd_value=S32_MAX + 1, flags=3, note="flags 3 and an fd > S32_MAX")
        c.update(K(0), fd_value=S32_MAX, flags=3, note="flags 3 and fd S32_MAX (not open)")
        for label in ("unc", "cw", "udp"):
            c.update(K(0), sock=label, flags=3, note=f"flags 3 and a socket the map does not take ({label})")
        for flags in (3, 8, 1 << 32):
            c.update(K(0), sock="ok", flags=flags, note=f"flags {flags} and a socket the map takes")
        for flags in (BPF_F_LOCK, BPF_F_LOCK | 1, BPF_F_LOCK | 8):
            c.update(K(0), sock="bad", flags=flags, note=f"flags {flags:#x} (BPF_F_LOCK) and a bad fd")
        if t == "SOCKMAP":
            c.update(K(4), sock="bad", note="index >= max_entries and a bad fd")
            c.update(K(4), sock="unc", note="index >= max_entries and a socket the map does not take")
            c.update(K(4), sock="ok", flags=3, note="index >= max_entries and flags 3")
            c.update(K(0xffffffff), sock="ok", flags=2, note="index >= max_entries and BPF_EXIST")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered", note="nothing went in")
        done(c)

    # ---- raw fd values on a SOCKHASH (kernel-6.18.json has them for SOCKMAP) ----
    for vs in (8, 4):
        c = SockCase(f"sockhash_update_fd_value_vs{vs}", "SOCKHASH", value_size=vs)
        if vs == 8:
            c.update(K(0), fd_value=S32_MAX + 1, note="fd > S32_MAX (u64 value)")
            c.update(K(0), fd_value=(1 << 64) - 1, note="fd -1 (u64 value)")
        c.update(K(0), fd_value=0xffffffff, note="fd -1 (u32 value)" if vs == 4 else "fd 2^32 - 1 (u64 value)")
        c.update(K(0), fd_value=S32_MAX, note="fd S32_MAX: not open")
        c.lookup(K(0), note="ENOSPC before the key is looked for" if vs == 4 else "nothing went in")
        done(c)

    # ---- value_size 4 lookups: ENOSPC whether or not the key is there ----
    c = SockCase("sockhash_vs4_lookup_missing", "SOCKHASH", value_size=4)
    c.lookup(K(9), note="SOCKHASH value_size 4 lookup of a missing key")
    c.get_next_key(None)
    c.delete(K(9))
    done(c)

    # ---- commands the types have no op for ----
    c = SockCase("sockhash_lookup_and_delete", "SOCKHASH")
    c.sock_new("a", "tcp_established")
    c.update(K(0), sock="a")
    c.lookup_and_delete(K(0), note="SOCKHASH lookup_and_delete")
    c.lookup_and_delete(K(5), note="missing key: still ENOTSUPP")
    c.lookup(K(0))
    done(c)
    for t in ("SOCKMAP", "SOCKHASH"):
        low = t.lower()
        c = SockCase(f"{low}_batch_more", t)
        c.sock_new("a", "tcp_established")
        c.update(K(0), sock="a")
        c.lookup_batch(4, delete=True, note=f"{t} lookup_and_delete_batch")
        c.update_batch([K(1)], ["a"], note=f"{t} update_batch")
        c.lookup_batch(0, note="count 0: still ENOTSUPP")
        c.dump(check="exact" if t == "SOCKMAP" else "unordered")
        done(c)

    # ---- freeze and the access flags ----
    c = SockCase("sockmap_freeze", "SOCKMAP")
    c.sock_new("a", "tcp_established")
    c.sock_new("b", "tcp_established")
    c.update(K(0), sock="a")
    c.freeze()
    c.update(K(1), sock="b", note="after freeze")
    c.update(K(0), sock="b", flags=3, note="after freeze: EPERM before the socket and the flags")
    c.delete(K(0))
    c.delete(K(3), note="an empty slot: EPERM first")
    c.lookup(K(0))
    c.lookup_and_delete(K(0))
    c.freeze(note="freeze twice")
    c.sock_close("a", note="a close still takes the socket out of a frozen map")
    c.lookup(K(0))
    done(c)

    c = SockCase("sockhash_rdonly", "SOCKHASH", map_flags=rec.F_RDONLY)
    c.sock_new("a", "tcp_established")
    c.update(K(0), sock="a")
    c.delete(K(0))
    c.lookup(K(0))
    c.get_next_key(None)
    c.freeze()
    done(c)

    c = SockCase("sockmap_wronly", "SOCKMAP", map_flags=rec.F_WRONLY)
    c.sock_new("a", "tcp_established")
    c.update(K(0), sock="a")
    c.lookup(K(0))
    c.get_next_key(None)
    c.lookup_and_delete(K(0))
    c.delete(K(0))
    c.delete(K(0), note="empty again")
    c.freeze()
    c.update(K(0), sock="a", note="after freeze")
    done(c)
    return cases


def recorded_without_leaks():
    """The cases, after checking that recording them left no fd open."""
    fds = set(os.listdir("/proc/self/fd"))
    cases = record()
    leaked = set(os.listdir("/proc/self/fd")) - fds
    if leaked:
        sys.exit(f"fds left open: {sorted(leaked)}")
    return cases


def main():
    rec.write_corpus("sockmap-extra", "record-sockmap-extra.py",
                     {"unordered": "ret/errno exact; list outputs (keys, entries) compared as multisets"},
                     recorded_without_leaks,
                     why_root="CAP_BPF and socket maps CAP_NET_ADMIN")


if __name__ == "__main__":
    main()
