package org.bpfmaps.examples;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfMap;
import org.bpfmaps.core.api.MapMapping;
import org.bpfmaps.core.api.MapSpec;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.UpdateFlag;
import org.bpfmaps.core.spi.MapProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Per-port packet and byte counters, the way a BPF program keeps them, from plain Java:
 * <ul>
 * <li>{@code port_packets}, an MMAPABLE ARRAY of u64 indexed by port: the threads add to it with
 * atomic instructions on the mmap'ed view, as a BPF program does with
 * {@code __sync_fetch_and_add} — no lock, no lost increment;
 * <li>{@code port_bytes}, a PERCPU_ARRAY of u64: each worker thread plays one CPU and adds to its
 * own slot. From user space an update writes every CPU's slot at once, so the workers take a
 * per-port lock around their read-modify-write; BPF programs on real CPUs need none.
 * </ul>
 * Exposed as Gogo commands {@code example:simulate} and {@code example:counters}.
 *
 * <p>Immediate: the two maps are this component's state and must live as long as the component is
 * satisfied (its bundle active, a {@code Bpf} service and the array types present), not as long
 * as someone holds the service. A delayed component is deactivated when its last user ungets it, and Gogo gets and
 * ungets the service around every command: each command would then get a fresh instance with
 * fresh, empty maps, and {@code example:counters} would never see what {@code example:simulate}
 * counted.
 */
@Component(service = PortCounters.class, immediate = true, property = {"osgi.command.scope=example",
    "osgi.command.function=simulate", "osgi.command.function=counters"})
public final class PortCounters {
    static final int PORTS = 1024;
    private static final VarHandle U64 = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    @Reference
    private Bpf bpf;

    /**
     * The provider of the two map types, by the types it registers: the component is satisfied
     * (and creates its maps) only while someone serves ARRAY and PERCPU_ARRAY, whatever order the
     * bundles start in; when that provider stops the component goes, and comes back with it.
     */
    @Reference(target = "(&(" + MapProvider.MAP_TYPES + "=array)(" + MapProvider.MAP_TYPES + "=percpu_array))")
    private MapProvider arrays;

    private BpfMap packets;
    private BpfMap bytes;
    private MapMapping packetView;
    private final Object[] portLocks = new Object[64];

    @Activate
    void activate() {
        try {
            packets = BpfMap.create(bpf, MapSpec.of(MapType.ARRAY, 4, 8, PORTS).withFlags(BpfFlags.F_MMAPABLE)
                    .withName("port_packets"));
            bytes = BpfMap.create(bpf, MapSpec.of(MapType.PERCPU_ARRAY, 4, 8, PORTS).withName("port_bytes"));
            MmapAttr m = new MmapAttr(packets.fd(), true);
            if (bpf.mmap(m) != 0) {
                throw new IllegalStateException("mmap of port_packets failed: " + m.errorMessage());
            }
            packetView = m.mapping;
        } catch (RuntimeException e) {
            // DS calls no deactivate after a failed activate: close here what was made, or it leaks
            deactivate();
            throw e;
        }
        for (int i = 0; i < portLocks.length; i++) {
            portLocks[i] = new Object();
        }
    }

    /** When the bundle stops or the Bpf service goes: the maps end with the component. */
    @Deactivate
    void deactivate() {
        if (packetView != null) {
            packetView.close();
        }
        if (packets != null) {
            packets.close();
        }
        if (bytes != null) {
            bytes.close();
        }
    }

    /** Counts one packet of {@code size} bytes on {@code port}, seen by worker ("CPU") {@code cpu}. */
    public void count(int port, int size, int cpu, long[] scratch) {
        U64.getAndAdd(packetView.buffer(), port * 8, 1L);
        synchronized (portLocks[port % portLocks.length]) {
            if (!bytes.lookupPerCpu(port, scratch)) {
                throw new IllegalStateException("port " + port + " is beyond the map");
            }
            scratch[cpu] += size;
            bytes.updatePerCpu(port, scratch, UpdateFlag.EXIST);
        }
    }

    /**
     * {@code example:simulate THREADS PACKETS}: THREADS workers (one per possible CPU at most) each
     * count PACKETS packets spread over ports 0..15, packet {@code i} being {@code 64 + i % 100}
     * bytes long. Returns a one-line summary.
     */
    public String simulate(int threads, int packetsPerThread) throws Exception {
        int cpus = bytes.possibleCpus();
        if (threads < 1 || threads > cpus) {
            return "threads must be 1.." + cpus + " (one per possible CPU)";
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int cpu = t;
                done.add(pool.submit(() -> {
                    long[] scratch = new long[cpus];
                    for (int i = 0; i < packetsPerThread; i++) {
                        count(i % 16, 64 + i % 100, cpu, scratch);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return threads * (long) packetsPerThread + " packets counted";
    }

    /** {@code example:counters}: one line per port that saw traffic. */
    public String counters() {
        StringBuilder out = new StringBuilder();
        long[] perCpu = new long[bytes.possibleCpus()];
        for (int port = 0; port < PORTS; port++) {
            long n = packets.lookupLong(port, 0);
            if (n == 0) {
                continue;
            }
            bytes.lookupPerCpu(port, perCpu);
            long total = 0;
            for (long b : perCpu) {
                total += b;
            }
            out.append("port ").append(port).append(": ").append(n).append(" packets, ").append(total)
                    .append(" bytes\n");
        }
        return out.toString();
    }

    /** Reads one port's packet count through bpf() rather than the handle: both faces see one map. */
    long packetsViaSyscall(int port) {
        ByteBuffer key = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, port);
        ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        org.bpfmaps.core.api.MapElemAttr a = new org.bpfmaps.core.api.MapElemAttr().set(packets.fd(), key, value, 0);
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a) == 0 ? value.getLong(0) : -1;
    }
}
