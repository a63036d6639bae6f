package org.bpfmaps.core.spi;

import java.util.List;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.Errno;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A family of map types, registered as an OSGi service with {@link #MAP_TYPES} listing the bpftool
 * names of the types it serves. Shaped like the kernel's {@code struct bpf_map_ops}: a table of
 * data per type ({@link MapTypeTraits}) that the core applies before the provider sees anything,
 * an allocation check for what a table cannot say, and the allocation itself, which returns the
 * map's element operations ({@link MapOps}).
 *
 * <p>The core does every check the kernel's {@code kernel/bpf/syscall.c} does before calling a
 * map's ops (fds, access modes, freeze, flags, buffer sizes, per-CPU layout), so a provider sees
 * only valid calls. A provider holds no static state and no reference to the maps it made once
 * they are freed: when its bundle stops, the core detaches its maps (their fds answer ENODEV),
 * keeps their contents as {@link MapOps#exportState} gives them, drops every reference to the
 * provider's objects, and hands the contents to the next provider of the type ({@link #restore}).
 * {@code docs/writing-a-provider.md} walks through a complete provider.
 */
@ConsumerType
public interface MapProvider {
    /** Service property: {@code String[]} of the bpftool names of the types served. */
    String MAP_TYPES = "bpf.map.types";

    /** The types this provider serves, each with its rules. */
    List<MapTypeTraits> types();

    /**
     * What the kernel's {@code map_alloc_check} adds to the table's rules; runs after them.
     *
     * @return 0, or {@code err.fail(errno, why, ...)}
     */
    default int allocCheck(MapDef def, ErrorSink err) {
        return 0;
    }

    /**
     * The definition the map is made with, when the type's {@code map_alloc} changes what was asked
     * for: an LRU hash with BPF_F_NO_COMMON_LRU rounds max_entries up to a multiple of the possible
     * CPUs, and info and fdinfo report the rounded number. Called after {@link #allocCheck} passed;
     * {@link #memoryUsage} and {@link #alloc} receive the result. Only max_entries may differ (see
     * {@link MapDef#withMaxEntries}); the core refuses any other change with EINVAL.
     */
    default MapDef adjust(MapDef def) {
        return def;
    }

    /**
     * The map's size as the kernel counts it ({@code map_mem_usage}), which fdinfo and
     * {@code map show} print as memlock unless {@link MapOps#memoryInUse} says otherwise; and,
     * for a provider that does not override {@link #footprint}, what the budget is charged.
     */
    long memoryUsage(MapDef def);

    /**
     * What the map really takes in this JVM at its fullest, on the heap and in direct buffers: the
     * storage, every node or element buffer it may allocate later (a map that allocates as keys
     * come is charged for max_entries of them now, since inserts are not checked against the
     * budget), and the provider's own objects for the map (its ops and what they hold). The core
     * adds its own bookkeeping of a map, charges both parts to the instance's heap and direct
     * budgets before {@link #alloc}, and answers ENOMEM when either does not fit, so that maps
     * within the budgets cannot run the JVM out of memory. Measure it (a heap histogram of many
     * maps) rather than count fields: the JVM pads objects and direct buffers carry Java objects.
     *
     * <p>The default is {@link #memoryUsage} on the heap, right for a provider whose storage is
     * Java objects and whose figure counts them all.
     *
     * @since 2.1
     */
    default MapFootprint footprint(MapDef def) {
        return MapFootprint.heap(memoryUsage(def));
    }

    /**
     * Makes the map: storage zeroed or empty as the type wants. Called only for definitions that
     * passed the table and {@link #allocCheck}, and whose {@link #footprint} fit in the memory budgets.
     */
    MapOps alloc(MapDef def);

    /**
     * Makes the map for an instance: as {@link #alloc(MapDef)}, which the default calls, for a map
     * whose values name other objects of its instance by fd (a SOCKMAP's value is a socket fd, which
     * the kernel resolves in the caller's fd table: here the map's instance, {@code host}).
     *
     * @since 2.2
     */
    default MapOps alloc(MapDef def, ObjectHost host) {
        return alloc(def);
    }

    /**
     * Makes a map that holds {@code state}: the contents of a map of this definition that an
     * earlier provider of the type (this bundle's previous version, or another) exported when it
     * left. Called only after the definition passed the table and {@link #allocCheck}. The map's
     * fds, id and pins stay the same; only its ops change.
     *
     * <p>The default understands {@link MapState#ELEMENTS}: it allocates the map and replays the
     * elements with UPDATE. A provider that hands over storage overrides this to adopt it.
     *
     * @return the ops, or null after {@code err.fail(...)} saying why the state is refused (the
     *     map then stays detached, and the reason is shown where detached maps are listed)
     */
    default MapOps restore(MapDef def, MapState state, ErrorSink err) {
        if (!MapState.ELEMENTS.equals(state.format())) {
            err.fail(Errno.EINVAL, "state format '" + state.format() + "' is not one this provider reads");
            return null;
        }
        MapOps ops = alloc(def);
        int r = state.replay(ops);
        if (r != 0) {
            ops.free();
            err.fail(Errno.of(r) != null ? Errno.of(r) : Errno.EINVAL,
                    "replaying the map's elements failed: " + Errno.nameOf(r));
            return null;
        }
        return ops;
    }

    /**
     * As {@link #restore(MapDef, MapState, ErrorSink)}, which the default calls, for a map of the
     * instance {@code host}: see {@link #alloc(MapDef, ObjectHost)}.
     *
     * @since 2.2
     */
    default MapOps restore(MapDef def, MapState state, ErrorSink err, ObjectHost host) {
        return restore(def, state, err);
    }
}
