#!/usr/bin/env bash
# Records what bpftool 7.1 prints for the command scripts in this folder, as the reference the
# shell's tests compare against (BpftoolRecordingTest). The build never runs this: it needs root,
# a kernel with bpf(2) and `apt-get install -y bpftool`. Run it by hand after changing a script:
#
#   sudo shell/src/test/resources/bpftool/record.sh
#
# Each NAME.script is run three times, as typed, with -j and with -p, into NAME.plain.txt,
# NAME.json.txt and NAME.pretty.txt. A script line is what follows `bpftool map`; blank lines and
# `#` comments are skipped; `!rm PATH` removes a pin without being recorded; `@id(PATH)` stands for
# the id of the map pinned at PATH (ids differ between the kernel and the emulator, so the tests
# resolve it again in their own world).
#
# A recording block is, for each command:
#   ### command: ARGS        (the line as run, after `bpftool map`, placeholders unresolved)
#   ### exit: N
#   ### stdout: BYTES        followed by exactly BYTES bytes and one newline
#   ### stderr: BYTES        followed by exactly BYTES bytes and one newline
#
# DANGER: bpftool mounts a bpffs over the directory of a pin path that is not in one, hiding its
# files machine-wide. Every path in the scripts is under /sys/fs/bpf/rec_*, and every command runs
# with -n (--nomount), which makes such a path an error instead.
set -euo pipefail
cd "$(dirname "$0")"

bpftool version | grep -q '^bpftool v7\.1\.' || { echo "needs bpftool 7.1" >&2; exit 1; }
[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || { echo "/sys/fs/bpf is not a bpffs" >&2; exit 1; }
# `map show` with no handle lists every map of the machine: the recording must see only ours
if [ "$(bpftool -j map show)" != "[]" ]; then
    echo "other BPF maps exist on this machine; the recording would list them" >&2
    exit 1
fi
if compgen -G '/sys/fs/bpf/rec_*' >/dev/null; then
    echo "/sys/fs/bpf/rec_* exists already; remove it first" >&2
    exit 1
fi
cleanup() { rm -rf /sys/fs/bpf/rec_*; }
out=$(mktemp -d)
trap 'cleanup; rm -rf "$out"' EXIT

# The id of the map pinned at a path, for @id(PATH).
map_id() {
    bpftool -j map show pinned "$1" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p'
}

resolve() {
    local line=$1
    while [[ $line =~ @id\(([^\)]*)\) ]]; do
        line=${line/"${BASH_REMATCH[0]}"/$(map_id "${BASH_REMATCH[1]}")}
    done
    printf '%s' "$line"
}

record() { # script mode-option target
    local script=$1 opt=$2 target=$3
    : >"$target"
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            '' | '#'*) continue ;;
            '!rm '*) rm -f "${line#!rm }"; continue ;;
        esac
        local shown=${opt:+$opt }$line
        local -a args
        read -r -a args <<<"$(resolve "$line")"
        for a in "${args[@]}"; do # never a pin path outside /sys/fs/bpf/rec_* (see DANGER)
            if [[ $a == */* && $a != /sys/fs/bpf/rec_* ]]; then
                echo "$script: refusing path $a" >&2
                exit 1
            fi
        done
        local rc=0
        bpftool -n $opt map "${args[@]}" >"$out/stdout" 2>"$out/stderr" || rc=$?
        {
            printf '### command: %s\n### exit: %d\n' "$shown" "$rc"
            printf '### stdout: %d\n' "$(wc -c <"$out/stdout")"; cat "$out/stdout"; printf '\n'
            printf '### stderr: %d\n' "$(wc -c <"$out/stderr")"; cat "$out/stderr"; printf '\n'
        } >>"$target"
    done <"$script"
    cleanup
}

for script in *.script; do
    name=${script%.script}
    record "$script" "" "$name.plain.txt"
    record "$script" "-j" "$name.json.txt"
    record "$script" "-p" "$name.pretty.txt"
    echo "recorded $name"
done
