package org.bpfmaps.conformance;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How keys and values of one map look from user space: key_size bytes per key, and value_size
 * bytes per value, or for per-CPU types one slot of round_up(value_size, 8) bytes per possible
 * CPU. Sizes are computed when first needed, so that a case whose create fails with a huge size
 * (value_size 2^31) never allocates for it.
 */
final class ValueLayout {
    private final MapSpec map;
    private final int cpus;

    ValueLayout(MapSpec map, int cpus) {
        this.map = map;
        this.cpus = cpus;
    }

    int keySize() {
        return Math.toIntExact(Integer.toUnsignedLong(map.keySize()));
    }

    /** The bytes of one value as user space passes it. */
    int valueBufSize() {
        return Math.toIntExact(map.valueBufSize(cpus));
    }

    /** One CPU's slot in a per-CPU value. */
    int stride() {
        return Math.toIntExact(map.roundedValueSize());
    }

    /**
     * One value for every possible CPU: the corpus gives a list that repeats across the CPUs,
     * each element zero-padded to its slot (or already padded).
     */
    byte[] perCpuValue(List<byte[]> perCpu) {
        int stride = stride();
        byte[] out = new byte[Math.multiplyExact(stride, cpus)];
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] v = perCpu.get(cpu % perCpu.size());
            if (v.length > stride) {
                throw new IllegalArgumentException("a value_per_cpu element of " + v.length
                        + " bytes does not fit a CPU's slot of " + stride + " bytes");
            }
            System.arraycopy(v, 0, out, cpu * stride, v.length);
        }
        return out;
    }

    /**
     * Records a value read back as the corpus does: {@code value}, the whole buffer, and for
     * per-CPU types also {@code value_per_cpu}, each CPU's slot.
     */
    void putValue(Map<String, Object> into, ByteBuffer b, int at) {
        into.put("value", Hex.encode(b, at, valueBufSize()));
        if (map.perCpu()) {
            int stride = stride();
            List<Object> perCpu = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) {
                perCpu.add(Hex.encode(b, at + cpu * stride, stride));
            }
            into.put("value_per_cpu", perCpu);
        }
    }

    /** A buffer of exactly these bytes, or a NULL pointer for null. */
    static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }

    /** Elements back to back, as batch commands read keys and values. */
    static byte[] concat(List<byte[]> parts) {
        int n = 0;
        for (byte[] p : parts) {
            n = Math.addExact(n, p.length);
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
