package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapInfo;

/**
 * The element commands: {@code update} (and its queue/stack names {@code push}, {@code enqueue}),
 * {@code lookup} ({@code peek}), {@code getnext}, {@code delete} and {@code pop}/{@code dequeue},
 * as bpftool's {@code do_update}, {@code do_lookup}, {@code do_getnext}, {@code do_delete} and
 * {@code do_pop_dequeue}. A failed call returns its negated errno, which becomes the exit code.
 */
final class ElemCommands {
    private final Run run;

    ElemCommands(Run run) {
        this.run = run;
    }

    /** The map at the cursor and its info, for commands that need two or more words. */
    private int open(Args a, MapInfo[] info) {
        if (a.argc() < 2) {
            throw new Usage();
        }
        return run.handles.parseFdAndInfo(a, info);
    }

    /** {@code alloc_key_value}: no buffer for a size of 0, a per-CPU value sized for every CPU. */
    private byte[] keyFor(MapInfo info) {
        return info.keySize() != 0 ? new byte[info.keySize()] : null;
    }

    private byte[] valueFor(MapInfo info) {
        return info.valueSize() != 0
                ? new byte[MapKinds.valueBufferSize(info.type(), info.valueSize(), run.possibleCpus)]
                : null;
    }

    private ElemParser parser(MapInfo info) {
        ElemParser p = new ElemParser(run.out, run.handles, info, run.possibleCpus);
        p.keyWords = run.keyWords;
        return p;
    }

    private static ByteBuffer wrap(byte[] b) {
        return b != null ? ByteBuffer.wrap(b) : null;
    }

    int update(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = open(a, info);
        if (fd < 0) {
            return -1;
        }
        byte[] key = keyFor(info[0]);
        byte[] value = valueFor(info[0]);
        ElemParser p = parser(info[0]);
        int err = p.parse(a, key, value, info[0].keySize(), info[0].valueSize(), true);
        if (err == 0) {
            err = run.lib.mapUpdateElem(fd, wrap(key), wrap(value), p.flags);
            if (err != 0) {
                run.fail("update failed: " + Libbpf.strerror(err));
            }
        }
        if (p.valueFd >= 0) {
            run.lib.close(p.valueFd);
        }
        run.lib.close(fd);
        if (err == 0 && run.out.isJson()) {
            run.out.json().nul();
        }
        return err;
    }

    int lookup(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = open(a, info);
        if (fd < 0) {
            return -1;
        }
        byte[] key = keyFor(info[0]);
        byte[] value = valueFor(info[0]);
        int err = parser(info[0])
                .parse(a, key, null, info[0].keySize(), 0, false);
        if (err == 0) {
            err = run.lib.mapLookupElem(fd, wrap(key), wrap(value));
            if (err == Errno.ENOENT.ret()) {
                if (run.out.isJson()) {
                    run.out.json().nul();
                } else {
                    run.out.print("key:\n" + Entries.hex(key, 0, info[0].keySize()) + "\n\nNot found\n");
                }
            } else if (err != 0) {
                run.fail("lookup failed: " + Libbpf.strerror(err));
            } else {
                run.entries.print(info[0], key, value);
            }
        }
        run.lib.close(fd);
        return err;
    }

    int getNext(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = open(a, info);
        if (fd < 0) {
            return -1;
        }
        int ks = info[0].keySize();
        byte[] key = new byte[ks];
        byte[] next = new byte[ks];
        int err = 0;
        if (a.argc() > 0) {
            err = parser(info[0]).parse(a, key, null, ks, 0, false);
        } else {
            key = null; // from the start
        }
        if (err == 0) {
            err = run.lib.mapGetNextKey(fd, wrap(key), ByteBuffer.wrap(next));
            if (err != 0) {
                run.fail("can't get next key: " + Libbpf.strerror(err));
            } else if (run.out.isJson()) {
                JsonWriter j = run.out.json();
                j.startObject();
                if (key != null) {
                    j.name("key");
                    run.entries.hexJson(key, 0, ks);
                } else {
                    j.nullField("key");
                }
                j.name("next_key");
                run.entries.hexJson(next, 0, ks);
                j.endObject();
            } else {
                run.out.print((key != null ? "key:\n" + Entries.hex(key, 0, ks) + "\n" : "key: None\n")
                        + "next key:\n" + Entries.hex(next, 0, ks) + "\n");
            }
        }
        run.lib.close(fd);
        return err;
    }

    int delete(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = open(a, info);
        if (fd < 0) {
            return -1;
        }
        byte[] key = new byte[info[0].keySize()];
        int err = parser(info[0])
                .parse(a, key, null, info[0].keySize(), 0, false);
        if (err == 0) {
            err = run.lib.mapDeleteElem(fd, ByteBuffer.wrap(key));
            if (err != 0) {
                run.fail("delete failed: " + Libbpf.strerror(err));
            }
        }
        run.lib.close(fd);
        if (err == 0 && run.out.isJson()) {
            run.out.json().nul();
        }
        return err;
    }

    /** {@code pop}/{@code dequeue}: an empty map is "Error: empty map" on standard output. */
    int pop(Args a) {
        MapInfo[] info = new MapInfo[1];
        int fd = open(a, info);
        if (fd < 0) {
            return -1;
        }
        byte[] key = keyFor(info[0]);
        byte[] value = valueFor(info[0]);
        int err = run.lib.mapLookupAndDeleteElem(fd, wrap(key), wrap(value));
        if (err == Errno.ENOENT.ret()) {
            if (run.out.isJson()) {
                run.out.json().nul();
            } else {
                run.out.print("Error: empty map\n");
            }
        } else if (err != 0) {
            run.fail("pop failed: " + Libbpf.strerror(err));
        } else {
            run.entries.print(info[0], key, value);
        }
        run.lib.close(fd);
        return err;
    }
}
