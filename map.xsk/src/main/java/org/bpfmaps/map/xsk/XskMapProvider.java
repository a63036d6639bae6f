package org.bpfmaps.map.xsk;

import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.SocketKind;
import org.bpfmaps.core.sock.SocketRule;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ObjectHost;
import org.osgi.service.component.annotations.Component;

/**
 * XSKMAP (net/xdp/xskmap.c): slots by index holding AF_XDP sockets of the core's socket layer
 * ({@link org.bpfmaps.core.xdp.XdpSocket}), written from user space with a socket fd, read only
 * by XDP programs ({@code bpf_redirect_map}): a lookup from user space is EOPNOTSUPP.
 *
 * <p>The table lets every size and flag through: {@code xsk_map_alloc} checks them all itself
 * ({@link #allocCheck}). The update's flags are checked by the core first, as
 * {@code xsk_map_update_elem} does (flags, then index, then the fd: measured on 6.18, flags 3 with
 * a bad fd is EINVAL, an index out of range with a bad fd E2BIG), so the type has no
 * {@link MapTypeTraits.Builder#socketValue} rule, which would put the socket before the flags: a
 * detached XSKMAP answers EINVAL for bad flags and ENODEV for the rest, the index being the
 * provider's. No batch commands and no lookup_and_delete (the core answers ENOTSUPP), freeze
 * allowed.
 */
@Component(service = MapProvider.class, property = MapProvider.MAP_TYPES + "=xskmap")
public final class XskMapProvider implements MapProvider {
    /** The flags {@code xsk_map_alloc} accepts: NUMA and the user-space access flags. */
    static final int FLAG_MASK = BpfFlags.F_NUMA_NODE | BpfFlags.F_RDONLY | BpfFlags.F_WRONLY;
    /**
     * The kernel's sizes on 6.18 x86-64 for memlock as {@code xsk_map_mem_usage} counts it,
     * measured with fdinfo (python ctypes bpf(2)): {@code struct xsk_map} is 304 bytes and 8 per
     * slot (1 slot: 312, 4: 336, 1000: 8304), and every element adds its {@code xsk_map_node} of 32
     * bytes (an 8-slot map: 368 empty, 400 with one socket, 432 with two; replacing a socket or
     * writing the same one again adds nothing, a delete or the socket's close gives it back).
     */
    static final long XSK_MAP = 304;
    static final long SLOT = 8;
    static final long NODE = 32;
    /** What an element takes on the heap beside its slot: the entry object, charged at max_entries. */
    static final long HEAP_ELEM = 32;

    /**
     * The sockets an XSKMAP takes: AF_XDP sockets, bound or not, while open
     * ({@code sk_family != PF_XDP}: EOPNOTSUPP). Used by the ops for the kind, after their own
     * reading of the fd (a u32, EBADF above S32_MAX rather than sockmap's EINVAL).
     */
    static final SocketRule SOCKETS = SocketRule.builder().take(SocketKind.XDP, "closed").build();

    static final MapTypeTraits XSKMAP = MapTypeTraits.of(MapType.XSKMAP)
            .flagMask(~0)
            .keySize(0, 0xffff_ffffL)
            .valueSize(0, 0xffff_ffffL, Errno.EINVAL)
            .maxEntriesMin(0)
            .commands(BpfCmd.MAP_LOOKUP_ELEM, BpfCmd.MAP_UPDATE_ELEM, BpfCmd.MAP_DELETE_ELEM, BpfCmd.MAP_GET_NEXT_KEY)
            .build();

    @Override
    public List<MapTypeTraits> types() {
        return List.of(XSKMAP);
    }

    /** {@code xsk_map_alloc}: one test, every failure EINVAL. */
    @Override
    public int allocCheck(MapDef def, ErrorSink err) {
        if (def.maxEntries() == 0) {
            return err.fail(Errno.EINVAL, "max_entries 0: an xskmap needs at least 1 slot");
        }
        if (def.keySize() != 4) {
            return err.fail(Errno.EINVAL, "key_size %d: an xskmap's key is a 4-byte index",
                    Integer.toUnsignedLong(def.keySize()));
        }
        if (def.valueSize() != 4) {
            return err.fail(Errno.EINVAL, "value_size %d: an xskmap's value is a 4-byte AF_XDP socket fd",
                    Integer.toUnsignedLong(def.valueSize()));
        }
        if ((def.mapFlags() & ~FLAG_MASK) != 0) {
            return err.fail(Errno.EINVAL, "map_flags 0x%x: an xskmap accepts only 0x%x",
                    Integer.toUnsignedLong(def.mapFlags()), FLAG_MASK);
        }
        return 0;
    }

    /** The memlock of an empty map; {@link XskMapOps#memoryInUse} adds the elements. */
    @Override
    public long memoryUsage(MapDef def) {
        return bytes(def, 0);
    }

    /** An XSKMAP's memlock with {@code count} elements, as {@code xsk_map_mem_usage}. */
    static long bytes(MapDef def, long count) {
        return XSK_MAP + Integer.toUnsignedLong(def.maxEntries()) * SLOT + count * NODE;
    }

    /** Charged at its fullest, so that an insert never finds the budget spent. */
    @Override
    public MapFootprint footprint(MapDef def) {
        long n = Integer.toUnsignedLong(def.maxEntries());
        return MapFootprint.heap(bytes(def, n) + n * HEAP_ELEM);
    }

    @Override
    public MapOps alloc(MapDef def) {
        return alloc(def, null);
    }

    @Override
    public MapOps alloc(MapDef def, ObjectHost host) {
        return new XskMapOps(def, host);
    }

    /** A map whose state holds cookies: each XSK socket found again through the core, closed ones dropped. */
    @Override
    public MapOps restore(MapDef def, MapState state, ErrorSink err, ObjectHost host) {
        if (!XskMapOps.FORMAT.equals(state.format())) {
            err.fail(Errno.EINVAL, "state format '" + state.format().replace("%", "%%") + "' is not "
                    + XskMapOps.FORMAT);
            return null;
        }
        XskMapOps ops = new XskMapOps(def, host);
        ops.adopt(state);
        return ops;
    }
}
