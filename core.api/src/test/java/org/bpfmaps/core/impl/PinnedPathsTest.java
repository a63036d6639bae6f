package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ObjAttr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code Bpf.pinnedMaps()}'s paths: what a walk of the instance's bpffs finds, as pins come and go. */
class PinnedPathsTest {
    private final StandaloneRuntime runtime = new StandaloneRuntime();
    private final Instance bpf;

    PinnedPathsTest() {
        runtime.addProvider(new TinyArrayProvider(), 0, "1.0.0");
        bpf = (Instance) runtime.newInstance(BpfSettings.defaults().withPossibleCpus(2));
    }

    @AfterEach
    void close() {
        bpf.close();
    }

    @Test
    void listsEveryPinSortedAndForgetsUnlinkedOnes() {
        assertEquals(List.of(), new java.util.ArrayList<>(new java.util.TreeSet<>(bpf.pinnedMaps().keySet())), "a fresh bpffs is empty");
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 4, 1));
        assertEquals(0, bpf.mkdir("/sys/fs/bpf/dir", null));
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/zeta", fd)));
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/dir/alpha", fd)));
        assertEquals(List.of("/sys/fs/bpf/dir/alpha", "/sys/fs/bpf/zeta"), new java.util.ArrayList<>(new java.util.TreeSet<>(bpf.pinnedMaps().keySet())));
        assertEquals(0, bpf.unlink("/sys/fs/bpf/zeta", null));
        assertEquals(List.of("/sys/fs/bpf/dir/alpha"), new java.util.ArrayList<>(new java.util.TreeSet<>(bpf.pinnedMaps().keySet())), "an unlinked pin is gone");
        bpf.close(fd);
    }
}
