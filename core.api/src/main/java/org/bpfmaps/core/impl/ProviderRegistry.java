package org.bpfmaps.core.impl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bpfmaps.core.api.DetachedMap;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProviderInfo;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.MapTypeTraits;

/**
 * The installed map providers, shared by every instance. When several serve one type, the one with
 * the highest service ranking, then the highest bundle version, serves new maps; a map stays with
 * the provider that made it. When a provider goes, every instance detaches the maps it made,
 * keeping their contents; when one comes that wins their type, they are re-attached to it.
 */
public final class ProviderRegistry {
    /** The program code bundles contribute by name, for the same instances as the providers. */
    final ProgramRegistry programs = new ProgramRegistry();

    /** One registered provider and the facts that rank it. */
    public static final class Entry {
        final MapProvider provider;
        final int ranking;
        final BundleVersion version;
        final String origin;
        final Map<MapType, MapTypeTraits> traits;

        Entry(MapProvider provider, int ranking, BundleVersion version, String origin) {
            this.provider = provider;
            this.ranking = ranking;
            this.version = version;
            this.origin = origin;
            Map<MapType, MapTypeTraits> t = new EnumMap<>(MapType.class);
            for (MapTypeTraits tt : provider.types()) {
                t.put(tt.type(), tt);
            }
            this.traits = Collections.unmodifiableMap(t);
        }

        public MapProvider provider() {
            return provider;
        }

        /** Where the provider comes from (its bundle's symbolic name, or a label). */
        public String origin() {
            return origin;
        }

        public String version() {
            return version.toString();
        }

        public Map<MapType, MapTypeTraits> traits() {
            return traits;
        }

        boolean beats(Entry o) {
            if (ranking != o.ranking) {
                return ranking > o.ranking;
            }
            return version.compareTo(o.version) > 0;
        }
    }

    /** Told when a provider comes, so that detached maps of its types return, and when it goes. */
    interface Listener {
        void providerAdded(Entry added);

        void providerRemoved(Entry gone);
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    /** Where to install a provider, for the error a type without one gets; "" when unknown. */
    private volatile String missingTypeHint = "";

    /**
     * Tells users of a type nobody serves where providers are installed: in a framework that
     * watches a deploy folder, that folder.
     */
    void deployFolder(String folder) {
        missingTypeHint = folder == null || folder.isEmpty() ? ""
                : "; copy a provider bundle for it into the deploy folder " + folder.replace("%", "%%");
    }

    String missingTypeHint() {
        return missingTypeHint;
    }
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a provider; in every instance, detached maps of its types move to it if it wins them. */
    public void add(MapProvider p, int ranking, String version, String origin) {
        Entry e = new Entry(p, ranking, BundleVersion.parse(version), origin);
        entries.add(e);
        for (Listener l : listeners) {
            l.providerAdded(e);
        }
    }

    /** Removes a provider and detaches, in every instance, the maps it made. */
    public void remove(MapProvider p) {
        for (Entry e : entries) {
            if (e.provider == p) {
                entries.remove(e);
                for (Listener l : listeners) {
                    l.providerRemoved(e);
                }
            }
        }
    }

    /** Whether the entry is still registered. */
    boolean contains(Entry e) {
        return entries.contains(e);
    }

    /** The provider that serves new maps of this type, or null. */
    public Entry providerFor(MapType type) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.traits.containsKey(type) && (best == null || e.beats(best))) {
                best = e;
            }
        }
        return best;
    }

    /** The types some registered provider serves. */
    public java.util.Set<MapType> mapTypes() {
        java.util.Set<MapType> out = java.util.EnumSet.noneOf(MapType.class);
        for (Entry e : entries) {
            out.addAll(e.traits.keySet());
        }
        return out;
    }

    public List<Entry> entries() {
        return new ArrayList<>(entries);
    }

    /**
     * Each registered provider with its maps in every open instance (the instances are this
     * registry's listeners): live ones it made, and detached ones an earlier registration of the
     * same origin made.
     */
    public List<ProviderInfo> describe() {
        List<MapObject> maps = new ArrayList<>();
        for (Listener l : listeners) {
            if (l instanceof Instance in) {
                maps.addAll(in.maps());
            }
        }
        List<ProviderInfo> out = new ArrayList<>();
        for (Entry e : entries) {
            int live = 0;
            int detached = 0;
            for (MapObject m : maps) {
                if (m.provider == e) {
                    live++;
                } else if (m.detached() && m.origin.equals(e.origin)) {
                    detached++;
                }
            }
            out.add(new ProviderInfo(e.origin, e.version(), e.traits.keySet(), live, detached));
        }
        return out;
    }

    /** The detached maps of every open instance, by id. */
    public List<DetachedMap> detachedMaps() {
        List<DetachedMap> out = new ArrayList<>();
        for (Listener l : listeners) {
            if (l instanceof Instance in) {
                for (MapObject m : in.maps()) {
                    DetachedMap d = m.describeDetached();
                    if (d != null) {
                        out.add(d);
                    }
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(DetachedMap::id));
        return out;
    }

    void addListener(Listener l) {
        listeners.add(l);
    }

    void removeListener(Listener l) {
        listeners.remove(l);
    }
}
