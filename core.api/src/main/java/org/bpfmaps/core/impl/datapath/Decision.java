package org.bpfmaps.core.impl.datapath;

import java.nio.ByteBuffer;
import org.bpfmaps.core.impl.MapObject;

/**
 * Where a message goes: a socket's read side (ingress) or out of it, or nowhere. Each owned socket
 * keeps its two ({@link Owned#to}), so that deciding a message allocates nothing.
 */
record Decision(Owned target, boolean ingress) {
    static final Decision DROP = new Decision(null, false);
    /** The redirect's map is detached: the message waits for it ({@link Paused}). */
    static final Decision PAUSE = new Decision(null, false);

    /** A redirect through a map that was detached: looked up again when the map is back. */
    record Paused(MapObject map, ByteBuffer key, boolean ingress) {
    }
}
