package org.bpfmaps.core.api;

import java.nio.ByteBuffer;

/**
 * The attr of the element commands (MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM,
 * MAP_GET_NEXT_KEY, MAP_LOOKUP_AND_DELETE_ELEM) and of MAP_FREEZE, which reads only
 * {@link #mapFd}.
 *
 * <p>Buffers stand for the kernel's user pointers: a command reads or writes exactly the map's key
 * or value size starting at the buffer's position, in place, and never moves the position or
 * limit. A null buffer is a NULL pointer; a buffer with fewer bytes remaining than the command
 * needs answers EFAULT, as a pointer to too small an area would. The buffers' byte order does not
 * matter: bytes are copied as they are.
 */
public final class MapElemAttr extends BpfAttr {
    public int mapFd;
    public ByteBuffer key;
    /** The value to write (update) or the place to read it into (lookup). */
    public ByteBuffer value;
    /** Where MAP_GET_NEXT_KEY writes the next key. */
    public ByteBuffer nextKey;
    public long flags;

    public MapElemAttr() {
    }

    public MapElemAttr(int mapFd) {
        this.mapFd = mapFd;
    }

    /** Sets the fields of one call and clears the others, for reuse without allocation. */
    public MapElemAttr set(int mapFd, ByteBuffer key, ByteBuffer value, long flags) {
        this.mapFd = mapFd;
        this.key = key;
        this.value = value;
        this.nextKey = null;
        this.flags = flags;
        return this;
    }
}
