package org.bpfmaps.core.spi;

/**
 * What a map takes in this JVM, split by where it lives, as {@link MapProvider#footprint} states
 * it: each part is charged to the instance's budget of that kind, heap and direct, which are
 * sized from the JVM's maximum heap and its direct memory limit. The kernel counts one figure,
 * memlock; the JVM runs out of the two separately, so a map must fit in both.
 *
 * @param heapBytes bytes of Java objects the map keeps reachable at its fullest: storage arrays,
 *     nodes, element buffers, and the provider's own per-map objects (its ops, their locks and
 *     tables), measured with compressed references (heaps under 32 GiB)
 * @param directBytes bytes of direct buffers ({@code ByteBuffer.allocateDirect}), which count
 *     against {@code -XX:MaxDirectMemorySize}; their Java buffer objects are heap bytes
 */
public record MapFootprint(long heapBytes, long directBytes) {

    public MapFootprint {
        if (heapBytes < 0 || directBytes < 0) {
            throw new IllegalArgumentException("a footprint of " + heapBytes + " heap and " + directBytes
                    + " direct bytes: neither may be negative");
        }
    }

    /** {@code bytes} on the heap, none off it. */
    public static MapFootprint heap(long bytes) {
        return new MapFootprint(bytes, 0);
    }

    /** {@code bytes} of direct buffers, none on the heap. */
    public static MapFootprint direct(long bytes) {
        return new MapFootprint(0, bytes);
    }

    /** Both parts of this and {@code other} added. */
    public MapFootprint plus(MapFootprint other) {
        return new MapFootprint(Math.addExact(heapBytes, other.heapBytes),
                Math.addExact(directBytes, other.directBytes));
    }

    /**
     * The heap a Java array of {@code elements} elements of {@code elementBytes} each takes: a
     * 16-byte header and the elements, padded to 8 bytes; and, under the G1 collector, a whole
     * number of regions once it is half a region or more (a "humongous" object takes its regions
     * alone: a 512 KiB table takes 1 MiB of a small heap, where regions are 1 MiB).
     */
    public static long arrayBytes(long elements, long elementBytes) {
        long bytes = (16 + Math.multiplyExact(elements, elementBytes) + 7) & ~7L;
        long region = G1_REGION;
        if (region > 0 && bytes >= region / 2) {
            bytes = (bytes + region - 1) / region * region;
        }
        return bytes;
    }

    /** The G1 region size when the JVM runs G1, else 0: read once from the HotSpot diagnostic MBean. */
    private static final long G1_REGION = g1Region();

    private static long g1Region() {
        try {
            javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName name =
                    new javax.management.ObjectName("com.sun.management:type=HotSpotDiagnostic");
            String[] sig = {String.class.getName()};
            Object g1 = ((javax.management.openmbean.CompositeData) mbs.invoke(name, "getVMOption",
                    new Object[] {"UseG1GC"}, sig)).get("value");
            if (!"true".equals(String.valueOf(g1))) {
                return 0;
            }
            Object size = ((javax.management.openmbean.CompositeData) mbs.invoke(name, "getVMOption",
                    new Object[] {"G1HeapRegionSize"}, sig)).get("value");
            return Long.parseLong(String.valueOf(size));
        } catch (Exception | LinkageError e) {
            // not HotSpot, or no management: assume the largest region G1 chooses, 32 MiB, only
            // for arrays of 16 MiB and more
            return 32L << 20;
        }
    }

    /** {@code bytes} more on the heap. */
    public MapFootprint plusHeap(long bytes) {
        return new MapFootprint(Math.addExact(heapBytes, bytes), directBytes);
    }
}
