#!/usr/bin/env python3
"""Records what bpftool 7.1 prints for SOCKMAP and SOCKHASH maps that hold real sockets, as the
reference SockMapDumpTest compares the shell with. The build never runs this: it needs root, a
kernel with bpf(2) and bpftool 7.1 (apt-get install -y bpftool). Run it by hand:

    sudo python3 shell/src/test/resources/sockmap/record.py

bpftool cannot put a socket into a map (a value is an fd of bpftool's own process), so this script
makes the sockets and the maps itself with bpf(2), pins the maps under /sys/fs/bpf/rec_sock_*, and
runs bpftool on the pins. Sockets, on 127.0.0.1: L a TCP listener, C a client connected to it, A
the accepted end, U a bound UDP socket. Maps: sm8 (sockmap, value 8, 4 slots: 0 = L, 2 = C), sm4
(sockmap, value 4, 2 slots: 1 = U), sh8 and sh4 (sockhash, key 4, value 8 / 4: key 5 = A).

The output, sockmap.txt, has record.sh's blocks (### command / exit / stdout / stderr) for each
command in plain, -j and -p mode, in that order; a socket's cookie, which the kernel hands out
machine-wide, is written @cookie(NAME) where bpftool printed its 8 bytes in hex, and
@jcookie(NAME) for its JSON array of "0x.." strings. A step `!close NAME` is this script closing
a socket between commands (recorded with exit 0 and no output).
"""
import ctypes, os, socket, struct, subprocess, sys

SYS_BPF = 321  # x86-64
libc = ctypes.CDLL(None, use_errno=True)
DIR = os.path.dirname(os.path.abspath(__file__))


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(SYS_BPF, cmd, buf, 128)
    return -ctypes.get_errno() if r < 0 else r


def create(t, ks, vs, n):
    fd = bpf(0, struct.pack("IIII", t, ks, vs, n))
    assert fd >= 0, fd
    return fd


def update(fd, key, value):
    k = ctypes.create_string_buffer(key)
    v = ctypes.create_string_buffer(value)
    assert bpf(2, struct.pack("IIQQQ", fd, 0, ctypes.addressof(k), ctypes.addressof(v), 0)) == 0


def pin(fd, path):
    p = ctypes.create_string_buffer(path.encode())
    assert bpf(6, struct.pack("QII", ctypes.addressof(p), fd, 0)) == 0


def cookie(s):
    return struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 57, 8))[0]  # SO_COOKIE


def main():
    out = subprocess.run(["bpftool", "version"], capture_output=True, text=True).stdout
    if not out.startswith("bpftool v7.1."):
        sys.exit("needs bpftool 7.1")
    L = socket.socket()
    L.bind(("127.0.0.1", 0))
    L.listen()
    C = socket.create_connection(L.getsockname())
    A, _ = L.accept()
    U = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    U.bind(("127.0.0.1", 0))
    socks = {"L": L, "C": C, "A": A, "U": U}
    cookies = {n: cookie(s) for n, s in socks.items()}
    maps = {"sm8": (15, 4, 8, 4, {0: L, 2: C}), "sm4": (15, 4, 4, 2, {1: U}),
            "sh8": (18, 4, 8, 4, {5: A}), "sh4": (18, 4, 4, 4, {5: A})}
    for name in maps:
        if os.path.exists("/sys/fs/bpf/rec_sock_" + name):
            sys.exit("/sys/fs/bpf/rec_sock_%s exists already; remove it first" % name)
    for name, (t, ks, vs, n, elems) in maps.items():
        fd = create(t, ks, vs, n)
        for k, s in elems.items():
            update(fd, struct.pack("I", k), struct.pack("I" if vs == 4 else "Q", s.fileno()))
        pin(fd, "/sys/fs/bpf/rec_sock_" + name)
    steps = [
        "dump pinned /sys/fs/bpf/rec_sock_sm8",
        "lookup pinned /sys/fs/bpf/rec_sock_sm8 key 2 0 0 0",
        "lookup pinned /sys/fs/bpf/rec_sock_sm8 key 1 0 0 0",
        "dump pinned /sys/fs/bpf/rec_sock_sm4",
        "lookup pinned /sys/fs/bpf/rec_sock_sm4 key 1 0 0 0",
        "lookup pinned /sys/fs/bpf/rec_sock_sm4 key 0 0 0 0",
        "dump pinned /sys/fs/bpf/rec_sock_sh8",
        "dump pinned /sys/fs/bpf/rec_sock_sh4",
        "update pinned /sys/fs/bpf/rec_sock_sm8 key 1 0 0 0 value 99 0 0 0 0 0 0 0",
        "!close C",
        "dump pinned /sys/fs/bpf/rec_sock_sm8",
        "getnext pinned /sys/fs/bpf/rec_sock_sm4 key 1 0 0 0",
    ]

    def placeholders(text):
        for n, c in cookies.items():
            b = struct.pack("Q", c)
            text = text.replace(" ".join("%02x" % x for x in b), "@cookie(%s)" % n)
            text = text.replace(",".join('"0x%02x"' % x for x in b), "@jcookie(%s)" % n)
        return text

    blocks = []
    for opt in ("", "-j", "-p"):
        for step in steps:
            shown = (opt + " " + step).strip()
            if step.startswith("!close "):
                s = socks[step.split()[1]]
                if s.fileno() >= 0:
                    s.close()
                blocks.append((shown, 0, "", ""))
                continue
            r = subprocess.run(["bpftool", "-n"] + ([opt] if opt else []) + ["map"] + step.split(),
                               capture_output=True, text=True)
            blocks.append((shown, r.returncode, placeholders(r.stdout), r.stderr))
        # the next mode starts again from the same state: C is back in sm8's slot 2
        if opt != "-p":
            C = socket.create_connection(L.getsockname())
            A2, _ = L.accept()
            socks["C"] = C
            cookies["C"] = cookie(C)
            path = ctypes.create_string_buffer(b"/sys/fs/bpf/rec_sock_sm8")
            fd = bpf(7, struct.pack("QII", ctypes.addressof(path), 0, 0))  # OBJ_GET
            assert fd >= 0, fd
            update(fd, struct.pack("I", 2), struct.pack("Q", C.fileno()))
            os.close(fd)
    with open(os.path.join(DIR, "sockmap.txt"), "w") as f:
        for shown, rc, so, se in blocks:
            f.write("### command: %s\n### exit: %d\n" % (shown, rc))
            f.write("### stdout: %d\n%s\n" % (len(so.encode()), so))
            f.write("### stderr: %d\n%s\n" % (len(se.encode()), se))
    for name in maps:
        os.unlink("/sys/fs/bpf/rec_sock_" + name)
    print("recorded sockmap.txt")


main()
