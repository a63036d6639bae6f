package org.bpfmaps.map.hash;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import org.bpfmaps.core.api.Errno;

/**
 * The elements of a BPF_F_NO_PREALLOC map: each gets its own buffer when its key is inserted and
 * loses it when the key is deleted, as the kernel allocates elements with {@code bpf_mem_alloc}
 * and frees them after an RCU grace period.
 *
 * <p>The buffers are on the heap, and the garbage collector is the grace period: a reader that
 * still holds a deleted element's buffer keeps it alive, and the memory goes back as soon as no
 * one does. (Direct buffers would also wait for the collector to run their cleaners, and cost far
 * more to allocate.) What stays for the life of the map is an index per possible element: the
 * reference table that chains link through and the free-index stack, 8 bytes per entry, which
 * is what bounds the map at max_entries.
 */
final class OnDemandElements implements Elements, ElemPool {
    private static final VarHandle REFS = MethodHandles.arrayElementVarHandle(ByteBuffer[].class);
    /** The heap bytes of one element beyond its slot: the byte[] header and the HeapByteBuffer (measured). */
    static final int OBJECT_BYTES = 16 + 56;
    /** The bytes per possible element that exist while the map does: a reference and a free-list link. */
    static final int INDEX_BYTES = 8;
    /** The HeapByteBuffer over an element's byte[] (56 bytes, measured). */
    static final int BUFFER_OBJECT_BYTES = 56;
    /** This object and its live count. */
    static final int MAP_BYTES = 32 + 16;

    private final ByteBuffer[] refs;
    private final FreeList indexes;
    private final int slotBytes;
    /** The elements that have a buffer now, for the map's memlock. */
    private final AtomicInteger live = new AtomicInteger();

    OnDemandElements(int maxEntries, int slotBytes) {
        this.refs = new ByteBuffer[maxEntries];
        this.indexes = new FreeList(maxEntries);
        this.slotBytes = slotBytes;
    }

    @Override
    public int alloc() {
        int e = indexes.pop();
        if (e < 0) {
            // max_entries elements exist: the map is full
            return Errno.E2BIG.ret();
        }
        ByteBuffer b;
        try {
            b = ByteBuffer.allocate(slotBytes).order(ByteOrder.nativeOrder());
        } catch (OutOfMemoryError oom) {
            // no memory for the element: as the kernel's bpf_mem_cache_alloc failing
            indexes.push(e);
            return Errno.ENOMEM.ret();
        }
        // published with release: a lock-free reader that finds the index sees a complete buffer
        REFS.setRelease(refs, e, b);
        live.incrementAndGet();
        return e;
    }

    @Override
    public void free(int e) {
        REFS.setRelease(refs, e, null);
        live.decrementAndGet();
        indexes.push(e);
    }

    /** The elements that hold a buffer. */
    int live() {
        return live.get();
    }

    @Override
    public ByteBuffer buf(int e) {
        return (ByteBuffer) REFS.getAcquire(refs, e);
    }

    @Override
    public int base(int e) {
        return 0;
    }

    @Override
    public int capacity() {
        return refs.length;
    }
}
