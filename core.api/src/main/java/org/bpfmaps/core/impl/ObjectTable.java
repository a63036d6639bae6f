package org.bpfmaps.core.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * The open objects of one instance: fds as a process's fd table hands them out (the lowest free
 * number, starting at 3 as stdin, stdout and stderr hold 0 to 2; a number is never reused while
 * open), shared by every kind, and one id space per {@link ObjectKind} with ids, made when the kind's
 * first object is published, as the kernel has one idr per kind. The table knows no kind: what
 * differs between kinds is asked of the kind or the object.
 *
 * <p>Looking up an fd takes no lock (an acquire read of one array slot); opening and closing
 * serialise on the table.
 */
public final class ObjectTable {
    /** The first fd handed out. */
    public static final int FIRST_FD = 3;

    private final int maxFds;
    private final Map<ObjectKind, IdSpace> idSpaces = new ConcurrentHashMap<>();
    /** The kind that answers each id command, once it has an id space here. */
    private final Map<BpfCmd, ObjectKind> byCommand = new ConcurrentHashMap<>();
    private volatile AtomicReferenceArray<FdEntry> fds = new AtomicReferenceArray<>(64);
    private int lowestFree = FIRST_FD;
    private int open;

    public ObjectTable(int maxFds) {
        this.maxFds = maxFds;
    }

    /**
     * Gives a new object its id in its kind's id space.
     *
     * @return the id; 0 for a kind without ids; -ENOSPC when the kind's ids are exhausted; -EEXIST
     *     when another kind answers the kind's id commands in this table
     */
    public int publish(BpfObject o) {
        ObjectKind kind = o.kind();
        if (!kind.hasIds()) {
            return 0;
        }
        IdSpace ids = idSpaces.get(kind);
        if (ids == null) {
            synchronized (byCommand) {
                ObjectKind owner = byCommand.get(kind.nextIdCommand());
                if (owner != null && owner != kind) {
                    return Errno.EEXIST.ret();
                }
                ids = idSpaces.computeIfAbsent(kind, k -> new IdSpace());
                byCommand.put(kind.nextIdCommand(), kind);
                byCommand.put(kind.fdByIdCommand(), kind);
            }
        }
        int id = ids.add(o);
        return id < 0 ? Errno.ENOSPC.ret() : id;
    }

    /** The kind whose id space this id command walks or opens from, or null while none has objects here. */
    public ObjectKind kindFor(BpfCmd idCommand) {
        return byCommand.get(idCommand);
    }

    /** The live object of this kind with this id, or null. */
    public BpfObject byId(ObjectKind kind, int id) {
        IdSpace ids = kind == null ? null : idSpaces.get(kind);
        return ids == null ? null : ids.get(id);
    }

    /** The live object of this kind with the smallest id above {@code after}, or null. */
    public BpfObject nextById(ObjectKind kind, int after, Predicate<BpfObject> filter) {
        IdSpace ids = kind == null ? null : idSpaces.get(kind);
        return ids == null ? null : ids.nextAfter(Integer.toUnsignedLong(after), filter);
    }

    /** The entry of an open fd, or null for a number that is not an open fd. */
    FdEntry entry(int fd) {
        AtomicReferenceArray<FdEntry> a = fds;
        return fd >= 0 && fd < a.length() ? a.getAcquire(fd) : null;
    }

    /** The object behind an open fd, or null. */
    public BpfObject get(int fd) {
        FdEntry e = entry(fd);
        return e == null ? null : e.obj;
    }

    /**
     * Opens a new fd on an object whose reference the caller already holds (the fd takes it over).
     *
     * @return the fd, or -1 when maxFds fds are open (EMFILE)
     */
    synchronized int install(BpfObject o, int accessFlags) {
        if (open >= maxFds) {
            return -1;
        }
        AtomicReferenceArray<FdEntry> a = fds;
        int fd = lowestFree;
        if (fd >= a.length()) {
            AtomicReferenceArray<FdEntry> bigger = new AtomicReferenceArray<>(a.length() * 2);
            for (int i = 0; i < a.length(); i++) {
                bigger.setPlain(i, a.getPlain(i));
            }
            fds = bigger;
            a = bigger;
        }
        a.setRelease(fd, new FdEntry(o, accessFlags));
        open++;
        int next = fd + 1;
        while (next < a.length() && a.getPlain(next) != null) {
            next++;
        }
        lowestFree = next;
        return fd;
    }

    /** Closes an fd; the object loses the fd's reference. False when the fd was not open. */
    public boolean close(int fd) {
        FdEntry e;
        synchronized (this) {
            e = entry(fd);
            if (e == null) {
                return false;
            }
            fds.setRelease(fd, null);
            open--;
            if (fd < lowestFree) {
                lowestFree = fd;
            }
        }
        e.obj.fdClosed(e);
        e.obj.release();
        return true;
    }

    /** The open fds, lowest first. */
    public synchronized List<Integer> openFds() {
        List<Integer> out = new ArrayList<>();
        AtomicReferenceArray<FdEntry> a = fds;
        for (int i = 0; i < a.length(); i++) {
            if (a.getPlain(i) != null) {
                out.add(i);
            }
        }
        return out;
    }
}
