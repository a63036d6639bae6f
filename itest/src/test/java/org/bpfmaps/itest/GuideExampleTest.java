package org.bpfmaps.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MapType;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/writing-a-provider.md} as its reader uses it: the files the page shows are written
 * out of the page itself, compiled against core.api, made into a bundle by bnd (the engine of the
 * bnd-maven-plugin the page's pom uses, with the page's bnd.bnd), and the jar is copied into the
 * deploy folder of a running framework, where FileInstall installs it. The provider then serves
 * STACK maps; deleting the jar detaches them, copying it back brings them back with their
 * elements. If the page's code stops compiling or working, this fails.
 */
class GuideExampleTest {
    private static final Path GUIDE = Path.of("../docs/writing-a-provider.md");
    private static final String STACK_PROVIDER = "(&" + OsgiFramework.MAP_PROVIDER + "(bpf.map.types=stack))";

    @Test
    void theGuidesProviderBuildsAndHotLoads() throws Exception {
        Path work = OsgiFramework.targetDir().resolve("guide-example");
        deleteTree(work);
        Map<String, String> files = filesOf(Files.readString(GUIDE));
        assertTrue(files.keySet().containsAll(List.of("pom.xml", "bnd.bnd")), "the page shows " + files.keySet());
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve("project").resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        Path jar = build(work.resolve("project"), work.resolve("example-stack-1.0.0.jar"));

        Path deploy = Files.createDirectories(work.resolve("deploy"));
        try (OsgiFramework osgi = OsgiFramework.start("GuideExampleTest", List.of(OsgiFramework.FILEINSTALL),
                OsgiFramework.fileInstall(deploy))) {
            Bpf bpf = osgi.bpf();
            Files.copy(jar, deploy.resolve(jar.getFileName()));
            osgi.awaitService(STACK_PROVIDER);
            osgi.awaitMapType(MapType.STACK, true);

            MapCreateAttr create = new MapCreateAttr(MapType.STACK, 0, 4, 8).name("guide");
            int fd = bpf.bpf(BpfCmd.MAP_CREATE, create);
            assertTrue(fd >= 3, () -> "create: " + Errno.nameOf(fd) + " " + create.errorMessage());
            for (int i = 1; i <= 3; i++) {
                assertEquals(0, push(bpf, fd, i));
            }
            assertEquals(3, pop(bpf, fd), "last in, first out");

            Files.delete(deploy.resolve(jar.getFileName()));
            osgi.awaitMapType(MapType.STACK, false);
            // the provider leaves the registry before its maps are exported: wait for the listing
            OsgiFramework.await(() -> osgi.runtime().detachedMaps().stream()
                    .anyMatch(d -> d.type() == MapType.STACK && d.elements() == 2), "the stack listed with 2 elements");
            assertEquals(Errno.ENODEV.ret(), push(bpf, fd, 9), "detached while the jar is gone");

            Files.copy(jar, deploy.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            osgi.awaitService(STACK_PROVIDER);
            osgi.awaitMapType(MapType.STACK, true);
            // the provider joins the registry before it takes the detached maps back
            OsgiFramework.await(() -> osgi.runtime().detachedMaps().isEmpty(), "the stack attached again");
            assertEquals(2, pop(bpf, fd), "the stack came back with its elements, in order");
            assertEquals(1, pop(bpf, fd));
            assertEquals(Errno.ENOENT.ret(), pop(bpf, fd));
            assertEquals(0, bpf.close(fd));
            osgi.assertNoProblems();
        }
    }

    private static int push(Bpf bpf, int fd, int v) {
        return bpf.bpf(BpfCmd.MAP_UPDATE_ELEM, new MapElemAttr().set(fd, null, u32(v), 0));
    }

    /** The popped value, or the negated errno. */
    private static int pop(Bpf bpf, int fd) {
        ByteBuffer v = u32(0);
        int r = bpf.bpf(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, new MapElemAttr().set(fd, null, v, 0));
        return r == 0 ? v.getInt(0) : r;
    }

    private static ByteBuffer u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, v);
    }

    /** The code blocks of the page whose info string names a file ({@code ```java file=src/...}). */
    static Map<String, String> filesOf(String page) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^```\\w+ file=(\\S+)\\n(.*?)^```$", Pattern.DOTALL).matcher(page);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    /** javac against the class path's core.api and annotations, then bnd with the page's bnd.bnd. */
    private static Path build(Path project, Path jar) throws Exception {
        Path classes = Files.createDirectories(project.resolve("target/classes"));
        List<String> sources;
        try (var s = Files.walk(project.resolve("src/main/java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList());
        }
        String cp = compileClassPath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-cp", cp));
        args.addAll(sources);
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the page's code compiles");

        try (Builder b = new Builder()) {
            Properties bnd = new Properties();
            try (var in = Files.newBufferedReader(project.resolve("bnd.bnd"))) {
                bnd.load(in);
            }
            b.setProperties(bnd);
            b.setBase(project.toFile());
            b.setJar(new Jar(classes.toFile()));
            List<File> path = new ArrayList<>();
            for (String e : cp.split(File.pathSeparator)) {
                path.add(new File(e));
            }
            b.setClasspath(path.toArray(File[]::new));
            Jar built = b.build();
            assertTrue(b.isOk(), () -> "bnd: " + b.getErrors());
            built.write(jar.toFile());
        }
        return jar;
    }

    /** The jars a provider compiles against: core.api and the DS and bundle annotations. */
    private static String compileClassPath() {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("core.api") || name.startsWith("org.osgi.service.component.annotations")
                    || name.startsWith("osgi.annotation") || e.endsWith("core.api/target/classes")) {
                keep.add(e);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(p);
            }
        }
    }
}
