package org.bpfmaps.core.sock;

import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.spi.ProgRef;

/**
 * The programs one socket runs, taken from the maps it was inserted into: the kernel's
 * {@code struct sk_psock} (include/linux/skmsg.h) as far as programs go: its four program slots
 * ({@code psock->progs}), whether a parser or verdict was started on it
 * ({@code psock->saved_data_ready}), and the number of map elements that hold it (the links, whose
 * last one going drops the psock and every program with it, {@code sk_psock_drop}).
 *
 * <p>The record is the core's, one for the socket's life, so that what a socket took survives an
 * update of the bundle whose maps hold it. The rules of when a socket takes or loses a program
 * ({@code sock_map_link}, {@code sock_map_del_link} in net/core/sock_map.c) are the map's: a map
 * bundle holds this object's monitor ({@code synchronized (programs)}) around a check and its
 * changes, as the kernel holds {@code sk_callback_lock}. Each program held takes a reference.
 *
 * @since 1.2
 */
public final class SocketPrograms {
    /** By {@link ProgAttachAttr#sockSlot}. */
    private final ProgRef[] slots = new ProgRef[ProgAttachAttr.SOCK_SLOTS];
    private boolean started;
    private int links;
    /** The socket these are of: told when the programs it runs change (its data path). */
    private final SocketObject socket;

    SocketPrograms(SocketObject socket) {
        this.socket = socket;
    }

    /** The program the socket runs for this attach type, or null (also for other attach types). */
    public synchronized ProgRef get(int attachType) {
        int slot = ProgAttachAttr.sockSlot(attachType);
        return slot < 0 ? null : slots[slot];
    }

    /**
     * {@code psock_set_prog}: the socket runs {@code p} (null: nothing) for this attach type; takes a
     * reference to {@code p} and gives back the one to the program it replaces.
     *
     * @return false when {@code p} is being freed (nothing changed)
     */
    public synchronized boolean set(int attachType, ProgRef p) {
        if (p != null && !p.retain()) {
            return false;
        }
        int slot = ProgAttachAttr.sockSlot(attachType);
        if (slot < 0) {
            if (p != null) {
                p.release();
            }
            throw new IllegalArgumentException("attach type " + attachType + " is no socket program slot");
        }
        ProgRef old = slots[slot];
        slots[slot] = p;
        if (old != null) {
            old.release();
        }
        return true;
    }

    /** Whether a stream parser or verdict was started on the socket ({@code saved_data_ready}). */
    public synchronized boolean started() {
        return started;
    }

    public synchronized void started(boolean s) {
        started = s;
    }

    /** The map elements that hold the socket ({@code psock->link}). */
    public synchronized int links() {
        return links;
    }

    /** One more element holds the socket ({@code sk_psock_get} and a new link). */
    public synchronized void linked() {
        links++;
        OwnedIo.changed(socket, this, false);
    }

    /**
     * One element let go of the socket; after the last the psock is dropped: the socket runs no
     * program ({@code sk_psock_drop}, every slot cleared).
     */
    public synchronized void unlinked() {
        if (links > 0 && --links == 0) {
            clear();
        }
        OwnedIo.changed(socket, this, false);
    }

    /**
     * The socket closed: every link goes, whether or not its map was there to see it (a map whose
     * provider is gone holds the link in its exported state), and with the last one the programs.
     */
    synchronized void dropAtClose() {
        links = 0;
        clear();
        OwnedIo.changed(socket, this, true);
    }

    private void clear() {
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != null) {
                slots[i].release();
                slots[i] = null;
            }
        }
        started = false;
    }

    @Override
    public synchronized String toString() {
        return "SocketPrograms[links " + links + ", msg " + id(slots[0]) + ", parser " + id(slots[1])
                + ", stream verdict " + id(slots[2]) + ", skb verdict " + id(slots[3]) + "]";
    }

    private static int id(ProgRef p) {
        return p == null ? 0 : p.id();
    }
}
