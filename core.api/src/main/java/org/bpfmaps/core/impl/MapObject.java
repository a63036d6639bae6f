package org.bpfmaps.core.impl;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.MapFdInfo;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.ProgAttachOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.MapTypeTraits;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * A map in the object table: its definition and rules (kept by the core), and the provider's ops
 * that hold its elements. When the provider goes away the map is <em>detached</em>: the provider
 * exports the map's contents as a {@link MapState} (objects of the JDK only), the ops are dropped,
 * so that no class of the departed bundle stays reachable, and element commands answer ENODEV
 * while info, pins and close keep working. When a provider for the type returns, the core gives
 * it the state and the map is <em>re-attached</em>: same fds, id, pins, flags, frozen state, and
 * every element.
 */
public final class MapObject extends BpfObject {
    final MapDef def;
    /** The type's rules, from the provider serving the map (a newer one may support more). */
    volatile MapTypeTraits traits;
    /**
     * The heap bytes the core keeps for each map beyond what its provider states
     * ({@code MapProvider.footprint}), charged to the heap budget with it: this object, its fd's
     * {@link FdEntry} and slot in the fd table, its entries in the id space and in the instance's
     * set of maps, its {@link MapDef} and name, its lock and reference count. Measured: the heap
     * after a full collection, over 20,000 maps made and kept with an open fd each (see
     * docs/writing-a-provider.md, "Memory"), less the provider's own objects.
     */
    static final long BOOKKEEPING_BYTES = 400;

    /**
     * The heap a map is charged for a provider's heap figure: the figure, 1/64 more for what the
     * collector cannot use around the objects (G1 leaves the tail of a region empty when the next
     * object does not fit; measured: heaps of 20,000 small or 5 large maps came to 0.2% above
     * their providers' exact counts), and the core's bookkeeping.
     */
    static long heapCharge(long providerHeapBytes) {
        return Math.addExact(Math.addExact(providerHeapBytes, providerHeapBytes / 64), BOOKKEEPING_BYTES);
    }

    private final Instance owner;
    /** What the map was charged, heap (bookkeeping included) and direct. */
    private final MapFootprint charged;
    /** What memlock shows when the ops do not say ({@code MapProvider.memoryUsage}). */
    private final long memlock;
    /** The provider's ops, or null once detached. */
    volatile MapOps ops;
    /** The registry entry of the provider that made the map, or null once detached. */
    volatile ProviderRegistry.Entry provider;
    /**
     * The origin of the provider that made the map, kept after detaching, so that a listing can
     * say which bundle's maps were left behind when it stopped.
     */
    final String origin;
    volatile boolean frozen;
    /**
     * The programs attached to the map, or null for a map whose ops take none (decided at
     * creation, kept while detached: see {@link MapProgSlots} for why the core keeps them).
     */
    final MapProgSlots progs;
    /** The contents while detached, or null (attached, or lost: see {@link #refusal}). */
    volatile MapState state;
    /** Why the map is still detached, when a provider refused it or its export failed; else null. */
    volatile String refusal;
    /** Open writable mmap views (the kernel's {@code writecnt}); guarded by {@code this}. */
    int writableMappings;
    /** The typed handles' bound paths on this map's open fds; guarded by {@code this}. */
    private FastElemPath[] paths = {};

    /** The instance the map was made in: where the fds its values name are looked up. */
    Instance owner() {
        return owner;
    }

    MapObject(Instance owner, MapDef def, MapTypeTraits traits, MapOps ops, ProviderRegistry.Entry provider,
            MapFootprint charged, long memlock) {
        super(ObjectKind.MAP);
        this.owner = owner;
        this.def = def;
        this.traits = traits;
        this.ops = ops;
        this.provider = provider;
        this.origin = provider.origin();
        this.charged = charged;
        this.memlock = memlock;
        this.progs = ops instanceof ProgAttachOps ? new MapProgSlots() : null;
        bindPrograms(ops);
    }

    /** Gives the map's programs to ops that take them, before their first element command. */
    private void bindPrograms(MapOps o) {
        if (progs != null && o instanceof ProgAttachOps p) {
            try {
                p.bindPrograms(progs);
            } catch (RuntimeException | LinkageError e) {
                // the ops then see no programs at insert; attachments stay the core's
            }
        }
    }

    public MapDef def() {
        return def;
    }

    public boolean frozen() {
        return frozen;
    }

    public boolean detached() {
        return ops == null;
    }

    /** The map's flags as info reports them: the per-fd access flags are not the map's. */
    int infoFlags() {
        return def.mapFlags() & ~(BpfFlags.F_RDONLY | BpfFlags.F_WRONLY);
    }

    /**
     * The fdinfo lines bpftool reads: the definition, the memory the map takes as the kernel counts
     * it (what its ops say it holds now, or the provider's {@code memoryUsage}), frozen.
     */
    org.bpfmaps.core.api.MapFdInfo fdinfo() {
        MapOps o = ops;
        long inUse = o != null ? o.memoryInUse() : -1;
        return new org.bpfmaps.core.api.MapFdInfo(def.type().number(), def.keySize(), def.valueSize(),
                def.maxEntries(), infoFlags(), def.mapExtra(), inUse >= 0 ? inUse : memlock, id(), frozen);
    }

    /**
     * Detaches the map from its provider, which is leaving: the provider exports the contents,
     * which the map keeps, and element commands answer ENODEV from now on. The memory stays
     * charged: the contents still take it.
     */
    void detach() {
        MapOps o;
        synchronized (this) {
            o = ops;
            if (o == null) {
                return;
            }
            // new commands see ENODEV before the export starts; those in flight are the ops' concern
            ops = null;
            provider = null;
            exporting = true;
            refreshPaths();
        }
        MapState s = null;
        String why = null;
        try {
            s = o.exportState(def);
        } catch (RuntimeException | LinkageError e) {
            why = "its contents were lost: the provider " + origin + " failed to export them: " + e;
        }
        try {
            o.free();
        } catch (RuntimeException | LinkageError e) {
            // the storage is the garbage collector's now; nothing of the map depends on it
        }
        synchronized (this) {
            state = s;
            refusal = why;
            exporting = false;
        }
    }

    /** Between the provider's going and the end of its export. */
    private boolean exporting;

    /**
     * Re-attaches a detached map to a provider that made new ops from its state.
     *
     * @return false if the map was re-attached or freed meanwhile (the ops are then not used)
     */
    synchronized boolean attach(MapOps o, MapTypeTraits t, ProviderRegistry.Entry by) {
        if (ops != null || state == null || released) {
            return false;
        }
        bindPrograms(o);
        traits = t;
        provider = by;
        state = null;
        refusal = null;
        ops = o;
        refreshPaths();
        runAttachListeners();
        return true;
    }

    /** Called once when the map is attached again or freed (the data path's paused redirects). Guarded by this. */
    private java.util.List<Runnable> attachListeners = new java.util.ArrayList<>();

    /**
     * Calls {@code r} once when the detached map is attached to a provider again, or freed (it
     * must be quick: it runs under the map's lock). How a redirect that found the map detached
     * waits for it rather than dropping.
     *
     * @return false, and {@code r} is not kept, when the map is attached now or freed
     */
    public synchronized boolean whenAttached(Runnable r) {
        if (ops != null || released) {
            return false;
        }
        attachListeners.add(r);
        return true;
    }

    /** Whether the map was freed (its last reference went). */
    public synchronized boolean freed() {
        return released;
    }

    private void runAttachListeners() {
        java.util.List<Runnable> run = attachListeners;
        attachListeners = new java.util.ArrayList<>();
        for (Runnable r : run) {
            try {
                r.run();
            } catch (RuntimeException e) {
                // one waiter failing must not keep the others waiting
            }
        }
    }

    /**
     * The socket at {@code key} for a redirect, or null: no socket there, or the map holds none,
     * is detached or freed (ask {@link #detached()}, {@link #freed()}).
     */
    public org.bpfmaps.core.sock.BpfSocket socketAt(java.nio.ByteBuffer key) {
        MapOps o = ops;
        // the caller's key comes back as it was, without a duplicate per lookup (a redirect runs
        // per message on the data path)
        int position = key.position();
        int limit = key.limit();
        try {
            return o instanceof org.bpfmaps.core.sock.SocketMapLookup l ? l.socketAt(key) : null;
        } catch (RuntimeException e) {
            return null;
        } finally {
            key.limit(limit).position(position);
        }
    }

    /**
     * The XSK socket at {@code index} for {@code bpf_redirect_map}, or null: an empty slot, an
     * index out of range, a map whose ops hold no XSK sockets, or a detached map (read as empty).
     * Lock-free: called per redirected frame.
     */
    public org.bpfmaps.core.xdp.XdpSocket xskAt(int index) {
        MapOps o = ops;
        try {
            return o instanceof org.bpfmaps.core.xdp.XskMapLookup l ? l.xskAt(index) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Sets the map frozen (MAP_FREEZE), under the map's lock. */
    void freeze() {
        frozen = true;
        refreshPaths();
    }

    /** The bound path of an open fd of this map: one per fd, made on first use. */
    synchronized FastElemPath bind(FdEntry e, int fdNumber) {
        if (e.path == null) {
            FastElemPath p = new FastElemPath(e, fdNumber);
            if (e.closed) {
                // closed between the caller's lookup of the fd and here: a path that only fails
                p.unbind();
                return p;
            }
            FastElemPath[] more = Arrays.copyOf(paths, paths.length + 1);
            more[paths.length] = p;
            paths = more;
            p.refresh();
            e.path = p;
        }
        return e.path;
    }

    /** A typed handle's path on the closed fd stops before the map may go. */
    @Override
    void fdClosed(FdEntry e) {
        synchronized (this) {
            e.closed = true;
            if (e.path != null) {
                unbind(e.path);
            }
        }
    }

    /** {@code struct bpf_map_info}. */
    @Override
    int info(InfoAttr a) {
        return ObjCommands.mapInfo(this, a);
    }

    /** The kernel's {@code bpf_map_show_fdinfo} lines, in its order and formats. */
    @Override
    Map<String, String> fdinfoLines() {
        MapFdInfo f = fdinfo();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("map_type", Integer.toUnsignedString(f.mapType()));
        out.put("key_size", Integer.toUnsignedString(f.keySize()));
        out.put("value_size", Integer.toUnsignedString(f.valueSize()));
        out.put("max_entries", Integer.toUnsignedString(f.maxEntries()));
        out.put("map_flags", f.mapFlags() == 0 ? "0" : "0x" + Integer.toHexString(f.mapFlags()));
        out.put("map_extra", f.mapExtra() == 0 ? "0" : "0x" + Long.toHexString(f.mapExtra()));
        out.put("memlock", Long.toUnsignedString(f.memlock()));
        out.put("map_id", Integer.toUnsignedString(f.mapId()));
        out.put("frozen", f.frozen() ? "1" : "0");
        return out;
    }

    /** The fd of a bound path was closed: the path fails from now on, and is forgotten. */
    synchronized void unbind(FastElemPath p) {
        p.unbind();
        paths = Arrays.stream(paths).filter(q -> q != p).toArray(FastElemPath[]::new);
    }

    /** After a change of ops or frozen; under the lock. */
    private void refreshPaths() {
        for (FastElemPath p : paths) {
            p.refresh();
        }
    }

    /** This map as a listing of detached maps shows it, or null while it is attached. */
    synchronized org.bpfmaps.core.api.DetachedMap describeDetached() {
        if (ops != null || released) {
            return null;
        }
        MapState s = state;
        String why = refusal != null ? refusal
                : exporting ? "its provider is exporting its contents"
                : s == null ? "its contents were not kept" : null;
        return new org.bpfmaps.core.api.DetachedMap(id(), def.type(), def.name(), origin,
                s == null ? -1 : s.elementCount(), s == null ? 0 : s.bytes(), why);
    }

    /** Records why the map stays detached. */
    synchronized void refuse(String why) {
        refusal = why;
    }

    /** Whether the last reference has gone. */
    private boolean released;

    @Override
    protected void free() {
        owner.forget(this);
        MapOps o;
        synchronized (this) {
            released = true;
            o = ops;
            ops = null;
            provider = null;
            state = null;
            refreshPaths();
            runAttachListeners();
        }
        if (o != null) {
            try {
                o.free();
            } catch (RuntimeException | LinkageError e) {
                // as in detach: the storage is the garbage collector's; the close still succeeds
            }
        }
        if (progs != null) {
            progs.clear();
        }
        owner.budget.release(charged.heapBytes());
        owner.directBudget.release(charged.directBytes());
    }
}
