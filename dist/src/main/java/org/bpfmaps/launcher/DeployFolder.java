package org.bpfmaps.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The deploy folder, watched by Apache Felix FileInstall: a provider jar copied in is installed
 * and started, replacing it updates the bundle, deleting it uninstalls it, without a restart of
 * anything else (Apache Karaf's {@code deploy/}). Relative to the working directory unless
 * {@value #PROPERTY} says otherwise; created if missing, since FileInstall will not watch a folder
 * that does not exist.
 */
final class DeployFolder {
    /** System property: the folder to watch. */
    static final String PROPERTY = "bpfmaps.deploy";
    /** Framework property the shell reads to point users at the folder. */
    static final String FRAMEWORK_PROPERTY = "felix.fileinstall.dir";

    private DeployFolder() {
    }

    /** The folder, made absolute and created; null (and a line in {@code log}) if it cannot be made. */
    static Path prepare(java.io.PrintStream log) {
        Path dir = Path.of(System.getProperty(PROPERTY, "deploy")).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            return dir;
        } catch (IOException | SecurityException e) {
            log.println("bpfmaps: no deploy folder (" + e + "); providers can still be installed by hand");
            return null;
        }
    }

    /** FileInstall's poll: a jar is served within a second. */
    static final long POLL_MS = 250;

    /**
     * FileInstall's settings: poll every {@value #POLL_MS} ms, log errors and warnings (failed
     * installs, updates and starts) through java.util.logging, where {@link DeployProblems} turns
     * them into one line and a problem that {@code providers} lists.
     */
    static void configure(Map<String, Object> config, Path dir) {
        if (dir == null) {
            // FileInstall would watch ./load; give it nothing to do instead
            config.put("felix.fileinstall.dir", "");
            return;
        }
        config.put(FRAMEWORK_PROPERTY, dir.toString());
        config.put("felix.fileinstall.poll", Long.toString(POLL_MS));
        config.put("felix.fileinstall.noInitialDelay", "true");
        config.put("felix.fileinstall.filter", ".*\\.jar");
        // standard output carries command output only: FileInstall's messages go to java.util.logging
        // (DeployProblems takes them); level 2 includes the start failures, which it logs as warnings
        config.put("felix.fileinstall.log.default", "jul");
        config.put("felix.fileinstall.log.level", "2");
    }
}
