package org.bpfmaps.core.impl;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;

/**
 * An instance's virtual bpffs, mounted at {@code /sys/fs/bpf}: directories and pins, with the
 * kernel's errnos (kernel/bpf/inode.c). A pin holds a reference on its object, so a pinned map
 * outlives its fds; unlinking the pin drops it. Nothing here touches the host's real bpffs.
 *
 * <p>Paths are resolved as the VFS resolves them: absolute or relative to the JVM's working
 * directory, "." and ".." and repeated slashes folded. A name containing '.' is reserved by bpffs
 * (EPERM). A path outside the mount is EPERM for a pin, as the kernel answers a non-bpffs target.
 */
public final class BpfFs {
    public static final String MOUNT = "/sys/fs/bpf";
    private static final List<String> MOUNT_PARTS = List.of("sys", "fs", "bpf");

    private abstract static class Node {
    }

    /** A directory; its entries in creation order, the order the kernel's bpffs lists them in. */
    private static final class Dir extends Node {
        final Map<String, Node> children = new LinkedHashMap<>();
    }

    private static final class Pin extends Node {
        final BpfObject obj;

        Pin(BpfObject obj) {
            this.obj = obj;
        }
    }

    /** Result of resolving a path: the directory that should hold the last name, and the name. */
    private record Where(Dir parent, String name, int err) {
    }

    /** The longest name of one path component. */
    static final int NAME_MAX = 255;
    /** What {@link #split} answers for a path with a component over {@link #NAME_MAX}. */
    private static final List<String> TOO_LONG = List.of("\0too-long");

    private final Dir root = new Dir();

    /** Pins {@code obj} (the caller's reference is taken over on success) at {@code path}. */
    public synchronized int pin(String path, BpfObject obj, ErrorSink err) {
        Where w = parentOf(path, err, true);
        if (w.err != 0) {
            return w.err;
        }
        if (w.name == null || w.parent.children.containsKey(w.name)) {
            return err.fail(Errno.EEXIST, "pin path exists already");
        }
        if (w.name.indexOf('.') >= 0) {
            return err.fail(Errno.EPERM, "a bpffs name may not contain '.'");
        }
        if (path.endsWith("/")) {
            return err.fail(Errno.ENOENT, "a pin path may not end with '/'");
        }
        w.parent.children.put(w.name, new Pin(obj));
        return 0;
    }

    /** The pinned object at {@code path} with a new reference taken, or null with err set. */
    public synchronized BpfObject get(String path, ErrorSink err, int[] errOut) {
        List<String> parts = split(path);
        if (parts == null) {
            errOut[0] = err.fail(Errno.ENOENT, "empty path");
            return null;
        }
        if (parts == TOO_LONG) {
            errOut[0] = err.fail(Errno.ENAMETOOLONG, "a path component is longer than %d bytes", NAME_MAX);
            return null;
        }
        if (!insideMount(parts)) {
            errOut[0] = outsideGet(path, err);
            return null;
        }
        Node n = root;
        for (int i = MOUNT_PARTS.size(); i < parts.size(); i++) {
            if (!(n instanceof Dir d)) {
                errOut[0] = err.fail(Errno.ENOTDIR, "a component of the path is a pin, not a directory");
                return null;
            }
            String name = parts.get(i);
            Node next = d.children.get(name);
            if (next == null) {
                errOut[0] = name.indexOf('.') >= 0
                        ? err.fail(Errno.EPERM, "a bpffs name may not contain '.'")
                        : err.fail(Errno.ENOENT, "nothing is pinned at this path");
                return null;
            }
            n = next;
        }
        if (!(n instanceof Pin p)) {
            errOut[0] = err.fail(Errno.EACCES, "the path is a directory, not a pinned object");
            return null;
        }
        if (path.endsWith("/")) {
            errOut[0] = err.fail(Errno.ENOTDIR, "the path ends with '/' but names a pin");
            return null;
        }
        if (!p.obj.retain()) {
            errOut[0] = err.fail(Errno.ENOENT, "the pinned object is being freed");
            return null;
        }
        return p.obj;
    }

    public synchronized int mkdir(String path, ErrorSink err) {
        Where w = parentOf(path, err, false);
        if (w.err != 0) {
            return w.err;
        }
        if (w.name == null || w.parent.children.containsKey(w.name)) {
            return err.fail(Errno.EEXIST, "the path exists already");
        }
        if (w.name.indexOf('.') >= 0) {
            return err.fail(Errno.EPERM, "a bpffs name may not contain '.'");
        }
        w.parent.children.put(w.name, new Dir());
        return 0;
    }

    /** Removes a pin (dropping its reference) or an empty directory. */
    public int unlink(String path, ErrorSink err) {
        BpfObject dropped;
        synchronized (this) {
            Where w = parentOf(path, err, false);
            if (w.err != 0) {
                return w.err;
            }
            if (w.name == null) {
                return err.fail(Errno.EBUSY, "the bpffs root cannot be removed");
            }
            Node n = w.parent.children.get(w.name);
            if (n == null) {
                return err.fail(Errno.ENOENT, "nothing at this path");
            }
            if (n instanceof Dir d) {
                if (!d.children.isEmpty()) {
                    return err.fail(Errno.ENOTEMPTY, "the directory is not empty");
                }
                w.parent.children.remove(w.name);
                return 0;
            }
            w.parent.children.remove(w.name);
            dropped = ((Pin) n).obj;
        }
        dropped.release();
        return 0;
    }

    /** The pinned paths, each with its object, depth first, each directory's entries oldest first. */
    public synchronized List<Map.Entry<String, BpfObject>> pins() {
        List<Map.Entry<String, BpfObject>> out = new ArrayList<>();
        collect(root, MOUNT, out, false);
        return out;
    }

    /**
     * The pinned paths as {@code nftw} walks the kernel's bpffs: depth first, each directory's
     * entries newest first, the order in which its {@code readdir} lists them.
     */
    public synchronized List<Map.Entry<String, BpfObject>> walk() {
        List<Map.Entry<String, BpfObject>> out = new ArrayList<>();
        collect(root, MOUNT, out, true);
        return out;
    }

    /** Drops every pin and directory (the instance is closing). */
    void clear() {
        List<BpfObject> objs = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, BpfObject> e : pins()) {
                objs.add(e.getValue());
            }
            root.children.clear();
        }
        objs.forEach(BpfObject::release);
    }

    private static void collect(Dir d, String prefix, List<Map.Entry<String, BpfObject>> out, boolean newestFirst) {
        List<Map.Entry<String, Node>> entries = new ArrayList<>(d.children.entrySet());
        if (newestFirst) {
            java.util.Collections.reverse(entries);
        }
        for (Map.Entry<String, Node> e : entries) {
            String p = prefix + "/" + e.getKey();
            if (e.getValue() instanceof Pin pin) {
                out.add(Map.entry(p, pin.obj));
            } else {
                collect((Dir) e.getValue(), p, out, newestFirst);
            }
        }
    }

    /**
     * Resolves all but the last component, which must be missing for a creation. name is null when
     * the path is the mount point itself.
     */
    private Where parentOf(String path, ErrorSink err, boolean forPin) {
        List<String> parts = split(path);
        if (parts == null) {
            return new Where(null, null, err.fail(Errno.ENOENT, "empty path"));
        }
        if (parts == TOO_LONG) {
            return new Where(null, null, err.fail(Errno.ENAMETOOLONG, "a path component is longer than %d bytes",
                    NAME_MAX));
        }
        if (!insideMount(parts)) {
            return new Where(null, null, err.fail(Errno.EPERM,
                    forPin ? "the path is not in a bpffs: pins live under " + MOUNT
                            : "the path is not in this instance's bpffs (" + MOUNT + ")"));
        }
        if (parts.size() == MOUNT_PARTS.size()) {
            return new Where(root, null, 0);
        }
        Dir d = root;
        for (int i = MOUNT_PARTS.size(); i < parts.size() - 1; i++) {
            String name = parts.get(i);
            Node n = d.children.get(name);
            if (n == null) {
                return new Where(null, null, name.indexOf('.') >= 0
                        ? err.fail(Errno.EPERM, "a bpffs name may not contain '.'")
                        : err.fail(Errno.ENOENT, "a parent directory of the path does not exist"));
            }
            if (!(n instanceof Dir)) {
                return new Where(null, null, err.fail(Errno.ENOTDIR, "a component of the path is a pin"));
            }
            d = (Dir) n;
        }
        return new Where(d, parts.get(parts.size() - 1), 0);
    }

    private static boolean insideMount(List<String> parts) {
        return parts.size() >= MOUNT_PARTS.size() && parts.subList(0, MOUNT_PARTS.size()).equals(MOUNT_PARTS);
    }

    /** OBJ_GET outside the bpffs: the host path's errno (ENOENT if missing, else EACCES). */
    private static int outsideGet(String path, ErrorSink err) {
        boolean exists;
        try {
            exists = Files.exists(Path.of(path));
        } catch (InvalidPathException | SecurityException e) {
            exists = false;
        }
        return exists ? err.fail(Errno.EACCES, "the path is not a pinned object (not in " + MOUNT + ")")
                : err.fail(Errno.ENOENT, "no such path (pins live under " + MOUNT + ")");
    }

    /** The path's components after the VFS's folding, or null for an empty path. */
    static List<String> split(String path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        String full = path.startsWith("/") ? path : System.getProperty("user.dir", "/") + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String p : full.split("/")) {
            if (p.length() > NAME_MAX) {
                return TOO_LONG;
            }
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(p);
        }
        return parts;
    }
}
