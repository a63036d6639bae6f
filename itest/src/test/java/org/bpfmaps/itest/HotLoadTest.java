package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.api.ProviderInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.osgi.framework.Bundle;

/**
 * Issue 7's proof on a running framework: map.queue, which the default distribution does not
 * ship, is copied into the deploy folder while an ARRAY and a HASH map keep serving a thread;
 * its QUEUE and BLOOM_FILTER are filled; the jar is replaced by a rebuilt one of a higher version
 * while a second thread pushes and pops, and not one element is lost or duplicated; deleting the
 * jar detaches the queue (ENODEV) and copying it back brings it back with its elements. The ARRAY
 * and HASH maps keep every value throughout, and the framework logs no problem.
 */
class HotLoadTest {
    private static final String QUEUE_BSN = "org.bpfmaps.map.queue";
    private static final String HASH_BSN = "org.bpfmaps.map.hash";

    private OsgiFramework osgi;
    private Bpf bpf;
    private Path deploy;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        String name = getClass().getSimpleName() + "-" + test.getTestMethod().orElseThrow().getName();
        deploy = OsgiFramework.targetDir().resolve("deploy").resolve(name);
        if (Files.exists(deploy)) {
            try (var s = Files.list(deploy)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(deploy);
        osgi = OsgiFramework.start(name, List.of(HASH_BSN, OsgiFramework.FILEINSTALL), OsgiFramework.fileInstall(deploy));
        bpf = osgi.bpf();
    }

    @AfterEach
    void stop() throws Exception {
        if (osgi != null) {
            osgi.close();
        }
    }

    @Test
    void aBundleOutsideTheDistributionIsHotLoadedUpdatedAndRemovedWithoutLosingAnElement() throws Exception {
        try (Background others = new Background(bpf)) {
            MapCreateAttr early = new MapCreateAttr(MapType.QUEUE, 0, 8, 16);
            assertEquals(Errno.EINVAL.ret(), bpf.bpf(BpfCmd.MAP_CREATE, early));
            assertTrue(early.errorMessage().contains("map type queue")
                    && early.errorMessage().contains("deploy folder " + deploy.toAbsolutePath()), early.errorMessage());

            Path jar = osgi.jar(QUEUE_BSN);
            Path deployed = deploy.resolve("map.queue.jar");
            Files.copy(jar, deployed);
            osgi.awaitMapType(MapType.QUEUE, true);
            osgi.awaitMapType(MapType.BLOOM_FILTER, true);

            int queue = create(new MapCreateAttr(MapType.QUEUE, 0, 8, 1 << 20).name("jobs"));
            int bloom = create(new MapCreateAttr(MapType.BLOOM_FILTER, 0, 8, 10_000).name("seen"));
            List<Long> pushed = new ArrayList<>();
            for (long v = 0; v < 1000; v++) {
                assertEquals(0, push(queue, v));
                pushed.add(v);
                assertEquals(0, push(bloom, v * 31));
            }

            // a second thread pushes and pops while the jar is replaced by a newer build
            try (PushPop worker = new PushPop(bpf, queue, 1000)) {
                worker.awaitOps(200);
                Path newer = deploy.getParent().resolve("map.queue-0.1.1.jar");
                withVersion(jar, newer, "0.1.1");
                Files.move(newer, deployed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                awaitProviderVersion(QUEUE_BSN, "0.1.1");
                // FileInstall refreshes after an update (the old revision goes, the bundle restarts
                // once more); a refresh of ours returns when that, too, is over
                osgi.refresh();
                osgi.awaitMapType(MapType.QUEUE, true);
                long done = worker.ops.get();
                worker.awaitOps(done + 200);
                worker.stopAndCheck();
                pushed.addAll(worker.pushed);

                List<Long> popped = new ArrayList<>(worker.popped);
                long v;
                while ((v = popAfterSwap(queue)) >= 0) {
                    popped.add(v);
                }
                assertEquals(Errno.ENOENT.ret(), v);
                assertEquals(pushed, popped, "every element pushed was popped once, in order, across the update");
            }
            for (long b = 0; b < 1000; b++) {
                assertEquals(0, lookupBloom(bloom, b * 31), "the filter kept value " + b * 31);
            }

            // delete the jar: the queue waits, detached; copy it back: the queue returns, elements included
            for (long w = 0; w < 5; w++) {
                assertEquals(0, push(queue, 100 + w));
            }
            Files.delete(deployed);
            osgi.awaitMapType(MapType.QUEUE, false);
            // the provider leaves the registry before its maps are detached and exported: wait for
            // the listing, which shows the elements once the export is done
            OsgiFramework.await(() -> osgi.runtime().detachedMaps().stream()
                    .anyMatch(d -> d.type() == MapType.QUEUE && d.elements() == 5), "the queue listed with 5 elements");
            assertEquals(Errno.ENODEV.ret(), push(queue, 1));
            assertEquals(Errno.ENODEV.ret(), pop(queue));
            Files.copy(jar, deployed);
            osgi.awaitMapType(MapType.QUEUE, true);
            for (long w = 0; w < 5; w++) {
                assertEquals(100 + w, popAfterSwap(queue));
            }
            int[] r = new int[1];
            OsgiFramework.await(() -> (r[0] = lookupBloom(bloom, 31)) != Errno.ENODEV.ret(), "the bloom filter attached again");
            assertEquals(0, r[0], "the bloom filter came back with its bits");

            others.stopAndCheck();
        }
        osgi.assertNoProblems();
    }

    /** The same swap for map.hash: a HASH map of 100k elements survives an update of its bundle. */
    @Test
    void aHashMapOfAHundredThousandElementsSurvivesAnUpdateOfItsBundle() throws Exception {
        int fd = create(new MapCreateAttr(MapType.HASH, 4, 8, 100_000).name("flows"));
        MapElemAttr a = new MapElemAttr();
        for (int k = 0; k < 100_000; k++) {
            assertEquals(0, bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, u32(k), u64(k * 3L), 0)));
        }
        Bundle hash = osgi.bundle(HASH_BSN);
        hash.update();
        osgi.refresh();
        osgi.awaitMapType(MapType.HASH, true);
        ByteBuffer v = u64(0);
        for (int k = 0; k < 100_000; k++) {
            assertEquals(0, bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(fd, u32(k), v, 0)), "key " + k);
            assertEquals(k * 3L, v.getLong(0));
        }
        assertEquals(List.of(), osgi.runtime().detachedMaps());
        osgi.assertNoProblems();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private int create(MapCreateAttr a) {
        int fd = bpf.bpf(BpfCmd.MAP_CREATE, a);
        assertTrue(fd >= 3, () -> "create: " + Errno.nameOf(fd) + " " + a.errorMessage());
        return fd;
    }

    private int push(int fd, long v) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, null, u64(v), 0));
    }

    /** The popped value, or the negated errno. */
    private long pop(int fd) {
        ByteBuffer v = u64(0);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, null, v, 0));
        return r == 0 ? v.getLong(0) : r;
    }

    /**
     * A pop right after a swap: FileInstall refreshes an updated bundle once more after it is
     * registered (the old revision goes), so the map may be detached for a moment again; ENODEV
     * then means "try again", which is what a user sees too.
     */
    private long popAfterSwap(int fd) {
        long[] r = new long[1];
        OsgiFramework.await(() -> (r[0] = pop(fd)) != Errno.ENODEV.ret(), "the queue attached again");
        return r[0];
    }

    private int lookupBloom(int fd, long v) {
        return bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, new MapElemAttr().set(fd, null, u64(v), 0));
    }

    static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    static ByteBuffer u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, v);
    }

    private void awaitProviderVersion(String origin, String version) {
        OsgiFramework.await(() -> osgi.runtime().providers().stream().map(ProviderInfo::version).anyMatch(version::equals)
                && osgi.runtime().providers().stream().filter(p -> p.origin().equals(origin)).count() == 1,
                origin + " " + version + " registered alone");
    }

    /** The jar again, with another Bundle-Version: a rebuild of a newer version. */
    private static void withVersion(Path jar, Path out, String version) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream os = Files.newOutputStream(out); JarOutputStream jo = new JarOutputStream(os, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                    jo.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(jo);
                    jo.closeEntry();
                }
            }
        }
    }

    /** A thread that pushes increasing numbers and pops, keeping what succeeded. */
    private static final class PushPop implements AutoCloseable {
        final List<Long> pushed = new ArrayList<>();
        final List<Long> popped = new ArrayList<>();
        final AtomicLong ops = new AtomicLong();
        final AtomicLong enodev = new AtomicLong();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final Thread thread;

        PushPop(Bpf bpf, int fd, long first) {
            thread = new Thread(() -> {
                long next = first;
                MapElemAttr a = new MapElemAttr();
                ByteBuffer v = u64(0);
                while (!stop.get()) {
                    int r = bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(fd, null, v.putLong(0, next), 0));
                    if (r == 0) {
                        pushed.add(next++);
                    } else if (r == Errno.ENODEV.ret()) {
                        enodev.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, "push: " + Errno.nameOf(r));
                    }
                    if ((next & 1) == 0) {
                        r = bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, a.set(fd, null, v, 0));
                        if (r == 0) {
                            popped.add(v.getLong(0));
                        } else if (r == Errno.ENODEV.ret()) {
                            enodev.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, "pop: " + Errno.nameOf(r));
                        }
                    }
                    ops.incrementAndGet();
                }
            }, "push-pop");
            thread.start();
        }

        void awaitOps(long n) {
            OsgiFramework.await(() -> ops.get() >= n || failure.get() != null, n + " push/pop rounds");
        }

        void stopAndCheck() throws InterruptedException {
            stop.set(true);
            thread.join(OsgiFramework.TIMEOUT_MS);
            assertTrue(!thread.isAlive(), "the push/pop thread stopped");
            assertNull(failure.get(), "the push/pop thread saw only results or ENODEV");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(OsgiFramework.TIMEOUT_MS);
        }
    }

    /**
     * A thread that keeps writing and reading back an ARRAY and a HASH map, which must see no
     * error and no value other than the one it wrote while other providers come and go.
     */
    private static final class Background implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final AtomicLong rounds = new AtomicLong();
        private final Thread thread;

        Background(Bpf bpf) {
            int array = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.ARRAY, 4, 8, 64).name("counters"));
            int hash = bpf.bpf(BpfCmd.MAP_CREATE, new MapCreateAttr(MapType.HASH, 4, 8, 1024).name("flows"));
            assertTrue(array >= 3 && hash >= 3, "background maps");
            thread = new Thread(() -> {
                MapElemAttr a = new MapElemAttr();
                ByteBuffer v = u64(0);
                long[] lastArray = new long[64];
                long[] lastHash = new long[1024];
                for (long i = 1; !stop.get(); i++) {
                    int k = (int) (i % 64);
                    int h = (int) (i % 1024);
                    check(bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(array, u32(k), u64(i), 0)), "array update");
                    lastArray[k] = i;
                    check(bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, a.set(hash, u32(h), u64(i), 0)), "hash update");
                    lastHash[h] = i;
                    int rk = (int) ((i * 7) % 64);
                    int rh = (int) ((i * 7) % 1024);
                    if (check(bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(array, u32(rk), v, 0)), "array lookup")
                            && v.getLong(0) != lastArray[rk]) {
                        failure.compareAndSet(null, "array[" + rk + "] = " + v.getLong(0) + ", wrote " + lastArray[rk]);
                    }
                    int r = bpf.bpf(BpfCmd.MAP_LOOKUP_ELEM, a.set(hash, u32(rh), v, 0));
                    if (lastHash[rh] != 0 && check(r, "hash lookup") && v.getLong(0) != lastHash[rh]) {
                        failure.compareAndSet(null, "hash[" + rh + "] = " + v.getLong(0) + ", wrote " + lastHash[rh]);
                    }
                    rounds.incrementAndGet();
                }
            }, "array-and-hash");
            thread.start();
        }

        private boolean check(int r, String what) {
            if (r != 0) {
                failure.compareAndSet(null, what + ": " + Errno.nameOf(r));
                return false;
            }
            return true;
        }

        void stopAndCheck() throws InterruptedException {
            OsgiFramework.await(() -> rounds.get() > 1000 || failure.get() != null, "background rounds");
            stop.set(true);
            thread.join(OsgiFramework.TIMEOUT_MS);
            assertNull(failure.get(), "the ARRAY and HASH maps kept serving");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(OsgiFramework.TIMEOUT_MS);
        }
    }
}
