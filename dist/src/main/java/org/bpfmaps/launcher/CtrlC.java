package org.bpfmaps.launcher;

/**
 * Where the prompt's Ctrl-C goes: to the line running now, if any; between lines, nowhere.
 *
 * <p>A Ctrl-C interrupts both the line's Gogo job and the thread running the line. The job alone
 * is not enough: Gogo (gogo.runtime 1.1.6, {@code JobImpl}) interrupts a job by cancelling its
 * task on the session's pool, and the line's thread waits in {@code JobImpl.start} until that task
 * has run. A Ctrl-C that lands after the job is started but before a pool thread has picked its task
 * up cancels a task that then never runs, and the wait never ends: the prompt hung (TerminalIT's
 * Ctrl-C test now and then). Interrupted, the thread leaves that wait, and the line ends with
 * {@code Error: interrupted}.
 *
 * <p>Gogo lets the line go as soon as the job is interrupted, before its command has stopped; the
 * line's runner then waits for the command to end ({@link #awaitInterrupted}), so that what it
 * prints on its way out (conformance's counts) comes before the next prompt, not over it.
 */
final class CtrlC {
    /** The line running now; null between lines. Guarded by this. */
    private Running running;

    private static final class Running {
        final GogoSession session;
        final Thread thread;
        boolean interrupted; // guarded by CtrlC.this

        Running(GogoSession session, Thread thread) {
            this.session = session;
            this.thread = thread;
        }
    }

    /**
     * Runs {@code line} (a line of {@code session}) on this thread, with Ctrl-C interrupting it.
     * Returns whether a Ctrl-C came for it; this thread is not left interrupted either way.
     */
    boolean run(GogoSession session, Runnable line) {
        Running r = new Running(session, Thread.currentThread());
        synchronized (this) {
            // A Ctrl-C as the line was accepted reaches it as this thread's interrupt (JLine's
            // readLine ends so): it is this line's, whose job the caller must then stop.
            r.interrupted = Thread.currentThread().isInterrupted();
            running = r;
        }
        try {
            line.run();
        } finally {
            // Under the lock that interrupt() holds: a Ctrl-C as the line ends is either cleared
            // here or finds no line, and never interrupts the next prompt.
            synchronized (this) {
                running = null;
                Thread.interrupted();
            }
        }
        synchronized (this) {
            return r.interrupted;
        }
    }

    /** Whether a Ctrl-C came for the line running now (on its thread, while it runs). */
    synchronized boolean came() {
        return running != null && running.interrupted;
    }

    /**
     * After a Ctrl-C for the line running now, called on its thread: waits until the session's
     * commands have ended ({@link GogoSession#awaitCommandsEnded}), since Gogo lets the line go at
     * the interrupt while its command may still be running, and would print after the next prompt.
     * The job is interrupted again first (a Ctrl-C as the line was accepted reached only this
     * thread). Another Ctrl-C stops the wait.
     *
     * @return true when the commands ended (or there was nothing to wait for), false when another
     *     Ctrl-C came first
     */
    boolean awaitInterrupted(GogoSession session) {
        synchronized (this) {
            // The Ctrl-C's own interrupt of this thread, consumed: from here on only a further
            // Ctrl-C interrupts it (interrupt() takes this lock too, so none is lost in between).
            Thread.interrupted();
        }
        session.interruptForegroundJob();
        try {
            session.awaitCommandsEnded();
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** The INT handler: interrupts the line running (its job and its thread); nothing between lines. */
    synchronized void interrupt() {
        Running r = running;
        if (r == null) {
            return;
        }
        r.interrupted = true;
        r.session.interruptForegroundJob();
        r.thread.interrupt();
    }
}
