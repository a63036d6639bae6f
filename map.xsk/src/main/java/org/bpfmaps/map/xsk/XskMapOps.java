package org.bpfmaps.map.xsk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketLink;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.xdp.XskMapLookup;

/**
 * One XSKMAP ({@code xsk_map_*}, net/xdp/xskmap.c): a slot per index, each empty or holding an
 * AF_XDP socket. Writers take the map's lock ({@code m->lock}); every element has its own close
 * listener on its socket ({@code xsk_map_node}, on the socket's {@code map_list}), registered when
 * it is inserted and removed when it is deleted, replaced or the map freed, which empties the slot
 * when the socket closes ({@code xsk_delete_from_maps} from {@code xsk_release}).
 *
 * <p>XDP programs read the slots through {@link #xskAt} ({@code bpf_redirect_map}), without a lock:
 * each entry holds its {@link XdpSocket}, resolved once at insert.
 */
final class XskMapOps implements MapOps, XskMapLookup {
    /** Acquire reads of {@link #slots} for the data path, which takes no lock. */
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Entry[].class);

    static final String FORMAT = "org.bpfmaps.xskmap.cookies/1";

    private final MapDef def;
    private final ObjectHost host;
    private final int max;
    /** Slot index to entry (null when empty). Guarded by this for writes. */
    private final Entry[] slots;
    /** Occupied slots: the kernel's {@code m->count} of nodes, for memlock. Guarded by this. */
    private int count;
    /** The reason of the last failure, with its command and errno, for {@link #why}. */
    private volatile Failure lastFailure;
    private boolean freed;

    /** One element: its socket and the listener that empties its slot when the socket closes. */
    private final class Entry implements SocketLink {
        final int index;
        final BpfSocket sock;
        /** The XSK socket {@code sock} is (the map takes XSK sockets only), for the data path. */
        final XdpSocket xsk;

        Entry(int index, BpfSocket sock) {
            this.index = index;
            this.sock = sock;
            this.xsk = XdpSocket.of(sock);
        }

        @Override
        public void run() {
            unlink(this);
        }

        @Override
        public MapOps map() {
            return XskMapOps.this;
        }

        @Override
        public byte[] key() {
            byte[] k = new byte[4];
            Bytes.putInt(ByteBuffer.wrap(k), 0, index);
            return k;
        }
    }

    private record Failure(BpfCmd cmd, int err, String why) {
    }

    XskMapOps(MapDef def, ObjectHost host) {
        this.def = def;
        this.host = host;
        this.max = def.maxEntries();
        this.slots = new Entry[max];
    }

    private static long index(ByteBuffer key) {
        return Integer.toUnsignedLong(Bytes.getInt(key, key.position()));
    }

    /**
     * {@code __xsk_map_lookup_elem}: the socket at an index for {@code bpf_redirect_map}; null out
     * of range (the u32 index) or for an empty slot. Lock-free: an acquire read of the slot, whose
     * entry is immutable.
     */
    @Override
    public XdpSocket xskAt(int index) {
        if (Integer.toUnsignedLong(index) >= max) {
            return null;
        }
        Entry e = (Entry) SLOT.getAcquire(slots, index);
        return e == null ? null : e.xsk;
    }

    /** {@code xsk_map_lookup_elem_sys_only}: only XDP programs read an XSKMAP, whatever the index. */
    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        return fail(BpfCmd.MAP_LOOKUP_ELEM, Errno.EOPNOTSUPP,
                "an xskmap is read by XDP programs only: no lookup from user space");
    }

    /**
     * {@code xsk_map_update_elem}: the core has checked the flags (above BPF_EXIST: EINVAL); then
     * the index, then the fd ({@code sockfd_lookup}: EBADF, ENOTSOCK), then the socket's family
     * (EOPNOTSUPP); the same socket in the slot already is a success whatever the flags.
     */
    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        long i = index(key);
        if (i >= max) {
            return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.E2BIG, "index " + i + " is beyond max_entries "
                    + Integer.toUnsignedLong(max));
        }
        long ufd = Integer.toUnsignedLong(Bytes.getInt(value, value.position()));
        if (ufd > Integer.MAX_VALUE) {
            // the u32 is passed to sockfd_lookup as an int: a negative fd, never open
            return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.EBADF, "fd " + ufd + " is not open");
        }
        int[] refused = {0};
        BpfSocket s = XskMapProvider.SOCKETS.socket(host, value, 4,
                (errno, why, a, b) -> refused[0] = fail(BpfCmd.MAP_UPDATE_ELEM, errno, String.format(why, a, b)));
        if (s == null) {
            return refused[0];
        }
        notice(at((int) i)); // outside the lock: a socket found closed runs its listeners, which lock maps
        Entry e = new Entry((int) i, s);
        Entry old;
        synchronized (this) {
            if (freed) {
                return Errno.ENODEV.ret();
            }
            old = slots[(int) i];
            if (old != null && old.sock == s) {
                return 0;
            }
            if (old != null && flags == BpfFlags.NOEXIST) {
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.EEXIST, "slot " + i + " holds another socket (BPF_NOEXIST)");
            }
            if (old == null && flags == BpfFlags.EXIST) {
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.ENOENT, "slot " + i + " holds no socket (BPF_EXIST)");
            }
            if (!s.onClose(e)) {
                // sockfd_lookup holds the socket in the kernel; here its last fd closed meanwhile
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.EBADF, "the socket closed meanwhile");
            }
            SLOT.setRelease(slots, (int) i, e);
            if (old == null) {
                count++;
            } else {
                old.sock.removeOnClose(old);
            }
        }
        return 0;
    }

    private synchronized Entry at(int i) {
        return slots[i];
    }

    /**
     * Reads whether the socket of an entry closed, which runs its listeners if it did (emptying
     * the slot), as the kernel's close would have. Called under no lock of the map's.
     */
    private static void notice(Entry e) {
        if (e != null) {
            e.sock.closed();
        }
    }

    /** {@code xsk_map_delete_elem}: an index out of range is EINVAL, an empty slot a success. */
    @Override
    public int deleteElem(ByteBuffer key) {
        long i = index(key);
        if (i >= max) {
            return fail(BpfCmd.MAP_DELETE_ELEM, Errno.EINVAL, "index " + i + " is beyond max_entries "
                    + Integer.toUnsignedLong(max));
        }
        synchronized (this) {
            Entry old = slots[(int) i];
            if (old != null) {
                clear(old);
                old.sock.removeOnClose(old);
            }
        }
        return 0;
    }

    /** The close listener of {@code e}: empties its slot if it still holds it. */
    private synchronized void unlink(Entry e) {
        clear(e);
    }

    private synchronized void clear(Entry e) {
        if (slots[e.index] == e) {
            SLOT.setRelease(slots, e.index, (Entry) null);
            count--;
        }
    }

    /** {@code xsk_map_get_next_key}: every index, as an array; a key out of range (or none) restarts at 0. */
    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        long i = key == null ? -1 : index(key);
        long n = i >= max ? 0 : i + 1;
        if (n >= max) {
            return Errno.ENOENT.ret();
        }
        Bytes.putInt(nextKey, nextKey.position(), (int) n);
        return 0;
    }

    /** {@code xsk_map_mem_usage}: the slots and a node per element. */
    @Override
    public synchronized long memoryInUse() {
        return XskMapProvider.bytes(def, count);
    }

    private int fail(BpfCmd cmd, Errno errno, String why) {
        lastFailure = new Failure(cmd, errno.ret(), why);
        return errno.ret();
    }

    @Override
    public String why(BpfCmd cmd, int err) {
        Failure f = lastFailure;
        return f == null || f.cmd != cmd || f.err != err ? null : f.why.replace("%", "%%");
    }

    /** The indices and cookies: what identifies each socket across a provider's update. */
    @Override
    public synchronized MapState exportState(MapDef d) {
        List<Entry> all = new ArrayList<>();
        for (Entry e : slots) {
            if (e != null) {
                all.add(e);
            }
        }
        int[] indices = new int[all.size()];
        long[] cookies = new long[all.size()];
        for (int k = 0; k < all.size(); k++) {
            indices[k] = all.get(k).index;
            cookies[k] = all.get(k).sock.cookie();
        }
        freed = true; // no write after the export: late ones answer ENODEV
        return MapState.ofStorage(FORMAT, all.size(), indices, cookies);
    }

    /**
     * Takes back a state's sockets that are still open XSK sockets; those closed while the map was
     * detached are dropped, as their close would have emptied the slot.
     */
    void adopt(MapState state) {
        int[] indices = (int[]) state.storage().get(0);
        long[] cookies = (long[]) state.storage().get(1);
        for (int k = 0; k < cookies.length; k++) {
            BpfSocket s = Sockets.byCookie(cookies[k]);
            if (s == null || s.closed() || XdpSocket.of(s) == null || Integer.toUnsignedLong(indices[k]) >= max) {
                continue;
            }
            Entry e = new Entry(indices[k], s);
            synchronized (this) {
                if (slots[e.index] == null && s.onClose(e)) {
                    SLOT.setRelease(slots, e.index, e);
                    count++;
                }
            }
        }
    }

    @Override
    public synchronized void free() {
        freed = true;
        for (Entry e : slots) {
            if (e != null) {
                e.sock.removeOnClose(e);
            }
        }
        Arrays.fill(slots, null);
        count = 0;
    }
}
