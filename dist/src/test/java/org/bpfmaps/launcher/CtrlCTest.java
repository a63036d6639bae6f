package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
}
