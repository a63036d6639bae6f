package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ctrl-C at the moments that matter, against a fake session that runs a line the way Gogo's
 * {@code JobImpl} does (gogo.runtime 1.1.6): the line's thread submits the job's task to the
 * session's pool and waits until the task has run; interrupting the job cancels the task.
 */
class CtrlCTest {
    /** The methods GogoSession calls, with CommandSession's and Job's names and signatures. */
    public static final class JobSession {
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        final CountDownLatch poolBusy = new CountDownLatch(1);
        /** What happens once the job is in the foreground and its task submitted: the test's Ctrl-C. */
        Runnable started = () -> {};
        volatile Job foreground;

        /** Keeps the pool's one thread busy until the test ends: a task submitted waits its turn, not started. */
        void holdPool() {
            pool.execute(() -> {
                try {
                    poolBusy.await();
                } catch (InterruptedException e) {
                    // the test is over
                }
            });
        }

        public Object execute(CharSequence line) throws Exception {
            Job job = new Job();
            synchronized (job) {
                foreground = job;
                job.task = pool.submit(job::done);
            }
            started.run();
            synchronized (job) {
                while (!job.done) {
                    job.wait(); // JobImpl.start: until the task has run
                }
            }
            return null;
        }

        public Object foregroundJob() {
            return foreground;
        }

        public Object get(String name) {
            return null;
        }

        public Object put(String name, Object value) {
            return null;
        }

        public CharSequence format(Object o, int level) {
            return String.valueOf(o);
        }

        public void close() {
            poolBusy.countDown();
            pool.shutdownNow();
        }
    }

    public static final class Job {
        Future<?> task;
        boolean done;
        boolean interrupted;
        /** What the job ended with (JobImpl's result): its pipes' wait interrupted. */
        Exception result;

        synchronized void done() {
            done = true;
            notifyAll();
        }

        /** JobImpl.interrupt: cancels the task, which does not run if it has not started. */
        public synchronized void interrupt() {
            interrupted = true;
            task.cancel(true);
        }
    }

    private final JobSession fake = new JobSession();
    private final GogoSession session = new GogoSession(fake);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final LineRunner runner = new LineRunner(session, new PrintStream(new ByteArrayOutputStream(), true),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    private final CtrlC ctrlC = new CtrlC();

    @AfterEach
    void closeSession() {
        fake.close();
    }

    @Test
    void ctrlCBeforeThePoolStartedTheJobEndsTheLine() {
        fake.holdPool();
        fake.started = ctrlC::interrupt;
        boolean interrupted = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> ctrlC.run(session, () -> runner.run("conformance corpus.json")),
                "the line still waits for a job whose task was cancelled before it ran");
        assertTrue(interrupted);
        assertTrue(fake.foreground.interrupted, "the job was interrupted too");
        assertEquals("Error: interrupted\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ctrlCAsTheLineWasAcceptedIsTheLines() {
        fake.holdPool();
        Thread.currentThread().interrupt(); // what JLine's readLine leaves
        assertTrue(ctrlC.run(session, () -> runner.run("conformance corpus.json")));
        assertEquals("Error: interrupted\n", err.toString(StandardCharsets.UTF_8));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void ctrlCAsTheLineEndsDoesNotReachTheNextPrompt() {
        assertTrue(ctrlC.run(session, () -> {
            runner.run("ok");
            ctrlC.interrupt();
        }));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void ctrlCBetweenLinesIsIgnored() {
        ctrlC.interrupt();
        assertFalse(Thread.currentThread().isInterrupted());
        assertFalse(ctrlC.run(session, () -> runner.run("ok")));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    /**
     * A session that runs a line as Gogo 1.1.6 does, on a pool held in a field named
     * {@code executor} (CommandSessionImpl's): the line's thread submits the job and waits for it;
     * the job runs the command as a pipe on the same pool and waits for it with invokeAll; a
     * Ctrl-C cancels the job, whose invokeAll then cancels (interrupts) the pipe and ends the job
     * at once, while the command goes on until it sees the interrupt.
     */
    public static final class PoolSession {
        final CountDownLatch waitedFor = new CountDownLatch(1);
        @SuppressWarnings("unused") // read reflectively by GogoSession, as CommandSessionImpl's
        private final ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>()) {
            @Override
            public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
                waitedFor.countDown(); // the line waits for the command
                return super.awaitTermination(timeout, unit);
            }
        };
        final Map<String, Object> variables = new ConcurrentHashMap<>();
        Runnable command = () -> {};
        volatile Job foreground;

        public Object execute(CharSequence line) throws Exception {
            Job job = new Job();
            synchronized (job) {
                foreground = job;
                job.task = executor.submit(() -> {
                    try {
                        executor.invokeAll(List.of(Executors.callable(command)));
                    } catch (InterruptedException e) {
                        job.result = e;
                    } finally {
                        job.done();
                    }
                });
                while (!job.done) {
                    job.wait();
                }
            }
            if (job.result != null) {
                throw job.result;
            }
            return null;
        }

        public Object foregroundJob() {
            return foreground;
        }

        public Object get(String name) {
            return variables.get(name);
        }

        public Object put(String name, Object value) {
            return value == null ? variables.remove(name) : variables.put(name, value);
        }

        public CharSequence format(Object o, int level) {
            return String.valueOf(o);
        }

        public void close() {
            executor.shutdownNow();
        }
    }

    /**
     * The runner of the prompt's lines, as the Console makes it, on a PoolSession; the line runs
     * on a thread of its own ({@link #lineResult}), as the prompt's does.
     */
    private final class PoolLine implements AutoCloseable {
        final PoolSession pool = new PoolSession();
        final ByteArrayOutputStream lineErr = new ByteArrayOutputStream();
        final List<String> events = new CopyOnWriteArrayList<>();
        final ExecutorService prompt = Executors.newSingleThreadExecutor();
        Future<Integer> line;

        void start() {
            GogoSession s = new GogoSession(pool);
            LineRunner r = new LineRunner(s, new PrintStream(new ByteArrayOutputStream(), true),
                    new PrintStream(lineErr, true, StandardCharsets.UTF_8), ctrlC);
            line = prompt.submit(() -> {
                int[] code = new int[1];
                ctrlC.run(s, () -> code[0] = r.run("conformance corpus.json"));
                events.add("the line returned");
                return code[0];
            });
        }

        int lineResult() throws Exception {
            return line.get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            prompt.shutdownNow();
            pool.close();
        }
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        assertTrue(latch.await(10, TimeUnit.SECONDS), what);
    }

    /**
     * Ctrl-C while the command runs: Gogo ends the job at once, but the line waits for the command
     * to end, so that what it prints on its way out (conformance's counts) comes before the line
     * returns (before the next prompt, not over it); the command's own exit code stands, with no
     * "Error: interrupted" of the launcher's beside its own message.
     */
    @Test
    void ctrlCWaitsForTheCommandToEndBeforeTheLineReturns() throws Exception {
        try (PoolLine l = new PoolLine()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch sawIt = new CountDownLatch(1);
            CountDownLatch mayEnd = new CountDownLatch(1);
            l.pool.command = () -> {
                running.countDown();
                while (!Thread.interrupted()) {
                    LockSupport.park(); // replaying cases, until Ctrl-C
                }
                sawIt.countDown();
                awaitUninterruptibly(mayEnd); // the case under way ends, the counts are printed
                l.events.add("the command printed its counts");
                l.pool.put(LineRunner.EXIT_VAR, 130);
            };
            l.start();
            await(running, "the command runs");
            ctrlC.interrupt();
            await(sawIt, "the command saw the Ctrl-C");
            await(l.pool.waitedFor, "the line waits for the command to end (before, it returned at once)");
            assertFalse(l.line.isDone(), "the line has not returned while the command runs");
            mayEnd.countDown();
            assertEquals(130, l.lineResult(), "the command's exit code");
            assertEquals(List.of("the command printed its counts", "the line returned"), l.events);
            assertEquals("", l.lineErr.toString(StandardCharsets.UTF_8), "the command said why it ended");
        }
    }

    /** A command that does not stop at Ctrl-C: a second Ctrl-C gives the prompt back, saying so. */
    @Test
    void aSecondCtrlCStopsWaitingForACommandThatGoesOn() throws Exception {
        try (PoolLine l = new PoolLine()) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch mayEnd = new CountDownLatch(1);
            l.pool.command = () -> {
                running.countDown();
                awaitUninterruptibly(mayEnd); // deaf to interrupts
            };
            l.start();
            await(running, "the command runs");
            ctrlC.interrupt();
            await(l.pool.waitedFor, "the line waits for the command to end");
            ctrlC.interrupt();
            assertEquals(LineRunner.FAILED, l.lineResult());
            assertEquals("Error: interrupted; the command has not ended yet, and goes on without the prompt\n",
                    l.lineErr.toString(StandardCharsets.UTF_8));
            mayEnd.countDown();
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
