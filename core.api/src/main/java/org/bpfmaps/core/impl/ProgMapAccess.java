package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.ProgMapOps;

/**
 * The map helpers of a BPF program on one map: the core's single entry to a provider's
 * {@link ProgMapOps}, for the program runtime to come. It makes, in one place, the checks the
 * kernel's verifier makes when it loads a program that calls the helpers:
 *
 * <ul>
 *   <li>{@code BPF_F_RDONLY_PROG}: update, delete, push and pop are EACCES ({@code record_func_map}:
 *       "write into map forbidden"); lookup and peek are allowed.
 *   <li>{@code BPF_F_WRONLY_PROG}: a lookup is EACCES, since it reads the value (the kernel's lookup
 *       hands out a pointer and refuses the read through it, {@code check_map_access_type}: "read
 *       from map forbidden"). Pop and peek, which the verifier lets copy into the program's stack,
 *       are allowed, as are update, delete and push.
 * </ul>
 *
 * <p>Freezing does not apply: programs write frozen maps. Then the buffers (key_size and
 * value_size bytes, as the verifier checks a program's pointers; EFAULT otherwise), then a
 * detached map (ENODEV), a provider without program-side ops (ENOTSUPP), and the provider's op
 * itself, whose exceptions become EFAULT and never reach the program.
 */
public final class ProgMapAccess {
    private final MapObject map;

    private ProgMapAccess(MapObject map) {
        this.map = map;
    }

    /** The helpers on a map the program runtime holds. */
    public static ProgMapAccess of(MapObject map) {
        return new ProgMapAccess(map);
    }

    /** The helpers on the map an fd of an instance refers to (as a program's map fd at load), or null. */
    public static ProgMapAccess forFd(BpfInstance instance, int fd) {
        return instance instanceof Instance i && i.table().get(fd) instanceof MapObject m ? of(m) : null;
    }

    public MapDef def() {
        return map.def;
    }

    public int lookupElem(ByteBuffer key, ByteBuffer value) {
        int err = check(false, true, true, key, true, value, true);
        return err != 0 ? err : call(LOOKUP, key, value, 0);
    }

    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        int err = check(true, false, true, key, true, value, false);
        return err != 0 ? err : call(UPDATE, key, value, flags);
    }

    public int deleteElem(ByteBuffer key) {
        int err = check(true, false, true, key, false, null, false);
        return err != 0 ? err : call(DELETE, key, null, 0);
    }

    public int pushElem(ByteBuffer value, long flags) {
        int err = check(true, false, false, null, true, value, false);
        return err != 0 ? err : call(PUSH, null, value, flags);
    }

    public int popElem(ByteBuffer value) {
        int err = check(true, false, false, null, true, value, true);
        return err != 0 ? err : call(POP, null, value, 0);
    }

    public int peekElem(ByteBuffer value) {
        int err = check(false, false, false, null, true, value, false);
        return err != 0 ? err : call(PEEK, null, value, 0);
    }

    /**
     * The verifier's access rules, then the buffers: a key (for the keyed helpers, on a map with keys) of key_size
     * bytes, a value of value_size bytes, writable when the helper writes it.
     */
    private int check(boolean writesMap, boolean readsMap, boolean keyed, ByteBuffer key, boolean hasValue,
            ByteBuffer value, boolean writesValue) {
        MapDef def = map.def;
        if (writesMap && def.hasFlag(BpfFlags.F_RDONLY_PROG)) {
            return Errno.EACCES.ret();
        }
        if (readsMap && def.hasFlag(BpfFlags.F_WRONLY_PROG)) {
            return Errno.EACCES.ret();
        }
        if (keyed && def.keySize() > 0 && !Bytes.canRead(key, 0, def.keySize())) {
            return Errno.EFAULT.ret();
        }
        if (hasValue && !(writesValue ? Bytes.canWrite(value, 0, def.valueSize())
                : Bytes.canRead(value, 0, def.valueSize()))) {
            return Errno.EFAULT.ret();
        }
        return 0;
    }

    private static final int LOOKUP = 0;
    private static final int UPDATE = 1;
    private static final int DELETE = 2;
    private static final int PUSH = 3;
    private static final int POP = 4;
    private static final int PEEK = 5;

    /** The provider's op under the guard: detached is ENODEV, no program-side ops ENOTSUPP, a throw EFAULT. */
    private int call(int helper, ByteBuffer key, ByteBuffer value, long flags) {
        MapOps ops = map.ops;
        if (ops == null) {
            return Errno.ENODEV.ret();
        }
        if (!(ops instanceof ProgMapOps p)) {
            return Errno.ENOTSUPP.ret();
        }
        try {
            switch (helper) {
                case LOOKUP:
                    return p.progLookupElem(key, value);
                case UPDATE:
                    return p.progUpdateElem(key, value, flags);
                case DELETE:
                    return p.progDeleteElem(key);
                case PUSH:
                    return p.progPushElem(value, flags);
                case POP:
                    return p.progPopElem(value);
                default:
                    return p.progPeekElem(value);
            }
        } catch (RuntimeException | LinkageError e) {
            // a provider's failure never reaches the program; the map is as the provider left it
            return Errno.EFAULT.ret();
        }
    }
}
