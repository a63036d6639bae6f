package org.bpfmaps.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a deploy-folder file shows by itself: the reasons FileInstall would skip it (it wants a jar
 * with Bundle-SymbolicName and Bundle-Version) or fail to install it (a version it cannot parse).
 * The framework's side (resolve and start failures, the line and the listing) is DeployProblemsIT's.
 */
class DeployProblemsTest {
    @TempDir
    Path dir;

    @Test
    void randomBytesAreNotABundle() throws IOException {
        Path f = Files.write(dir.resolve("x.jar"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals("not a bundle: zip END header not found", DeployProblems.notABundle(f));
    }

    @Test
    void anEmptyFileIsNotABundle() throws IOException {
        Path f = Files.write(dir.resolve("x.jar"), new byte[0]);
        assertEquals("not a bundle: zip file is empty", DeployProblems.notABundle(f));
    }

    @Test
    void aZipWithoutManifestIsNotABundle() throws IOException {
        Path f = dir.resolve("plain.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new ZipEntry("a.txt"));
            z.closeEntry();
        }
        assertEquals("not a bundle: no META-INF/MANIFEST.MF", DeployProblems.notABundle(f));
    }

    @Test
    void aPlainJarIsNotABundle() throws IOException {
        assertEquals("not a bundle: no Bundle-SymbolicName in its manifest",
                DeployProblems.notABundle(jar("plain.jar", null, null)));
        assertEquals("not a bundle: no Bundle-Version in its manifest",
                DeployProblems.notABundle(jar("noversion.jar", "a.b", null)));
    }

    @Test
    void aVersionThatDoesNotParseSaysWhy() throws IOException {
        assertEquals("bad Bundle-Version \"1.x\": non-numeric \"x\"", DeployProblems.notABundle(jar("v.jar", "a.b", "1.x")));
        assertEquals("bad Bundle-Version \"1.2.3.4.5\": invalid qualifier \"4.5\"",
                DeployProblems.notABundle(jar("w.jar", "a.b", "1.2.3.4.5")));
    }

    @Test
    void aBundleShowsNothingBadByItself() throws IOException {
        assertNull(DeployProblems.notABundle(jar("ok.jar", "a.b", "1.0.0.SNAPSHOT")));
    }

    @Test
    void aFileIsNamedFromTheWorkingDirectoryWhenUnderIt() {
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(Path.of("deploy", "x.jar").toString(), DeployProblems.display(cwd.resolve("deploy/x.jar")));
        assertEquals("/nowhere/deploy/x.jar", DeployProblems.display(Path.of("/nowhere/deploy/x.jar")));
    }

    private Path jar(String name, String bsn, String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (bsn != null) {
            a.putValue("Bundle-SymbolicName", bsn);
        }
        if (version != null) {
            a.putValue("Bundle-Version", version);
        }
        Path f = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(f); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new ZipEntry("a.txt"));
            j.closeEntry();
        }
        return f;
    }
}
