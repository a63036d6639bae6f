package org.bpfmaps.map.hash;

import java.nio.ByteBuffer;

/**
 * Where element {@code e} of a hash map lives: {@code buf(e)} from byte {@code base(e)}, laid out
 * as {@link ElemLayout} says. Preallocated maps keep every element in off-heap slots
 * ({@link Slab}); BPF_F_NO_PREALLOC maps give each element its own buffer while it exists
 * ({@link OnDemandElements}).
 *
 * <p>Readers that do not hold the bucket lock may ask for an element that has just been freed:
 * {@code buf} then answers null, or a buffer that is being reused. They never read outside it, and
 * they throw away what they read when the bucket's sequence count says it changed.
 */
interface Elements {
    /** The buffer holding element {@code e}, or null when e has no storage right now. */
    ByteBuffer buf(int e);

    /** The offset of element {@code e} in {@link #buf}. */
    int base(int e);

    /** How many elements there can be: every e is in {@code [0, capacity)}. */
    int capacity();
}
