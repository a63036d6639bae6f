package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ObjectTableTest {
    /** An object of a kind registered by the test, as later issues will add sockets. */
    private static final ObjectKind SOCKET = new ObjectKind("socket");

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
    void aRegisteredKindGetsItsOwnIdSpaceAndSharesTheFdTable() {
        ObjectTable t = new ObjectTable(100);
        assertEquals(-1, t.publish(new Thing(SOCKET)), "an unregistered kind has no ids");
        t.register(SOCKET);
        Thing sock = new Thing(SOCKET);
        Thing map = new Thing(ObjectKind.MAP);
        assertEquals(1, t.publish(sock));
        assertEquals(1, t.publish(map), "each kind counts its own ids");
        int fd = t.install(sock, 0);
        assertEquals(sock, t.get(fd));
        assertEquals(3, fd);
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
