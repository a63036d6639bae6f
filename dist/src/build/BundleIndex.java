import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;

/**
 * Build step of the dist module (run by exec-maven-plugin as a single-file program):
 * {@code java BundleIndex.java BNDRUN EXPORT_DIR OUT_DIR}.
 *
 * <p>bnd's {@code bnd.runbundles} exporter writes the resolved bundles into EXPORT_DIR as a plain
 * folder, which keeps no order. This copies each one to OUT_DIR as {@code BSN-VERSION.jar} and
 * writes {@code OUT_DIR/index}: one line {@code FILE BSN VERSION} per bundle, in the order of the
 * bndrun's {@code -runbundles}, which is the order the launcher installs and starts them in.
 * It fails when a -runbundles entry has no exported jar or an exported jar is in no entry.
 */
public final class BundleIndex {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: BundleIndex BNDRUN EXPORT_DIR OUT_DIR");
        }
        List<String[]> runbundles = runbundles(Path.of(args[0]));
        Map<String, Path> jars = jarsByBsn(Path.of(args[1]));
        Path out = Path.of(args[2]);
        Files.createDirectories(out);

        StringBuilder index = new StringBuilder("# bundles of bpfmaps.jar in -runbundles order: FILE BSN VERSION\n");
        for (String[] entry : runbundles) {
            String bsn = entry[0];
            Path jar = jars.remove(bsn);
            if (jar == null) {
                throw new IllegalStateException("-runbundles names " + bsn + " but the export has no such bundle");
            }
            String version = header(jar, "Bundle-Version");
            String file = bsn + "-" + version + ".jar";
            Files.copy(jar, out.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            index.append(file).append(' ').append(bsn).append(' ').append(version).append('\n');
        }
        if (!jars.isEmpty()) {
            throw new IllegalStateException("exported but not in -runbundles: " + jars.keySet());
        }
        Files.writeString(out.resolve("index"), index, StandardCharsets.UTF_8);
        System.out.println("BundleIndex: " + runbundles.size() + " bundles into " + out);
    }

    /** The -runbundles entries as {bsn, attributes}, in order. A bndrun reads as a properties file. */
    private static List<String[]> runbundles(Path bndrun) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(bndrun, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String value = p.getProperty("-runbundles", "").strip();
        if (value.isEmpty()) {
            throw new IllegalStateException(bndrun + " has no -runbundles (resolve it first)");
        }
        List<String[]> out = new ArrayList<>();
        for (String clause : splitOutsideQuotes(value)) {
            String c = clause.strip();
            int semi = c.indexOf(';');
            out.add(new String[] {semi < 0 ? c : c.substring(0, semi).strip(), semi < 0 ? "" : c.substring(semi + 1)});
        }
        return out;
    }

    /** Splits at commas that are not inside quotes (version ranges such as '[1.1,1.2)' hold one). */
    private static List<String> splitOutsideQuotes(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        for (char ch : s.toCharArray()) {
            if (quote != 0) {
                quote = ch == quote ? 0 : quote;
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(ch);
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }

    private static Map<String, Path> jarsByBsn(Path dir) throws IOException {
        Map<String, Path> out = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path jar : ds) {
                String bsn = header(jar, "Bundle-SymbolicName").split(";")[0].strip();
                if (out.put(bsn, jar) != null) {
                    throw new IllegalStateException("two exported jars for " + bsn);
                }
            }
        }
        return out;
    }

    private static String header(Path jar, String name) throws IOException {
        try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
            Manifest m = j.getManifest();
            String v = m == null ? null : m.getMainAttributes().getValue(new Attributes.Name(name));
            if (v == null) {
                throw new IllegalStateException(jar + " has no " + name);
            }
            return v.strip();
        }
    }
}
