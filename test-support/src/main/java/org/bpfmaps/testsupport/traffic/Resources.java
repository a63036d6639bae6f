package org.bpfmaps.testsupport.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What a proxy must give back when connections close: file descriptors and threads. */
public final class Resources {
    private Resources() {
    }

    /** Open file descriptors of this process (the entries of /proc/self/fd, less the listing's own). */
    public static int openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the live threads whose names start with one of {@code prefixes}. */
    public static List<String> liveThreads(String... prefixes) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> Stream.of(prefixes).anyMatch(n::startsWith))
                .sorted()
                .collect(Collectors.toList());
    }
}
