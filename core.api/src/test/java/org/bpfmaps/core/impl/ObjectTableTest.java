package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.ObjectKind;
import org.junit.jupiter.api.Test;

class ObjectTableTest {
    /** Kinds made by the test, as later issues add sockets and programs. */
    private static final ObjectKind SOCKET = ObjectKind.fdOnly("socket");
    private static final ObjectKind PROG =
            ObjectKind.withIds("prog", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID);

    private static final class Thing extends BpfObject {
        boolean freed;

        Thing(ObjectKind kind) {
            super(kind);
        }

        @Override
        protected void free() {
            freed = true;
        }
    }

    @Test
    void fdsAreTheLowestFreeNumberFromThree() {
        ObjectTable t = new ObjectTable(100);
        int a = t.install(new Thing(ObjectKind.MAP), 0);
        int b = t.install(new Thing(ObjectKind.MAP), 0);
        int c = t.install(new Thing(ObjectKind.MAP), 0);
        assertEquals(3, a);
        assertEquals(4, b);
        assertEquals(5, c);
        assertTrue(t.close(b));
        assertEquals(4, t.install(new Thing(ObjectKind.MAP), 0), "a closed number is the lowest free one");
        assertEquals(6, t.install(new Thing(ObjectKind.MAP), 0));
    }

    @Test
    void closingFreesTheObjectWithItsLastReference() {
        ObjectTable t = new ObjectTable(100);
        Thing thing = new Thing(ObjectKind.MAP);
        t.publish(thing);
        int fd = t.install(thing, 0);
        thing.retain(); // a pin, say
        assertTrue(t.close(fd));
        assertFalse(thing.freed, "the second reference keeps it");
        assertFalse(t.close(fd), "an fd closes once");
        thing.release();
        assertTrue(thing.freed);
        assertEquals(0, thing.refCount());
        assertNull(t.byId(ObjectKind.MAP, thing.id()), "a freed object's id is gone");
    }

    @Test
    void idsIncreaseAndAreNotReusedAtOnce() {
        ObjectTable t = new ObjectTable(100);
        Thing a = new Thing(ObjectKind.MAP);
        Thing b = new Thing(ObjectKind.MAP);
        int ida = t.publish(a);
        int idb = t.publish(b);
        assertEquals(ida + 1, idb);
        b.release();
        Thing c = new Thing(ObjectKind.MAP);
        assertEquals(idb + 1, t.publish(c), "like idr_alloc_cyclic, a freed id is not handed out next");
    }

    @Test
    void eachKindWithIdsHasItsOwnIdSpaceAndAllShareTheFdTable() {
        ObjectTable t = new ObjectTable(100);
        Thing sock = new Thing(SOCKET);
        assertEquals(0, t.publish(sock), "a kind without ids gets none");
        assertEquals(0, sock.id());
        Thing prog = new Thing(PROG);
        Thing map = new Thing(ObjectKind.MAP);
        assertNull(t.kindFor(BpfCmd.PROG_GET_NEXT_ID), "no kind answers the prog commands before a prog is here");
        assertEquals(1, t.publish(prog));
        assertEquals(1, t.publish(map), "each kind counts its own ids");
        assertSame(PROG, t.kindFor(BpfCmd.PROG_GET_FD_BY_ID));
        assertSame(ObjectKind.MAP, t.kindFor(BpfCmd.MAP_GET_NEXT_ID));
        assertNull(t.byId(SOCKET, 1));
        assertSame(prog, t.byId(PROG, 1));
        assertEquals(3, t.install(sock, 0));
        assertEquals(4, t.install(map, 0));
        assertEquals(5, t.install(prog, 0));
        assertSame(sock, t.get(3));
    }

    @Test
    void twoKindsMayNotAnswerTheSameIdCommands() {
        ObjectTable t = new ObjectTable(100);
        ObjectKind other = ObjectKind.withIds("other-prog", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID);
        assertEquals(1, t.publish(new Thing(PROG)));
        assertEquals(Errno.EEXIST.ret(), t.publish(new Thing(other)));
        assertEquals(2, t.publish(new Thing(PROG)), "the first kind keeps its commands");
    }

    @Test
    void theFdLimitIsEnforced() {
        ObjectTable t = new ObjectTable(16);
        for (int i = 0; i < 16; i++) {
            assertTrue(t.install(new Thing(ObjectKind.MAP), 0) >= 3);
        }
        assertEquals(-1, t.install(new Thing(ObjectKind.MAP), 0));
    }

    @Test
    void numbersThatAreNotOpenAreNotFound() {
        ObjectTable t = new ObjectTable(100);
        assertNull(t.get(-1));
        assertNull(t.get(0));
        assertNull(t.get(3));
        assertNull(t.get(1 << 30));
    }
}
