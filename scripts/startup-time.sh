#!/usr/bin/env bash
# Time to the first prompt of the interactive shell, as a user sees it: runs
# `java -jar dist/target/bpfmaps.jar` RUNS times (default 5) under a pseudo-terminal, measures
# from the spawn to the moment `bpf> ` appears on the terminal, leaves with Ctrl-D, and prints
# each time and the median. Build the jar first (mvn -B -ntp install -DskipTests).
#
#   scripts/startup-time.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
jar=dist/target/bpfmaps.jar
[ -f "$jar" ] || { echo "startup-time.sh: no $jar; build it first" >&2; exit 1; }

python3 - "$jar" "${1:-5}" <<'EOF'
import fcntl, os, pty, select, statistics, struct, sys, termios, time

jar, runs = sys.argv[1], int(sys.argv[2])
home = os.path.join(os.environ.get("TMPDIR", "/tmp"), "bpfmaps-startup-home")
os.makedirs(home, exist_ok=True)  # a history of its own: the user's is left alone

def read_until(fd, needle, deadline):
    seen = b""
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise SystemExit("startup-time.sh: no %r within the deadline; output: %r" % (needle, seen[-400:]))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen

times = []
for i in range(runs):
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm-256color")
        os.execvp("java", ["java", "-Duser.home=" + home, "-jar", jar])
    # A new pty is 0x0, and JLine would cut the prompt to fit: give it a terminal's size.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    read_until(fd, b"bpf> ", start + 30)
    elapsed = time.monotonic() - start
    times.append(elapsed)
    os.write(fd, b"\x04")  # Ctrl-D: leave, with a clean framework shutdown
    read_until(fd, b"\xff", time.monotonic() + 30)  # drain until the child closes the terminal
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    code = os.waitstatus_to_exitcode(status)
    print("run %d: first prompt after %.3f s (exit code %d)" % (i + 1, elapsed, code))
    if code != 0:
        raise SystemExit("startup-time.sh: exit code %d after Ctrl-D" % code)
print("median time to first prompt: %.3f s over %d runs" % (statistics.median(times), runs))
EOF
