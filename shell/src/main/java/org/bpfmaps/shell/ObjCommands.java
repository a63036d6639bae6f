package org.bpfmaps.shell;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;

/**
 * {@code map pin MAP FILE}, {@code map freeze MAP} and {@code map event_pipe MAP}: bpftool's
 * {@code do_pin}, {@code do_freeze} and {@code do_event_pipe}, and the pinning {@code create}
 * shares ({@code do_pin_fd}).
 */
final class ObjCommands {
    private final Run run;

    ObjCommands(Run run) {
        this.run = run;
    }

    /** {@code do_pin_any}: too few words is EINVAL here, not 255, as bpftool returns it. */
    int pin(Args a) {
        if (!a.require(3, run.out)) {
            return Errno.EINVAL.ret();
        }
        int fd = run.handles.parseFd(a);
        if (fd < 0) {
            return fd;
        }
        int err = pinFd(fd, a.peek());
        run.lib.close(fd);
        if (err == 0 && run.out.isJson()) {
            run.out.json().nul();
        }
        return err;
    }

    /**
     * {@code do_pin_fd}: pins at a path whose directory is in the bpffs. bpftool would mount a
     * bpffs over any other directory; this shell never mounts, so it answers as bpftool does with
     * {@code --nomount}.
     */
    int pinFd(int fd, String path) {
        if (!run.handles.isBpffs(MapHandles.dirname(path))) {
            run.out.error("no BPF file system found, not mounting it due to --nomount option",
                    "this shell cannot mount one: pins go under " + MapHandles.BPFFS
                            + ", the emulated bpffs, in a directory that exists there");
            return -1;
        }
        int err = run.lib.objPin(fd, path);
        if (err != 0) {
            run.fail("can't pin the object (" + path + "): " + Libbpf.strerror(err));
        }
        return err;
    }

    int freeze(Args a) {
        if (!a.require(2, run.out)) {
            return -1;
        }
        int fd = run.handles.parseFd(a);
        if (fd < 0) {
            return -1;
        }
        if (a.argc() > 0) {
            run.lib.close(fd);
            return run.badArg(a);
        }
        int err = run.lib.mapFreeze(fd);
        run.lib.close(fd);
        if (err != 0) {
            run.fail("failed to freeze map: " + Libbpf.strerror(err));
            return err;
        }
        if (run.out.isJson()) {
            run.out.json().nul();
        }
        return 0;
    }

    /**
     * {@code event_pipe}: reads a perf event array's ring buffers. This project has no perf
     * events, so after bpftool's own check of the map's type it can only say so.
     */
    int eventPipe(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = run.handles.parseFdAndInfo(a, info);
        if (fd < 0) {
            return -1;
        }
        run.lib.close(fd);
        if (info[0].type() != MapType.PERF_EVENT_ARRAY.number()) {
            run.out.error("map is not a perf event array", null);
        } else {
            run.out.error("failed to create perf buffer: " + Errno.EOPNOTSUPP.text() + " (" + Errno.EOPNOTSUPP.code()
                    + ")", "perf events are not emulated");
        }
        return -1;
    }
}
