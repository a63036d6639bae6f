package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.spi.ObjectKind;
import org.junit.jupiter.api.Test;

/** The errnos below were measured with bpf(2) and mkdir(2) on a 6.18 bpffs. */
class BpfFsTest {
    private final BpfFs fs = new BpfFs();
    private final ErrorSink err = (e, why, a, b) -> -e.code();

    private static final class Obj extends BpfObject {
        Obj() {
            super(ObjectKind.MAP);
        }

        @Override
        protected void free() {
        }
    }

    private BpfObject get(String path, int[] out) {
        return fs.get(path, err, out);
    }

    @Test
    void pinAndGetTakeAndGiveReferences() {
        Obj o = new Obj();
        assertEquals(0, fs.pin("/sys/fs/bpf/m", o, err));
        int[] e = new int[1];
        assertSame(o, get("/sys/fs/bpf/m", e));
        assertEquals(2, o.refCount(), "OBJ_GET took a reference for its new fd");
        assertSame(o, get("//sys/fs/bpf//m", e), "repeated slashes fold");
        assertSame(o, get("/sys/fs/bpf/x/../m", e), "'..' folds");
        assertEquals(0, fs.unlink("/sys/fs/bpf/m", err));
        assertNull(get("/sys/fs/bpf/m", e));
        assertEquals(Errno.ENOENT.ret(), e[0]);
    }

    @Test
    void pinErrnosAreTheKernels() {
        Obj o = new Obj();
        assertEquals(Errno.EPERM.ret(), fs.pin("/sys/fs/bpf/a.b", o, err), "'.' is reserved");
        assertEquals(Errno.EPERM.ret(), fs.pin("/tmp/x", o, err), "outside the bpffs");
        assertEquals(Errno.ENOENT.ret(), fs.pin("/sys/fs/bpf/nodir/x", o, err));
        assertEquals(Errno.EEXIST.ret(), fs.pin("/sys/fs/bpf", o, err), "the root itself");
        assertEquals(Errno.EEXIST.ret(), fs.pin("/sys/fs/bpf/", o, err));
        assertEquals(Errno.ENOENT.ret(), fs.pin("/sys/fs/bpf/slash/", o, err), "a trailing slash");
        assertEquals(Errno.ENOENT.ret(), fs.pin("", o, err));
        assertEquals(Errno.ENAMETOOLONG.ret(), fs.pin("/sys/fs/bpf/" + "n".repeat(256), o, err));
        assertEquals(0, fs.pin("/sys/fs/bpf/" + "n".repeat(255), o, err));
        assertEquals(0, fs.pin("/sys/fs/bpf/p", o, err));
        assertEquals(Errno.EEXIST.ret(), fs.pin("/sys/fs/bpf/p", o, err));
        assertEquals(Errno.ENOTDIR.ret(), fs.pin("/sys/fs/bpf/p/q", o, err));
    }

    @Test
    void directories() {
        Obj o = new Obj();
        assertEquals(0, fs.mkdir("/sys/fs/bpf/d", err));
        assertEquals(Errno.EEXIST.ret(), fs.mkdir("/sys/fs/bpf/d", err));
        assertEquals(Errno.EPERM.ret(), fs.mkdir("/sys/fs/bpf/d.x", err));
        o.retain(); // the pin's own reference; the first stands for an open fd
        assertEquals(0, fs.pin("/sys/fs/bpf/d/m", o, err));
        assertEquals(Errno.EEXIST.ret(), fs.pin("/sys/fs/bpf/d", o, err), "onto a directory");
        assertEquals(Errno.ENOTEMPTY.ret(), fs.unlink("/sys/fs/bpf/d", err));
        int[] e = new int[1];
        assertNull(get("/sys/fs/bpf/d", e));
        assertEquals(Errno.EACCES.ret(), e[0], "a directory is not a pinned object");
        assertNull(get("/sys/fs/bpf/d/m/", e));
        assertEquals(Errno.ENOTDIR.ret(), e[0], "a trailing slash after a pin");
        assertNull(get("/sys/fs/bpf/missing.x", e));
        assertEquals(Errno.EPERM.ret(), e[0], "looking up a name with '.' is EPERM, as bpf_lookup");
        assertEquals(0, fs.unlink("/sys/fs/bpf/d/m", err));
        assertEquals(0, fs.unlink("/sys/fs/bpf/d", err));
        assertEquals(1, o.refCount(), "unlinking the pin dropped its reference");
    }

    @Test
    void pinsAreListedWithTheirPaths() {
        fs.mkdir("/sys/fs/bpf/a", err);
        fs.pin("/sys/fs/bpf/a/m1", new Obj(), err);
        fs.pin("/sys/fs/bpf/m2", new Obj(), err);
        assertEquals(java.util.List.of("/sys/fs/bpf/a/m1", "/sys/fs/bpf/m2"),
                fs.pins().stream().map(java.util.Map.Entry::getKey).toList());
    }

    @Test
    void aWalkListsEachDirectoryNewestFirstAsTheKernelsReaddir() {
        fs.pin("/sys/fs/bpf/zb", new Obj(), err);
        fs.mkdir("/sys/fs/bpf/d", err);
        fs.pin("/sys/fs/bpf/d/y", new Obj(), err);
        fs.pin("/sys/fs/bpf/d/x", new Obj(), err);
        fs.pin("/sys/fs/bpf/z0", new Obj(), err);
        assertEquals(java.util.List.of("/sys/fs/bpf/zb", "/sys/fs/bpf/d/y", "/sys/fs/bpf/d/x", "/sys/fs/bpf/z0"),
                fs.pins().stream().map(java.util.Map.Entry::getKey).toList());
        assertEquals(java.util.List.of("/sys/fs/bpf/z0", "/sys/fs/bpf/d/x", "/sys/fs/bpf/d/y", "/sys/fs/bpf/zb"),
                fs.walk().stream().map(java.util.Map.Entry::getKey).toList());
    }
}
