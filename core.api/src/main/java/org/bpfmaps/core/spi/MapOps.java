package org.bpfmaps.core.spi;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapBatchAttr;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The element operations of one map, made by {@link MapProvider#alloc}: the Java side of the
 * kernel's {@code map_lookup_elem}, {@code map_update_elem}, ... ops, seen from the syscall.
 *
 * <p>The core calls these only for commands the type's {@link MapTypeTraits} lists, after its own
 * checks: the fd is a map of this type, the caller may read or write, the map is not frozen for a
 * write, flags other than the type's own rules are valid ({@code (flags & ~F_LOCK) <= EXIST}, no
 * F_LOCK; an update of a type with {@link MapTypeTraits#updateFlagsLast} gets any flags but F_LOCK), and every buffer has the bytes the call needs. Keys and values start at their buffer's
 * {@code position()}; an op reads and writes them in place with absolute indexes and never moves a
 * position or limit. A value buffer holds {@link MapDef#valueBufSize()} bytes (all CPUs' values for
 * a per-CPU map). Integers in keys are in host byte order whatever the buffer's order: use
 * {@link Bytes}.
 *
 * <p>Ops return 0 or a negated errno and must not throw (one that does anyway is answered EFAULT,
 * naming the provider and the map, on both faces; the exception never reaches the caller). Any
 * number of threads may call them at once; an op that finds no element answers -ENOENT. Lookups
 * should not allocate.
 */
@ConsumerType
public interface MapOps {
    int lookupElem(ByteBuffer key, ByteBuffer value, long flags);

    int updateElem(ByteBuffer key, ByteBuffer value, long flags);

    int deleteElem(ByteBuffer key);

    /** {@code key} null: the first key. A key not in the map: as the type's kernel code decides. */
    int getNextKey(ByteBuffer key, ByteBuffer nextKey);

    default int lookupAndDeleteElem(ByteBuffer key, ByteBuffer value, long flags) {
        return Errno.ENOTSUPP.ret();
    }

    /** MAP_LOOKUP_BATCH; the default is the kernel's generic, get_next_key-driven walk. */
    default int lookupBatch(MapDef def, MapBatchAttr attr) {
        return GenericBatch.lookup(this, def, attr);
    }

    /** MAP_LOOKUP_AND_DELETE_BATCH; the kernel has no generic version, nor does the default. */
    default int lookupAndDeleteBatch(MapDef def, MapBatchAttr attr) {
        return Errno.ENOTSUPP.ret();
    }

    /** MAP_UPDATE_BATCH; the default applies the elements one by one and stops at the first error. */
    default int updateBatch(MapDef def, MapBatchAttr attr) {
        return GenericBatch.update(this, def, attr);
    }

    /** MAP_DELETE_BATCH; the default deletes the keys one by one and stops at the first error. */
    default int deleteBatch(MapDef def, MapBatchAttr attr) {
        return GenericBatch.delete(this, def, attr);
    }

    /**
     * The storage of an MMAPABLE map as one buffer (element {@code i} at
     * {@code i * round_up(value_size, 8)}), or null when the map cannot be mapped.
     */
    default ByteBuffer mmapView() {
        return null;
    }

    /**
     * The bytes the map takes now, which fdinfo shows as {@code memlock}; or -1 for the figure
     * charged when it was created ({@link MapProvider#memoryUsage}), right for any map whose
     * storage is allocated up front. A map that allocates elements as keys come
     * (BPF_F_NO_PREALLOC) reports what it holds, as the kernel's {@code map_mem_usage} counts a
     * non-preallocated hash map's elements: the figure falls when keys are deleted.
     */
    default long memoryInUse() {
        return -1;
    }

    /**
     * Why this map answered {@code err} to {@code cmd}, naming the field and the limit: a constant
     * {@link String#format} pattern with at most one {@code %d}, which receives max_entries; or
     * null to let the core say something generic. Called only on failures.
     */
    default String why(BpfCmd cmd, int err) {
        return null;
    }

    /**
     * The map's whole contents, for the core to keep while no provider serves the map and to give
     * to the next one ({@link MapProvider#restore}). Called once, when the provider leaves (its
     * bundle stopping or being updated), after the core stopped sending this map new commands;
     * {@link #free} follows.
     *
     * <p>Calls that began before may still be running. So that none is lost, every write that
     * returns 0 must be in the state: either the ops stop accepting writes first (a flag checked
     * under the writers' lock, after which a write answers ENODEV, and taking that lock once waits
     * for the writes in progress), or the state hands over the storage itself
     * ({@link MapState#ofStorage}), which late writes still reach.
     *
     * <p>The default is a {@link MapState#walk} and does neither: it suits only ops without
     * concurrent writers.
     */
    default MapState exportState(MapDef def) {
        return MapState.walk(this, def);
    }

    /** Releases the storage; called once, when the map's last reference goes or it is detached. */
    default void free() {
    }
}
