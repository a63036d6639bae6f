package org.bpfmaps.core.spi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;

/**
 * A map's whole contents while no provider holds them: what {@link MapOps#exportState} gives the
 * core when the provider leaves, and what {@link MapProvider#restore} receives when a provider
 * for the type returns (the same version or a newer one). The core keeps it with the detached map,
 * with the map's definition, id, pins and frozen state, so that the map's fds work again, with
 * every element, once it is re-attached.
 *
 * <p>Why a class of the core and not of the provider: the departed bundle's class loader must be
 * collectable, so the state may hold nothing of its classes. It comes in two forms:
 * <ul>
 * <li>{@link #ELEMENTS}: the elements as key and value bytes (values in the all-CPU layout of a
 * per-CPU map), in an order that replaying them with UPDATE rebuilds the map: a queue oldest
 * first, a stack bottom first. Any provider can read it; it is the default on both sides, made by
 * walking the map with get_next_key and lookup.</li>
 * <li>storage handed over whole ({@link #ofStorage}): buffers and arrays of the JDK that the next
 * provider adopts as they are, under a format name both versions know. This is how a map that
 * cannot be walked without changing it (a bloom filter) keeps its bits, and how an MMAPABLE array
 * keeps its memory, so that a live mmap view is never cut off from the map: it is the same memory.
 * Writes that were still running on the old provider when it left land in that memory too.</li>
 * </ul>
 */
public final class MapState {
    /** The format of a state held as key and value bytes. */
    public static final String ELEMENTS = "elements";

    /** Element bytes are kept in chunks of this size (or one element, if larger). */
    private static final int CHUNK = 1 << 20;

    private final String format;
    private final long elements;
    private final List<Object> storage;
    private final int keySize;
    private final int valueSize;
    private final List<byte[]> chunks;
    private final int perChunk;

    private MapState(String format, long elements, List<Object> storage, int keySize, int valueSize,
            List<byte[]> chunks, int perChunk) {
        this.format = format;
        this.elements = elements;
        this.storage = storage;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.chunks = chunks;
        this.perChunk = perChunk;
    }

    /**
     * A state of storage handed over whole: only objects of the JDK (buffers, primitive arrays),
     * never one of the provider's classes.
     *
     * @param format a name the importing provider recognises, with a version, such as
     *     {@code "org.bpfmaps.array.words/1"}
     * @param elements how many elements the map holds, for listings ({@code -1}: unknown)
     * @throws IllegalArgumentException if a storage object's class is not the JDK's
     */
    public static MapState ofStorage(String format, long elements, Object... storage) {
        for (Object o : storage) {
            if (o == null || o.getClass().getClassLoader() != null) {
                throw new IllegalArgumentException("map state storage must be JDK objects (buffers, primitive "
                        + "arrays), not " + (o == null ? "null" : o.getClass().getName()));
            }
        }
        if (format == null || !format.matches("[A-Za-z0-9._/-]{1,100}")) {
            throw new IllegalArgumentException("a map state format is 1 to 100 of [A-Za-z0-9._/-], not " + format);
        }
        if (ELEMENTS.equals(format)) {
            throw new IllegalArgumentException("format '" + ELEMENTS + "' is made with MapState.elements()");
        }
        return new MapState(format, elements, List.of(storage), 0, 0, List.of(), 0);
    }

    /** A builder of an {@link #ELEMENTS} state for maps of this definition. */
    public static Builder elements(MapDef def) {
        return new Builder(def.keySize(), def.valueBufSize());
    }

    /**
     * The {@link #ELEMENTS} state of a map that can be walked without changing it: every key from a
     * get_next_key walk that starts at NULL, with the value its lookup gives. The caller has
     * stopped writers (see {@link MapOps#exportState}); a walk longer than max_entries, which only
     * a changing map could give, fails.
     *
     * @throws IllegalStateException if the walk or a lookup fails
     */
    public static MapState walk(MapOps ops, MapDef def) {
        Builder b = elements(def);
        ByteBuffer key = ByteBuffer.allocate(Math.max(def.keySize(), 1));
        ByteBuffer next = ByteBuffer.allocate(Math.max(def.keySize(), 1));
        ByteBuffer value = ByteBuffer.allocate(Math.max(def.valueBufSize(), 1));
        long limit = Integer.toUnsignedLong(def.maxEntries());
        int r = ops.getNextKey(null, next);
        while (r == 0) {
            if (b.count >= limit) {
                throw new IllegalStateException("the walk went past max_entries (" + limit + "): the map changed");
            }
            int l = ops.lookupElem(next, value.clear(), 0);
            if (l == 0) {
                b.add(next, value);
            } else if (l != Errno.ENOENT.ret()) {
                throw new IllegalStateException("lookup during export failed: " + Errno.nameOf(l));
            }
            ByteBuffer t = key;
            key = next;
            next = t;
            r = ops.getNextKey(key, next.clear());
        }
        if (r != Errno.ENOENT.ret()) {
            throw new IllegalStateException("get_next_key during export failed: " + Errno.nameOf(r));
        }
        return b.build();
    }

    public String format() {
        return format;
    }

    /** The number of elements, for listings; {@code -1} when the storage's owner did not say. */
    public long elementCount() {
        return elements;
    }

    /** The objects handed over whole (empty for {@link #ELEMENTS}). */
    public List<Object> storage() {
        return storage;
    }

    /** The bytes this state keeps alive (elements or storage), for listings. */
    public long bytes() {
        long n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        for (Object o : storage) {
            if (o instanceof ByteBuffer bb) {
                n += bb.capacity();
            } else if (o instanceof long[] a) {
                n += 8L * a.length;
            } else if (o instanceof int[] a) {
                n += 4L * a.length;
            } else if (o instanceof byte[] a) {
                n += a.length;
            }
        }
        return n;
    }

    /** Called with each element of an {@link #ELEMENTS} state; a non-zero return stops the walk. */
    @FunctionalInterface
    public interface ElementVisitor {
        int element(ByteBuffer key, ByteBuffer value);
    }

    /**
     * Visits the elements in order. The buffers are read-only views, valid during the call, of
     * key_size and value buffer size bytes (a key of size 0 is an empty buffer).
     *
     * @return 0, or the first non-zero value a visit returned
     */
    public int forEach(ElementVisitor v) {
        long left = elements;
        int rec = keySize + valueSize;
        for (byte[] c : chunks) {
            ByteBuffer all = ByteBuffer.wrap(c).asReadOnlyBuffer();
            for (int i = 0; i < perChunk && left > 0 && (i + 1) * rec <= c.length; i++, left--) {
                int at = i * rec;
                int r = v.element(all.slice(at, keySize), all.slice(at + keySize, valueSize));
                if (r != 0) {
                    return r;
                }
            }
        }
        return 0;
    }

    /**
     * Replays the elements into freshly allocated ops with UPDATE and BPF_ANY, in order: what
     * {@link MapProvider#restore} does by default. A map whose key_size is 0 (queue, stack) gets a
     * NULL key, as through bpf().
     *
     * @return 0, or the negated errno of the first update that failed
     */
    public int replay(MapOps ops) {
        return forEach((k, v) -> ops.updateElem(keySize == 0 ? null : k, v, BpfFlags.ANY));
    }

    /** Collects the elements of a map in order, each copied when added. */
    public static final class Builder {
        private final int keySize;
        private final int valueSize;
        private final int perChunk;
        private final List<byte[]> chunks = new ArrayList<>();
        private long count;

        Builder(int keySize, int valueSize) {
            this.keySize = keySize;
            this.valueSize = valueSize;
            int rec = Math.max(1, keySize + valueSize);
            this.perChunk = Math.max(1, CHUNK / rec);
        }

        /** Adds one element: key_size bytes of {@code key} (ignored for key_size 0) and the value buffer's bytes. */
        public Builder add(ByteBuffer key, ByteBuffer value) {
            int rec = keySize + valueSize;
            int i = (int) (count % perChunk);
            if (i == 0) {
                // a small map keeps a small state: the chunk grows by doubling up to perChunk records
                chunks.add(new byte[Math.min(perChunk, 16) * rec]);
            }
            byte[] c = chunks.get(chunks.size() - 1);
            if ((i + 1) * rec > c.length) {
                c = java.util.Arrays.copyOf(c, Math.min(perChunk, 2 * i) * rec);
                chunks.set(chunks.size() - 1, c);
            }
            int at = i * rec;
            if (keySize > 0) {
                key.get(key.position(), c, at, keySize);
            }
            value.get(value.position(), c, at + keySize, valueSize);
            count++;
            return this;
        }

        public MapState build() {
            return new MapState(ELEMENTS, count, List.of(), keySize, valueSize, List.copyOf(chunks), perChunk);
        }
    }
}
