package org.bpfmaps.map.array;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.BpfProgram;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProgSpec;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.ProgObject;
import org.bpfmaps.core.impl.SkbRun;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A program's map helpers on a real provider's maps: {@code bpf_map_update_elem} on a PERCPU_ARRAY
 * writes the run's CPU's value alone ({@code this_cpu_ptr} in percpu_array_map_update_elem's
 * program path, kernel/bpf/arraymap.c), the CPU being the one the run binds.
 */
class ProgramMapHelpersTest {
    private final ProviderHost runtime = Standalone.create();
    private final BpfInstance bpf = runtime.newInstance(BpfSettings.defaults().withPossibleCpus(4));

    @AfterEach
    void close() {
        bpf.close();
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    @Test
    void aRunsPerCpuUpdateLandsInItsCpusSlot() {
        runtime.addProvider(new ArrayProvider());
        try (BpfMap counts = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 1));
                BpfProgram prog = BpfProgram.load(bpf, ProgSpec.of((SkSkbProgram) ctx -> {
                    ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                    int r = ctx.mapLookupElem(0, u32(0), v);
                    if (r != 0) {
                        return SkAction.SK_DROP;
                    }
                    v.putLong(0, v.getLong(0) + ctx.len());
                    return ctx.mapUpdateElem(0, u32(0), v, 0) == 0 ? SkAction.SK_PASS : SkAction.SK_DROP;
                }), counts)) {
            ProgObject p = (ProgObject) ((Instance) bpf).table().get(prog.fd());
            assertEquals(SkAction.SK_PASS, p.run(new SkbRun(p, 1).set(100, 0)));
            assertEquals(SkAction.SK_PASS, p.run(new SkbRun(p, 1).set(5, 0)));
            assertEquals(SkAction.SK_PASS, p.run(new SkbRun(p, 3).set(7, 0)));
            ByteBuffer all = ByteBuffer.allocate(8 * 4).order(ByteOrder.nativeOrder());
            counts.lookup(u32(0), all);
            assertArrayEquals(new long[] {0, 105, 0, 7},
                    new long[] {all.getLong(0), all.getLong(8), all.getLong(16), all.getLong(24)});
        }
    }

    /**
     * Each RX queue of a device stands for its own CPU: an XDP program counting frames in a
     * PERCPU_ARRAY counts queue i's frames in CPU i's slot (queue 5 folds into CPU 1 of 4).
     */
    @Test
    void eachRxQueueRunsItsProgramOnItsCpu() {
        runtime.addProvider(new ArrayProvider());
        NetDevices devs = NetDevices.of(bpf);
        int eth = devs.add("eth0", 6, (e, why, a, b) -> e.ret());
        try (BpfMap counts = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, 1));
                BpfProgram prog = BpfProgram.load(bpf, ProgSpec.of((XdpProgram) ctx -> {
                    ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
                    if (ctx.mapLookupElem(0, u32(0), v) != 0) {
                        return XdpAction.XDP_ABORTED;
                    }
                    v.putLong(0, v.getLong(0) + 1);
                    ctx.mapUpdateElem(0, u32(0), v, 0);
                    return XdpAction.XDP_DROP;
                }), counts)) {
            ProgObject p = (ProgObject) ((Instance) bpf).table().get(prog.fd());
            ((Instance) bpf).deviceXdp().set(eth, p);
            int[] frames = {1, 2, 0, 3, 0, 4}; // per queue
            for (int q = 0; q < frames.length; q++) {
                for (int k = 0; k < frames[q]; k++) {
                    assertEquals(XdpAction.XDP_DROP, devs.receive(eth, q, ByteBuffer.allocate(60)));
                }
            }
            ByteBuffer all = ByteBuffer.allocate(8 * 4).order(ByteOrder.nativeOrder());
            counts.lookup(u32(0), all);
            assertArrayEquals(new long[] {1, 2 + 4, 0, 3},
                    new long[] {all.getLong(0), all.getLong(8), all.getLong(16), all.getLong(24)});
        }
    }
}
