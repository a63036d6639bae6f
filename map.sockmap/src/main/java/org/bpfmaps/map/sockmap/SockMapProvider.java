package org.bpfmaps.map.sockmap;

import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketRule;
import org.bpfmaps.core.sock.SocketState;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ObjectHost;
import org.osgi.service.component.annotations.Component;

/**
 * SOCKMAP and SOCKHASH (net/core/sock_map.c) over the core's socket layer: a value written is a
 * socket fd of the map's instance, what is stored is the socket; user space reads back its cookie.
 *
 * <p>The table lets every size through: {@code sock_map_alloc} and {@code sock_hash_alloc} check
 * everything themselves, every EINVAL before SOCKHASH's key_size E2BIG, which {@link #allocCheck}
 * follows. No batch commands and no lookup_and_delete (the core answers ENOTSUPP), freeze allowed.
 */
@Component(service = MapProvider.class, property = {MapProvider.MAP_TYPES + "=sockmap",
    MapProvider.MAP_TYPES + "=sockhash"})
public final class SockMapProvider implements MapProvider {
    /** {@code SOCK_CREATE_FLAG_MASK}: NUMA and the user-space access flags (the core removed the latter). */
    static final int FLAG_MASK = BpfFlags.F_NUMA_NODE | BpfFlags.F_RDONLY | BpfFlags.F_WRONLY;
    /** {@code MAX_BPF_STACK}: the largest SOCKHASH key. */
    static final int MAX_KEY = 512;
    /**
     * The kernel's sizes on 6.18 x86-64, for memlock as {@code sock_map_mem_usage} and
     * {@code sock_hash_mem_usage} count it (measured with fdinfo: a SOCKMAP of n slots is
     * 376 + 8n; a SOCKHASH is 384 + 16 per bucket, buckets being max_entries rounded up to a power
     * of two, + 48 + key_size rounded up to 8 per element it holds).
     */
    static final long STAB = 376;
    static final long SLOT = 8;
    static final long SHTAB = 384;
    static final long BUCKET = 16;
    static final long SHTAB_ELEM = 48;
    /**
     * What an element of a SOCKHASH takes on the heap beside its key bytes: the map's node, the key
     * object and its array header, the entry: charged to the budget at max_entries.
     */
    static final long HEAP_ELEM = 128;

    /**
     * The sockets both types take ({@code sock_map_sk_is_suitable}, {@code sock_map_sk_state_allowed}):
     * TCP established or listening (an accepted socket may still read SYN_RECV), UDP once bound,
     * a connected Unix stream socket, any open Unix datagram socket. Recorded on 6.18 in
     * kernel-6.18.json and sockmap-extra-6.18.json (CLOSE_WAIT, CLOSE, bound-only TCP, unbound UDP:
     * EOPNOTSUPP, before the flags).
     */
    static final SocketRule SOCKETS = SocketRule.builder()
            .take(SocketKind.TCP, "not connected or listening", SocketState.ESTABLISHED, SocketState.LISTEN,
                    SocketState.SYN_RECV)
            .takeWhileBound(SocketKind.UDP, "not bound")
            .take(SocketKind.UNIX_STREAM, "not connected", SocketState.ESTABLISHED)
            .take(SocketKind.UNIX_DGRAM, "closed")
            .build();

    static final MapTypeTraits SOCKMAP = traits(MapType.SOCKMAP);
    static final MapTypeTraits SOCKHASH = traits(MapType.SOCKHASH);

    private static MapTypeTraits traits(MapType type) {
        return MapTypeTraits.of(type)
                .flagMask(~0)
                .keySize(0, 0xffff_ffffL)
                .valueSize(0, 0xffff_ffffL, Errno.EINVAL)
                .maxEntriesMin(0)
                .socketValue(SOCKETS)
                .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM,
                        BpfCmd.MAP_GET_NEXT_KEY)
                .build();
    }

    @Override
    public List<MapTypeTraits> types() {
        return List.of(SOCKMAP, SOCKHASH);
    }

    /** {@code sock_map_alloc} / {@code sock_hash_alloc}, in their order. */
    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        String t = def.type().bpftoolName().replace("%", "%%");
        long ks = Integer.toUnsignedLong(def.keySize());
        long vs = Integer.toUnsignedLong(def.valueSize());
        if (def.maxEntries() == 0) {
            return err.fail(Errno.EINVAL, "max_entries 0: a " + t + " needs at least 1");
        }
        if (def.type() == MapType.SOCKMAP ? ks != 4 : ks == 0) {
            return err.fail(Errno.EINVAL, def.type() == MapType.SOCKMAP ? "key_size %d: a sockmap's key is a "
                    + "4-byte index" : "key_size %d: a sockhash needs a key", ks);
        }
        if (vs != 4 && vs != 8) {
            return err.fail(Errno.EINVAL, "value_size %d: a " + t + " value is a socket fd of 4 or 8 bytes", vs);
        }
        if ((def.mapFlags() & ~FLAG_MASK) != 0) {
            return err.fail(Errno.EINVAL, "map_flags 0x%x: a " + t + " accepts only 0x%x", def.mapFlags(), FLAG_MASK);
        }
        if (ks > MAX_KEY) {
            return err.fail(Errno.E2BIG, "key_size %d: sockhash keys are at most %d bytes", ks, MAX_KEY);
        }
        return 0;
    }

    @Override
    public long memoryUsage(MapDef def) {
        return def.type() == MapType.SOCKMAP ? STAB + Integer.toUnsignedLong(def.maxEntries()) * SLOT
                : hashBytes(def, 0);
    }

    /** A SOCKHASH's memlock with {@code count} elements: it grows as sockets come, as the kernel's. */
    static long hashBytes(MapDef def, long count) {
        long buckets = Long.highestOneBit(Math.max(1, Integer.toUnsignedLong(def.maxEntries()) * 2 - 1));
        return SHTAB + buckets * BUCKET + count * (SHTAB_ELEM + roundUp8(def.keySize()));
    }

    private static long roundUp8(int n) {
        return (Integer.toUnsignedLong(n) + 7) & ~7L;
    }

    /** A SOCKHASH is charged at its fullest, so that an insert never finds the budget spent. */
    @Override
    public MapFootprint footprint(MapDef def) {
        long n = Integer.toUnsignedLong(def.maxEntries());
        return MapFootprint.heap(def.type() == MapType.SOCKMAP ? memoryUsage(def)
                : hashBytes(def, 0) + n * (HEAP_ELEM + roundUp8(def.keySize())));
    }

    @Override
    public MapOps alloc(MapDef def) {
        return alloc(def, null);
    }

    @Override
    public MapOps alloc(MapDef def, ObjectHost host) {
        return new SockMapOps(def, host);
    }

    /** A map whose state holds cookies: each socket found again through the core, closed ones dropped. */
    @Override
    public MapOps restore(MapDef def, MapState state, ErrorSink err, ObjectHost host) {
        if (!SockMapOps.FORMAT.equals(state.format())) {
            err.fail(Errno.EINVAL, "state format '" + state.format() + "' is not " + SockMapOps.FORMAT);
            return null;
        }
        SockMapOps ops = new SockMapOps(def, host);
        ops.adopt(state);
        return ops;
    }
}
