package org.bpfmaps.itest;

import static org.bpfmaps.itest.Calls.createArray;
import static org.bpfmaps.itest.Calls.info;
import static org.bpfmaps.itest.Calls.lookup;
import static org.bpfmaps.itest.Calls.pin;
import static org.bpfmaps.itest.Calls.update;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An isolated instance from the BpfRuntime service, as the conformance runner uses one: its maps,
 * ids, fds and pins are its own, never seen through the default instance, and the reverse.
 */
class IsolatedInstanceTest {
    private static OsgiFramework osgi;

    @BeforeAll
    static void start() throws Exception {
        osgi = OsgiFramework.start(IsolatedInstanceTest.class.getSimpleName());
    }

    @AfterAll
    static void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void isolatedInstanceSharesNothingWithTheDefaultOne() {
        Bpf dflt = osgi.bpf();
        int dfltFd = createArray(dflt, "dflt");
        try (BpfInstance iso = osgi.runtime().newInstance(BpfSettings.defaults().withPossibleCpus(2))) {
            assertEquals(2, iso.settings().possibleCpus());
            int[] isoFds = new int[3];
            for (int i = 0; i < 3; i++) {
                isoFds[i] = createArray(iso, "iso" + i);
            }

            // Each instance enumerates only its own maps.
            assertEquals(Set.of("dflt"), Calls.mapNames(dflt));
            assertEquals(Set.of("iso0", "iso1", "iso2"), Calls.mapNames(iso));

            // Ids are per instance, so the same number may name a map of the default instance;
            // it must never open one of the isolated maps there.
            for (int fd : isoFds) {
                int id = info(iso, fd).id();
                GetIdAttr a = new GetIdAttr(id);
                int other = dflt.bpf(BpfCmd.MAP_GET_FD_BY_ID, a);
                if (other < 0) {
                    assertEquals(Errno.ENOENT, a.errno(), a::errorMessage);
                } else {
                    assertFalse(info(dflt, other).name().startsWith("iso"), "id " + id + " opened an isolated map");
                    assertEquals(0, dflt.close(other));
                }
                // Likewise an fd number: either not open in the default instance, or another map.
                InfoAttr ia = new InfoAttr(fd);
                if (dflt.bpf(BpfCmd.OBJ_GET_INFO_BY_FD, ia) == 0) {
                    assertNotEquals("iso", MapInfo.read(ia.info, ia.infoLen).name().substring(0, 3));
                }
            }

            // Pins live in the instance's own bpffs.
            assertEquals(0, pin(iso, isoFds[0], "/sys/fs/bpf/iso_pin"));
            assertEquals(Errno.ENOENT.ret(), dflt.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/iso_pin", 0)));

            // Writes through one instance are not seen through the other.
            assertEquals(0, update(iso, isoFds[0], 1, 42));
            assertEquals(0L, lookup(dflt, dfltFd, 1));
            assertEquals(42L, lookup(iso, isoFds[0], 1));
        }
        // The default instance keeps its map after the isolated one is closed.
        assertEquals(Set.of("dflt"), Calls.mapNames(dflt));
        assertEquals(0, dflt.close(dfltFd));
        osgi.assertNoProblems();
    }

    @Test
    void perCpuValuesAreSizedByTheInstancesPossibleCpus() {
        try (BpfInstance iso = osgi.runtime().newInstance(BpfSettings.defaults().withPossibleCpus(2))) {
            MapCreateAttr c = new MapCreateAttr(MapType.PERCPU_ARRAY, 4, 4, 8);
            int fd = iso.bpf(BpfCmd.MAP_CREATE, c);
            assertTrue(fd > 0, c::errorMessage);

            // A per-CPU value is round_up(value_size, 8) bytes per possible CPU: 2 x 8 here.
            ByteBuffer values = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 7).putInt(8, 9);
            assertEquals(0, iso.bpf(BpfCmd.MAP_UPDATE_ELEM,
                    new MapElemAttr().set(fd, Calls.u32(5), values, BpfFlags.ANY)));
            ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, iso.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, Calls.u32(5), out, 0)));
            assertEquals(7, out.getInt(0));
            assertEquals(9, out.getInt(8));

            // One CPU's worth of buffer is too small, as a too-small user pointer would be.
            assertEquals(Errno.EFAULT.ret(), iso.bpf(BpfCmd.MAP_LOOKUP_ELEM,
                    new MapElemAttr().set(fd, Calls.u32(5), ByteBuffer.allocate(8), 0)));
        }
        osgi.assertNoProblems();
    }
}
