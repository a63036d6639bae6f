package org.bpfmaps.launcher;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The process's standard streams as handed to Gogo: closing them does nothing.
 *
 * <p>Gogo closes a job's streams when the job is interrupted (Ctrl-C). Closing the real
 * standard output makes the JDK point file descriptor 1 at /dev/null, and the terminal would
 * show nothing more for the rest of the session, not even what is typed.
 */
final class KeptOpen {
    private KeptOpen() {}

    static InputStream in(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // Stays open for the next command.
            }
        };
    }

    static OutputStream out(OutputStream out) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.flush(); // and stays open for the next command
            }
        };
    }
}
