package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapTypeTraits;

/**
 * A map in the object table: its definition and rules (kept by the core), and the provider's ops
 * that hold its elements. When the provider goes away the map is <em>detached</em>: the ops are
 * dropped, so no class of the departed bundle stays reachable, and element commands answer ENODEV
 * while info, pins and close keep working.
 */
public final class MapObject extends BpfObject {
    final MapDef def;
    final MapTypeTraits traits;
    private final Instance owner;
    private final long charged;
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
    /** Open writable mmap views (the kernel's {@code writecnt}); guarded by {@code this}. */
    int writableMappings;

    MapObject(Instance owner, MapDef def, MapTypeTraits traits, MapOps ops, ProviderRegistry.Entry provider,
            long charged) {
        super(ObjectKind.MAP);
        this.owner = owner;
        this.def = def;
        this.traits = traits;
        this.ops = ops;
        this.provider = provider;
        this.origin = provider.origin();
        this.charged = charged;
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

    /** The fdinfo lines bpftool reads: the definition, the memory accounted, frozen. */
    org.bpfmaps.core.api.MapFdInfo fdinfo() {
        return new org.bpfmaps.core.api.MapFdInfo(def.type().number(), def.keySize(), def.valueSize(),
                def.maxEntries(), infoFlags(), def.mapExtra(), charged, id(), frozen);
    }

    /** Drops the provider's ops and storage; element commands answer ENODEV from now on. */
    void detach() {
        MapOps o;
        synchronized (this) {
            o = ops;
            ops = null;
            provider = null;
        }
        if (o != null) {
            o.free();
            owner.budget.release(charged);
        }
    }

    @Override
    protected void free() {
        owner.forget(this);
        detach();
    }
}
