package org.bpfmaps.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ProviderHost;
import org.bpfmaps.core.standalone.Standalone;

/**
 * A standalone runtime with one map provider (ranking 0, version 1.0.0) and an instance on it:
 * the base of each map module's fixture, which adds its family's key and value helpers.
 */
public class ProviderFixture<P extends MapProvider> implements AutoCloseable {
    public final ProviderHost runtime = Standalone.create();
    public final P provider;
    public final BpfInstance bpf;
    /** The instance's possible CPUs: a per-CPU value has this many slots. */
    public final int cpus;

    /** An instance with the default settings. */
    protected ProviderFixture(P provider) {
        this(provider, BpfSettings.defaults());
    }

    /** An instance with {@code cpus} possible CPUs. */
    protected ProviderFixture(P provider, int cpus) {
        this(provider, BpfSettings.defaults().withPossibleCpus(cpus));
    }

    private ProviderFixture(P provider, BpfSettings settings) {
        this.provider = provider;
        this.cpus = settings.possibleCpus();
        runtime.addProvider(provider, 0, "1.0.0");
        bpf = runtime.newInstance(settings);
    }

    /** MAP_CREATE, asserting it gave an fd; the failure names the errno and the kernel-style message. */
    public int create(MapCreateAttr a) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> "create: " + Errno.nameOf(fd) + ": " + a.errorMessage());
        return fd;
    }

    /** A 4-byte key or value in host order, as user space passes a {@code __u32}. */
    public static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    /** An 8-byte value in host order, as user space passes a {@code __u64}. */
    public static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    /** The bytes a hex string spells, two digits a byte ("0a0b" is 0x0a 0x0b), as the corpus writes them. */
    public static ByteBuffer hex(String h) {
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return ByteBuffer.wrap(b);
    }

    @Override
    public void close() {
        bpf.close();
    }
}
