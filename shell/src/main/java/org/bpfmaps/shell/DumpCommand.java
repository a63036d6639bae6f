package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapInfo;

/** {@code map dump MAP}: bpftool's {@code do_dump} and {@code map_dump}. */
final class DumpCommand {
    private final Run run;

    DumpCommand(Run run) {
        this.run = run;
    }

    int execute(Args a) {
        if (a.argc() != 2) {
            throw new Usage();
        }
        int[] fds = run.handles.parseFds(a);
        if (fds == null) {
            return -1;
        }
        JsonWriter j = run.out.json();
        boolean several = fds.length > 1;
        if (j != null && several) {
            j.startArray();
        }
        int err = -1;
        MapInfo[] info = new MapInfo[1];
        for (int i = 0; i < fds.length; i++) {
            int ret = run.lib.objGetInfoByFd(fds[i], info);
            if (ret != 0) {
                run.fail("can't get map info: " + Libbpf.strerror(ret));
                break;
            }
            err = dump(fds[i], info[0], several);
            if (j == null && i != fds.length - 1) {
                run.out.print("\n");
            }
            if (err != 0) {
                break;
            }
        }
        if (j != null && several) {
            j.endArray();
        }
        for (int fd : fds) {
            run.lib.close(fd);
        }
        return err;
    }

    /**
     * {@code map_dump}: every element in get_next_key order, headed by the map's id, type, name
     * and flags when the handle matched several maps, then {@code Found N element(s)}. An
     * element whose lookup fails is shown with its error and not counted.
     */
    private int dump(int fd, MapInfo info, boolean showHeader) {
        JsonWriter j = run.out.json();
        if (j != null) {
            if (showHeader) {
                j.startObject();
                ShowCommand.header(run.out, info);
                j.name("elements");
            }
            j.startArray();
        } else if (showHeader) {
            run.out.print(ShowCommand.header(run.out, info));
        }
        byte[] key = new byte[info.keySize()];
        byte[] next = new byte[info.keySize()];
        byte[] value = new byte[MapKinds.valueBufferSize(info.type(), info.valueSize(), run.possibleCpus)];
        ByteBuffer keyBuf = ByteBuffer.wrap(key);
        ByteBuffer nextBuf = ByteBuffer.wrap(next);
        ByteBuffer valueBuf = ByteBuffer.wrap(value);
        boolean first = true;
        int count = 0;
        int err;
        while (true) {
            err = run.lib.mapGetNextKey(fd, first ? null : keyBuf, nextBuf);
            if (err != 0) {
                if (err == Errno.ENOENT.ret()) {
                    err = 0;
                }
                break;
            }
            System.arraycopy(next, 0, key, 0, key.length);
            first = false;
            int ret = run.lib.mapLookupElem(fd, keyBuf, valueBuf);
            if (ret != 0) {
                run.entries.error(info, key, ret);
            } else {
                run.entries.print(info, key, value);
                count++;
            }
        }
        if (j != null) {
            j.endArray();
            if (showHeader) {
                j.endObject();
            }
        } else {
            run.out.print("Found " + Integer.toUnsignedString(count) + " element" + (count != 1 ? "s" : "") + "\n");
        }
        run.lib.close(fd);
        return err;
    }
}
