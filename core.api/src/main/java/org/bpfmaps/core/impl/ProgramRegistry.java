package org.bpfmaps.core.impl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;

/**
 * The program code bundles contribute by name ({@link ProgramProvider} services, or the ones a
 * standalone runtime is given), shared by a runtime's instances, which listen to it to bind their
 * programs again when code returns and to unbind them when it goes. A provider's name and code are
 * asked once, guarded: a provider that throws contributes nothing.
 */
final class ProgramRegistry {
    /** One registered provider, with its name and code as they were when it came. */
    record Entry(ProgramProvider provider, String name, ProgramCode code) {
    }

    interface Listener {
        void programAdded(Entry added);

        void programRemoved(Entry gone);
    }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    void add(ProgramProvider p) {
        String name;
        ProgramCode code;
        try {
            name = p.name();
            code = p.code();
        } catch (RuntimeException | LinkageError e) {
            return;
        }
        if (name == null || code == null) {
            return;
        }
        Entry e = new Entry(p, name, code);
        entries.add(e);
        for (Listener l : listeners) {
            l.programAdded(e);
        }
    }

    void remove(ProgramProvider p) {
        for (Entry e : entries) {
            if (e.provider() == p) {
                entries.remove(e);
                for (Listener l : listeners) {
                    l.programRemoved(e);
                }
                return;
            }
        }
    }

    /** The code registered under this name first, or null. */
    Entry find(String name) {
        for (Entry e : entries) {
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    boolean contains(Entry e) {
        return entries.contains(e);
    }

    /** Each name registered now with the type of the code {@link #find} gives for it, sorted by name. */
    java.util.SortedMap<String, ProgType> byName() {
        java.util.SortedMap<String, ProgType> out = new java.util.TreeMap<>();
        for (Entry e : entries) {
            ProgType t;
            try {
                t = e.code().progType(); // a bundle's code: guarded as name() and code() are
            } catch (RuntimeException | LinkageError x) {
                continue;
            }
            if (t != null) {
                out.putIfAbsent(e.name(), t);
            }
        }
        return out;
    }

    /** The names registered now, in the order they came (a name may be there twice). */
    List<String> names() {
        return entries.stream().map(Entry::name).toList();
    }

    void addListener(Listener l) {
        listeners.add(l);
    }

    void removeListener(Listener l) {
        listeners.remove(l);
    }
}
