package org.bpfmaps.core.prog;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What every program's context offers: the helpers callable from any program type. The maps are
 * those given at load ({@code ProgLoadAttr.mapFds}), by index in that order; the program holds
 * them as long as it lives, as the kernel's program holds its {@code used_maps}.
 *
 * <p>The map helpers are {@code bpf_map_lookup_elem}, {@code bpf_map_update_elem} and
 * {@code bpf_map_delete_elem} (kernel/bpf/helpers.c) with the program-side semantics of the map
 * types: a lookup copies the value (the kernel hands out a pointer); a per-CPU map reads and
 * writes the value of the {@link #cpu() current CPU}; frozen maps are written. They return 0 or a
 * negated errno (ENOENT: no element; EINVAL: no map at that index; EACCES: the map's
 * BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG; EFAULT: a buffer shorter than key_size / value_size;
 * ENODEV: the map's provider is gone) and never throw.
 *
 * <p>A context is valid during its run only, on the thread of the run.
 */
@ProviderType
public interface ProgContext {
    /** {@code bpf_get_smp_processor_id}: the CPU this run stands for. */
    int cpu();

    /** How many maps the program holds (the size of its map index). */
    int mapCount();

    /** {@code bpf_map_lookup_elem}: copies the value of key into {@code value}; 0 or -ENOENT. */
    int mapLookupElem(int map, ByteBuffer key, ByteBuffer value);

    /** {@code bpf_map_update_elem} with BPF_ANY, BPF_NOEXIST or BPF_EXIST. */
    int mapUpdateElem(int map, ByteBuffer key, ByteBuffer value, long flags);

    /** {@code bpf_map_delete_elem}. */
    int mapDeleteElem(int map, ByteBuffer key);
}
