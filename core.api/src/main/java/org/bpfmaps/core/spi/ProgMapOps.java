package org.bpfmaps.core.spi;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Optional: the map helpers as a BPF program calls them ({@code bpf_map_lookup_elem},
 * {@code bpf_map_update_elem}, {@code bpf_map_delete_elem}, {@code bpf_map_push_elem},
 * {@code bpf_map_pop_elem}, {@code bpf_map_peek_elem} in kernel/bpf/helpers.c), which a map's
 * {@link MapOps} also implements. They reach the type's ops directly, without syscall.c, and
 * differ from the syscall face as the kernel's do:
 *
 * <ul>
 *   <li>an LRU lookup sets the element's reference bit ({@code htab_lru_map_lookup_elem}; the
 *       syscall's {@code htab_lru_map_lookup_elem_sys} does not);
 *   <li>a per-CPU value is the {@link CurrentCpu current CPU}'s alone: a lookup reads its value_size
 *       bytes, an update writes them ({@code this_cpu_ptr}), and a per-CPU hash element created by
 *       a program has the other CPUs' values zeroed ({@code pcpu_init_value});
 *   <li>a frozen map is written all the same (freezing shuts the syscall's writes only);
 *   <li>flags are the type's own checks only: the syscall's common checks never ran.
 * </ul>
 *
 * <p>Values are value_size bytes at the buffer's position (what the program's pointer covers), keys
 * key_size bytes (null for the keyless types). The core makes the access checks the verifier makes
 * ({@code BPF_F_RDONLY_PROG}, {@code BPF_F_WRONLY_PROG}: EACCES) and the buffer checks before
 * calling; providers make the rest. A helper that the verifier refuses for the type
 * ({@code check_map_func_compatibility}: push, pop and peek exist only for QUEUE, STACK and, but
 * pop, BLOOM_FILTER; those three have no lookup, update or delete) answers EINVAL, as the program's
 * load would fail. Ops return 0 or a negated errno, never throw, and may run on any thread at once.
 */
@ConsumerType
public interface ProgMapOps {
    /** {@code bpf_map_lookup_elem}: copies the value of key to {@code value}; 0 or -ENOENT. */
    int progLookupElem(ByteBuffer key, ByteBuffer value);

    /** {@code bpf_map_update_elem} with BPF_ANY, BPF_NOEXIST or BPF_EXIST (others: the type's errno). */
    int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags);

    /** {@code bpf_map_delete_elem}. */
    int progDeleteElem(ByteBuffer key);

    /** {@code bpf_map_push_elem}: QUEUE, STACK (BPF_EXIST replaces the oldest when full), BLOOM_FILTER (adds). */
    default int progPushElem(ByteBuffer value, long flags) {
        return Errno.EINVAL.ret();
    }

    /** {@code bpf_map_pop_elem}: QUEUE and STACK; -ENOENT when empty. */
    default int progPopElem(ByteBuffer value) {
        return Errno.EINVAL.ret();
    }

    /**
     * {@code bpf_map_peek_elem}: QUEUE and STACK copy their next element to {@code value};
     * BLOOM_FILTER reads {@code value} and answers 0 (maybe present) or -ENOENT.
     */
    default int progPeekElem(ByteBuffer value) {
        return Errno.EINVAL.ret();
    }
}
