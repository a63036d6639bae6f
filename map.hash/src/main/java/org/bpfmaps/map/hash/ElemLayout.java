package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;

/**
 * The bytes of one element, after the kernel's {@code struct htab_elem}: a header, the key rounded
 * up to 8 bytes, then the value. The header holds the chain link and the hash (and, for LRU maps,
 * the LRU node: list links, the reference bit, the list the node is on and the CPU that owns it):
 *
 * <pre>
 *  0: next   u32   chain link (index + 1, 0 ends the chain); the free-list link while free
 *  4: hash   u32
 *  8: prev   u32   LRU list links (index + 1, 0 is the list head)    \
 * 12: lnext  u32                                                    |  LRU maps only
 * 16: ref    u8    set by program-side lookups, cleared by rotation |
 * 17: type   u8    FREE, ACTIVE or INACTIVE                         |
 * 20: cpu    u32   the per-CPU LRU list the node belongs to         /
 *  H: key    round_up(key_size, 8)
 *  V: value  round_up(value_size, 8), or that times the possible CPUs for per-CPU maps
 * </pre>
 *
 * Per-CPU values keep the user-space layout, one rounded slot per CPU, and the slot is copied
 * whole in both directions, padding included: the kernel's {@code pcpu_copy_value} (an update from
 * user space) and its lookups copy {@code round_up(value_size, 8)} bytes per CPU
 * ({@code copy_map_value_long}), so an update's padding bytes are stored and read back as written
 * (corpus/percpu-padding-6.18.json). A program's write ({@link #copyInCpu}) is value_size bytes of
 * one CPU's slot.
 */
final class ElemLayout {
    static final int NEXT = 0;
    static final int HASH = 4;
    static final int LRU_PREV = 8;
    static final int LRU_NEXT = 12;
    static final int LRU_REF = 16;
    static final int LRU_TYPE = 17;
    static final int LRU_CPU = 20;

    final int keySize;
    final int valueSize;
    final boolean perCpu;
    final int cpus;
    /** round_up(value_size, 8): one CPU's slot in a per-CPU value. */
    final int stride;
    final int keyOff;
    final int valueOff;
    /** The value's stored bytes: stride, or stride times the CPUs. */
    final int valueBytes;
    final int slotBytes;

    ElemLayout(MapDef def, boolean lru) {
        keySize = def.keySize();
        valueSize = def.valueSize();
        perCpu = HashProvider.perCpu(def.type());
        cpus = def.possibleCpus();
        stride = roundUp8(valueSize);
        keyOff = lru ? 24 : 8;
        valueOff = keyOff + roundUp8(keySize);
        valueBytes = perCpu ? stride * cpus : stride;
        slotBytes = valueOff + valueBytes;
    }

    /** The bytes of one element for a definition, without making a layout (for memory accounting). */
    static long slotBytes(MapDef def, boolean lru) {
        long value = roundUp8(Integer.toUnsignedLong(def.valueSize()));
        if (HashProvider.perCpu(def.type())) {
            value *= def.possibleCpus();
        }
        return (lru ? 24 : 8) + roundUp8(Integer.toUnsignedLong(def.keySize())) + value;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    static long roundUp8(long n) {
        return (n + 7) & ~7L;
    }

    /** Copies the value stored at {@code at} in {@code slot} to {@code dst} at {@code dstAt}, as the user sees it. */
    void copyOut(ByteBuffer slot, int at, ByteBuffer dst, int dstAt) {
        KeyBytes.copy(slot, at + valueOff, dst, dstAt, perCpu ? valueBytes : valueSize);
    }

    /** Stores a user-space value into the element at {@code at} in {@code slot}: every CPU's slot whole, for per-CPU maps. */
    void copyIn(ByteBuffer src, int srcAt, ByteBuffer slot, int at) {
        KeyBytes.copy(src, srcAt, slot, at + valueOff, perCpu ? valueBytes : valueSize);
    }

    /** The value_size bytes a program sees: the value, or one CPU's for per-CPU maps ({@code this_cpu_ptr}). */
    private int cpuValue(int at, int cpu) {
        return at + valueOff + (perCpu ? cpu * stride : 0);
    }

    /** Copies the value a program reads (one CPU's, for per-CPU maps) to {@code dst}: value_size bytes. */
    void copyOutCpu(ByteBuffer slot, int at, int cpu, ByteBuffer dst, int dstAt) {
        KeyBytes.copy(slot, cpuValue(at, cpu), dst, dstAt, valueSize);
    }

    /**
     * A program's write of an existing element: value_size bytes into the value, or into one CPU's
     * slot with its padding left as it was ({@code pcpu_copy_value} with onallcpus false copies
     * value_size bytes, {@code copy_map_value}).
     */
    void copyInCpu(ByteBuffer src, int srcAt, ByteBuffer slot, int at, int cpu) {
        KeyBytes.copy(src, srcAt, slot, cpuValue(at, cpu), valueSize);
    }

    /**
     * A per-CPU element a program creates ({@code pcpu_init_value} with onallcpus false): the
     * program's CPU gets the value, every other CPU's value_size bytes are zeroed
     * ({@code zero_map_value}) so the program knows what they hold. The kernel copies the whole
     * rounded slot from the program's pointer, whose bytes past value_size are the program's stack
     * and none of its value; here they are zeros. Other CPUs' padding stays as it was, as there.
     */
    void initFromProgram(ByteBuffer src, int srcAt, ByteBuffer slot, int at, int cpu) {
        if (!perCpu) {
            copyIn(src, srcAt, slot, at);
            return;
        }
        for (int c = 0; c < cpus; c++) {
            if (c != cpu) {
                Bytes.zero(slot, cpuValue(at, c), valueSize);
            }
        }
        copyInCpu(src, srcAt, slot, at, cpu);
        Bytes.zero(slot, cpuValue(at, cpu) + valueSize, stride - valueSize);
    }
}
