package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.MapInfo;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;

/**
 * The socket behind an element of a map that holds sockets (SOCKMAP, SOCKHASH), as a note under
 * the element in plain output: where bpftool shows a sockmap's value as a cookie, or only
 * {@code No space left on device} when the value is 4 bytes. Shown by the rule of CIDR keys
 * ({@link KeyWords}): for people, on a console or with {@code -C}; never in JSON, so that piped
 * plain output and JSON stay bpftool's. The shell knows no map type: any map whose elements the
 * instance lists as a socket's ({@link Sockets#slots}) gets the notes.
 */
final class SocketNotes {
    private final Bpf bpf;
    private final boolean show;
    /** The map whose elements {@link #index} covers, and its elements' keys to socket fds. */
    private int mapId;
    private Map<ByteBuffer, Integer> index;

    SocketNotes(Bpf bpf, boolean show) {
        this.bpf = bpf;
        this.show = show;
    }

    /** The note under the element at {@code key} of the map, or null (not shown, or no socket there). */
    String note(MapInfo info, byte[] key) {
        if (!show || key == null) {
            return null;
        }
        if (index == null || mapId != info.id()) {
            index = indexOf(info.id());
            mapId = info.id();
        }
        Integer fd = index.get(ByteBuffer.wrap(key));
        BpfSocket s = fd == null ? null : Sockets.byFd(bpf, fd);
        if (s == null) {
            return null;
        }
        SocketText.View v = SocketText.View.of(bpf, fd, s); // reads the state: a closed socket has left
        return v.maps().contains(new MapSlot(info.id(), key)) ? SocketText.note(v) : null;
    }

    /** The keys of the map's elements that hold a socket of the instance, to the socket's fd. */
    private Map<ByteBuffer, Integer> indexOf(int id) {
        Map<ByteBuffer, Integer> out = new HashMap<>();
        SortedMap<Integer, BpfSocket> sockets = Sockets.list(bpf);
        sockets.forEach((fd, s) -> {
            for (MapSlot m : Sockets.slots(bpf, s)) {
                if (m.mapId() == id) {
                    out.putIfAbsent(ByteBuffer.wrap(m.key()), fd);
                }
            }
        });
        return out;
    }
}
