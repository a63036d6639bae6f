package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ProgMapOps;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core's program-side entry: the verifier's access rules in one place, then buffers, a
 * detached map, a provider without program-side ops, and a provider that throws.
 */
class ProgMapAccessTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));

    @AfterEach
    void close() {
        bpf.close();
    }

    private int create(int flags) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 4).flags(flags));
        assertTrue(fd >= 3, Errno.nameOf(fd));
        return fd;
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    @Test
    void aProviderWithoutProgramSideOpsIsEnotsuppAfterTheAccessRules() {
        runtime.addProvider(new TinyArrayProvider());
        ProgMapAccess ro = ProgMapAccess.forFd(bpf, create(BpfFlags.F_RDONLY_PROG));
        assertEquals(Errno.EACCES.ret(), ro.updateElem(u32(0), ByteBuffer.allocate(8), 0));
        assertEquals(Errno.ENOTSUPP.ret(), ro.lookupElem(u32(0), ByteBuffer.allocate(8)));
    }

    @Test
    void aThrowingProviderIsEfaultAndADetachedMapEnodev() {
        MapProvider throwing = new MapProvider() {
            @Override
            public List<MapTypeTraits> types() {
                return List.of(TinyArrayProvider.TRAITS);
            }

            @Override
            public long memoryUsage(MapDef def) {
                return 64;
            }

            @Override
            public MapOps alloc(MapDef def) {
                return new Throwing();
            }
        };
        runtime.addProvider(throwing);
        ProgMapAccess p = ProgMapAccess.forFd(bpf, create(0));
        ByteBuffer v = ByteBuffer.allocate(8);
        assertEquals(Errno.EFAULT.ret(), p.lookupElem(u32(0), v));
        assertEquals(Errno.EFAULT.ret(), p.updateElem(u32(0), v, 0));
        assertEquals(Errno.EFAULT.ret(), p.pushElem(v, 0));
        runtime.removeProvider(throwing);
        assertEquals(Errno.ENODEV.ret(), p.lookupElem(u32(0), v));
    }

    @Test
    void shortBuffersAreEfaultAndAnFdThatIsNoMapHasNoAccess() {
        runtime.addProvider(new TinyArrayProvider());
        ProgMapAccess p = ProgMapAccess.forFd(bpf, create(0));
        assertEquals(Errno.EFAULT.ret(), p.lookupElem(u32(0), ByteBuffer.allocate(7)));
        assertEquals(Errno.EFAULT.ret(), p.lookupElem(u32(0), ByteBuffer.allocate(8).asReadOnlyBuffer()));
        assertEquals(Errno.EFAULT.ret(), p.updateElem(null, ByteBuffer.allocate(8), 0));
        assertEquals(Errno.EFAULT.ret(), p.deleteElem(ByteBuffer.allocate(3)));
        assertNull(ProgMapAccess.forFd(bpf, 99));
    }

    /** Program-side ops that fail as a broken provider would. */
    private static final class Throwing implements MapOps, ProgMapOps {
        @Override
        public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
            return 0;
        }

        @Override
        public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
            return 0;
        }

        @Override
        public int deleteElem(ByteBuffer key) {
            return 0;
        }

        @Override
        public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
            return Errno.ENOENT.ret();
        }

        @Override
        public int progLookupElem(ByteBuffer key, ByteBuffer value) {
            throw new IllegalStateException("broken");
        }

        @Override
        public int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
            throw new NoClassDefFoundError("gone");
        }

        @Override
        public int progDeleteElem(ByteBuffer key) {
            return 0;
        }

        @Override
        public int progPushElem(ByteBuffer value, long flags) {
            throw new ArrayIndexOutOfBoundsException(3);
        }
    }
}
