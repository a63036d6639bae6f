package org.bpfmaps.map.sockmap;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.SocketLink;
import org.bpfmaps.core.sock.SocketMapLookup;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapPrograms;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ProgAttachOps;

/**
 * One SOCKMAP (slots by index, {@code sock_map_*}) or SOCKHASH (keys, {@code sock_hash_*}). Writers
 * take the map's lock; every entry has its own close listener on its socket, registered when it is
 * inserted and removed when the entry is deleted, replaced or the map freed, which takes the entry
 * out when the socket closes (the kernel's {@code sock_map_unref} from {@code sock_map_close}).
 *
 * <p>A socket's state is read outside the lock (a read may run close listeners, which take the
 * locks of the maps the socket is in); an entry whose socket closed between that read and its
 * listener's registration is taken out again.
 */
final class SockMapOps implements MapOps, ProgAttachOps, SocketMapLookup {
    static final String FORMAT = "org.bpfmaps.sockmap.cookies/1";

    private final MapDef def;
    private final ObjectHost host;
    private final boolean array;
    private final int max;
    /** SOCKMAP: slot index to entry (null when empty). Guarded by this for writes. */
    private final Entry[] slots;
    /** SOCKHASH: key to entry, in insertion order. Guarded by this. */
    private final Map<Key, Entry> hash = new LinkedHashMap<>();
    /**
     * The reason of the last failure, for {@link #why}: its command and errno are kept with it, so
     * that a reason is only ever given for the failure it describes.
     */
    private volatile Failure lastFailure;
    private boolean freed;
    /** The state went to the core (a provider update): free() then leaves the sockets' programs alone. */
    private boolean exported;
    /** The map's programs, kept by the core; read at each insert ({@code sock_map_link}). */
    private volatile MapPrograms progs;

    @Override
    public void bindPrograms(MapPrograms programs) {
        this.progs = programs;
    }

    /**
     * One element: its socket and the listener that takes it out when the socket closes, which
     * also names this map and the key, for listings of the maps a socket is in.
     */
    private final class Entry implements SocketLink {
        final Object where;
        final BpfSocket sock;

        Entry(Object where, BpfSocket sock) {
            this.where = where;
            this.sock = sock;
        }

        @Override
        public void run() {
            unlink(this);
        }

        @Override
        public MapOps map() {
            return SockMapOps.this;
        }

        @Override
        public byte[] key() {
            if (!array) {
                return ((Key) where).b().clone();
            }
            byte[] k = new byte[4];
            Bytes.putInt(ByteBuffer.wrap(k), 0, (Integer) where);
            return k;
        }
    }

    /** A SOCKHASH key: its bytes, compared by content. */
    private record Key(byte[] b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(b, k.b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(b);
        }
    }

    SockMapOps(MapDef def, ObjectHost host) {
        this.def = def;
        this.host = host;
        this.array = def.type() == MapType.SOCKMAP;
        this.max = def.maxEntries();
        this.slots = array ? new Entry[max] : null;
        this.probe = new Key(new byte[def.keySize()]);
    }

    /** The key {@link #at} looks up with, refilled each time under the map's lock; never stored. */
    private final Key probe;

    private Key key(ByteBuffer k) {
        byte[] b = new byte[def.keySize()];
        k.get(k.position(), b);
        return new Key(b);
    }

    /** The socket in a place, or null; a socket found closed leaves (its listeners) and reads as null. */
    /** A SOCKHASH's memlock follows its elements ({@code sock_hash_mem_usage}); a SOCKMAP's is fixed. */
    @Override
    public long memoryInUse() {
        if (array) {
            return -1;
        }
        synchronized (this) {
            return SockMapProvider.hashBytes(def, hash.size());
        }
    }

    private BpfSocket live(Entry e) {
        if (e == null) {
            return null;
        }
        return gone(e.sock) || !current(e) ? null : e.sock;
    }

    /**
     * A socket that left every map: closed. A TCP socket in CLOSE (a reset, or FINs both ways) is
     * not: the kernel keeps it until its close (sock_map_close; 6.18 has no unhash hook).
     */
    private static boolean gone(BpfSocket s) {
        return s.closed();
    }

    private synchronized boolean current(Entry e) {
        return array ? slots[(Integer) e.where] == e : hash.get((Key) e.where) == e;
    }

    /**
     * The redirect helpers' lookup ({@code __sock_map_lookup_elem}, {@code __sock_hash_lookup_elem}):
     * the live socket at the key, or null (no element, a short key, a closed socket).
     */
    @Override
    public BpfSocket socketAt(ByteBuffer key) {
        if (key == null || key.remaining() < def.keySize()) {
            return null;
        }
        return live(at(key));
    }

    private synchronized Entry at(ByteBuffer key) {
        if (array) {
            long i = Integer.toUnsignedLong(Bytes.getInt(key, key.position()));
            return i < max ? slots[(int) i] : null;
        }
        // the redirect helpers' lookup runs per message: a probe key of the map's, under its lock,
        // instead of a new one each time
        key.get(key.position(), probe.b());
        return hash.get(probe);
    }

    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        if (def.valueSize() != 8) {
            // sock_map_lookup_sys: only a u64 can hold the cookie, whatever the slot holds
            return fail(BpfCmd.MAP_LOOKUP_ELEM, Errno.ENOSPC,
                    "a lookup from user space returns the socket's cookie: value_size must be 8, not 4");
        }
        BpfSocket s = live(at(key));
        if (s == null) {
            return Errno.ENOENT.ret();
        }
        Bytes.putLong(value, value.position(), s.cookie());
        return 0;
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        // sock_map_update_elem_sys: the fd first, then the socket (the rule the core also applies
        // to a detached map), then flags and index
        int[] refused = {0};
        BpfSocket s = SockMapProvider.SOCKETS.socket(host, value, def.valueSize(),
                (errno, why, a, b) -> refused[0] = fail(BpfCmd.MAP_UPDATE_ELEM, errno, String.format(why, a, b)));
        if (s == null) {
            return refused[0];
        }
        if (Long.compareUnsigned(flags, BpfFlags.EXIST) > 0) {
            return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.EINVAL, "flags " + Long.toUnsignedString(flags)
                    + ": an update takes BPF_ANY (0), BPF_NOEXIST (1) or BPF_EXIST (2)");
        }
        Object where;
        if (array) {
            long i = Integer.toUnsignedLong(Bytes.getInt(key, key.position()));
            if (i >= max) {
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.E2BIG, "index " + i + " is beyond max_entries " + max);
            }
            where = (int) i;
        } else {
            where = key(key);
        }
        if (!array && full((Key) where)) {
            sweep(); // sockets closed but not yet noticed must not make the hash look full
        }
        Entry e = new Entry(where, s);
        Entry old;
        synchronized (this) {
            if (freed) {
                return Errno.ENODEV.ret();
            }
            // sock_map_update_common: sock_map_link first, then the key's rules
            String[] why = {null};
            int linked = SockLink.link(progs, s, why);
            if (linked != 0) {
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.of(linked), why[0]);
            }
            old = array ? slots[(Integer) where] : hash.get((Key) where);
            String keyRule = old != null && flags == BpfFlags.NOEXIST ? "the key holds a socket already (BPF_NOEXIST)"
                    : old == null && flags == BpfFlags.EXIST ? "the key holds no socket (BPF_EXIST)"
                    : !array && old == null && hash.size() >= max ? "the sockhash is full (max_entries " + max + ")"
                    : null;
            if (keyRule != null) {
                SockLink.unlinkFailed(s);
                return fail(BpfCmd.MAP_UPDATE_ELEM, keyRule.startsWith("the key holds a") ? Errno.EEXIST
                        : keyRule.startsWith("the key holds no") ? Errno.ENOENT : Errno.E2BIG, keyRule);
            }
            if (!s.onClose(e)) {
                SockLink.unlinkFailed(s);
                return fail(BpfCmd.MAP_UPDATE_ELEM, Errno.EOPNOTSUPP, "the socket closed meanwhile");
            }
            if (array) {
                slots[(Integer) where] = e;
            } else {
                hash.put((Key) where, e);
            }
            if (old != null) {
                old.sock.removeOnClose(old);
                SockLink.unlink(progs, old.sock);
            }
        }
        return 0;
    }

    private record Failure(BpfCmd cmd, int err, String why) {
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

    @Override
    public int deleteElem(ByteBuffer key) {
        Entry old;
        synchronized (this) {
            if (array) {
                long i = Integer.toUnsignedLong(Bytes.getInt(key, key.position()));
                old = i < max ? slots[(int) i] : null;
                if (old == null) {
                    // sock_map_delete_elem: an empty slot and an index out of range are both EINVAL
                    return fail(BpfCmd.MAP_DELETE_ELEM, Errno.EINVAL, i < max ? "slot " + i + " holds no socket"
                            : "index " + i + " is beyond max_entries " + max);
                }
                slots[(int) i] = null;
            } else {
                old = hash.remove(key(key));
                if (old == null) {
                    return fail(BpfCmd.MAP_DELETE_ELEM, Errno.ENOENT, "no such key");
                }
            }
            old.sock.removeOnClose(old);
            SockLink.unlink(progs, old.sock);
        }
        return 0;
    }

    private synchronized boolean full(Key k) {
        return hash.size() >= max && !hash.containsKey(k);
    }

    /**
     * Reads the state of every socket of the hash, outside the lock: one that closed since it was
     * last read leaves (its listener), as the kernel's close would already have taken it out.
     */
    private void sweep() {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(hash.values());
        }
        for (Entry e : all) {
            gone(e.sock);
        }
    }

    /** The close listener of {@code e}: takes it out if it is still there. */
    private synchronized void unlink(Entry e) {
        boolean removed;
        if (array) {
            removed = slots[(Integer) e.where] == e;
            if (removed) {
                slots[(Integer) e.where] = null;
            }
        } else {
            removed = hash.remove((Key) e.where, e);
        }
        if (removed) {
            SockLink.unlink(progs, e.sock);
        }
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        if (array) {
            // sock_map_get_next_key: every index, as an array; a key out of range restarts at 0
            long i = key == null ? -1 : Integer.toUnsignedLong(Bytes.getInt(key, key.position()));
            long n = i >= max ? 0 : i + 1;
            if (n >= max) {
                return Errno.ENOENT.ret();
            }
            Bytes.putInt(nextKey, nextKey.position(), (int) n);
            return 0;
        }
        // sock_hash_get_next_key: the key after this one, or the first when it is missing; closed sockets skipped
        while (true) {
            Entry next = nextEntry(key == null ? null : key(key));
            if (next == null) {
                return Errno.ENOENT.ret();
            }
            if (live(next) != null) {
                byte[] b = ((Key) next.where).b();
                nextKey.put(nextKey.position(), b);
                return 0;
            }
        }
    }

    private synchronized Entry nextEntry(Key after) {
        Iterator<Entry> it = hash.values().iterator();
        if (after != null && hash.containsKey(after)) {
            while (it.hasNext() && !it.next().where.equals(after)) {
                // skip up to the key
            }
        }
        return it.hasNext() ? it.next() : null;
    }

    /** The keys and cookies: what identifies each socket across a provider's update. */
    @Override
    public synchronized MapState exportState(MapDef d) {
        List<Entry> all = new ArrayList<>();
        if (array) {
            for (Entry e : slots) {
                if (e != null) {
                    all.add(e);
                }
            }
        } else {
            all.addAll(hash.values());
        }
        int ks = def.keySize();
        byte[] keys = new byte[all.size() * ks];
        long[] cookies = new long[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Entry e = all.get(i);
            if (array) {
                Bytes.putInt(ByteBuffer.wrap(keys), i * ks, (Integer) e.where);
            } else {
                System.arraycopy(((Key) e.where).b(), 0, keys, i * ks, ks);
            }
            cookies[i] = e.sock.cookie();
        }
        freed = true; // no write after the export: late ones answer ENODEV
        exported = true; // the sockets keep their links and programs for the next provider
        return MapState.ofStorage(FORMAT, all.size(), keys, cookies);
    }

    /** Takes back a state's sockets that are still open and acceptable, as the kernel would keep them. */
    void adopt(MapState state) {
        byte[] keys = (byte[]) state.storage().get(0);
        long[] cookies = (long[]) state.storage().get(1);
        int ks = def.keySize();
        for (int i = 0; i < cookies.length; i++) {
            BpfSocket s = Sockets.byCookie(cookies[i]);
            if (s == null || gone(s)) {
                continue; // closed while the map was detached
            }
            ByteBuffer k = ByteBuffer.wrap(keys, i * ks, ks).slice();
            Object where = array ? (Object) Bytes.getInt(k, 0) : key(k);
            Entry e = new Entry(where, s);
            synchronized (this) {
                if (!s.onClose(e)) {
                    continue;
                }
                if (array) {
                    slots[(Integer) where] = e;
                } else {
                    hash.put((Key) where, e);
                }
            }
        }
    }

    @Override
    public synchronized void free() {
        freed = true;
        List<Entry> all = new ArrayList<>();
        if (array) {
            for (Entry e : slots) {
                if (e != null) {
                    all.add(e);
                }
            }
            Arrays.fill(slots, null);
        } else {
            all.addAll(hash.values());
            hash.clear();
        }
        for (Entry e : all) {
            // a removed listener means the entry was still the socket's link: sock_map_free's unref
            if (e.sock.removeOnClose(e) && !exported) {
                SockLink.unlink(progs, e.sock);
            }
        }
    }
}
