package org.bpfmaps.core.spi;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ErrorSink;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The objects of one instance that are not maps: how a bundle installs a {@link HostedObject}
 * (a socket, a program, a link) and gets an fd for it, as a socket(2) or PROG_LOAD returns one.
 * Every instance the core makes is one: the {@link Bpf} service (registered under this interface
 * too) and each instance of {@link org.bpfmaps.core.api.BpfRuntime#newInstance}; {@link #of} finds
 * it behind a {@link Bpf}.
 *
 * <p>Once installed, the object is an ordinary fd of the instance: the fd is the lowest free
 * number, shared with maps; {@link Bpf#close} drops it; OBJ_PIN, OBJ_GET, the kind's id commands
 * and OBJ_GET_INFO_BY_FD follow the {@link ObjectKind}'s rules; closing the instance releases it.
 */
@ProviderType
public interface ObjectHost {
    /**
     * Installs an object and opens an fd on it, which holds the object's one reference. A kind
     * with ids gives the object the next id of the kind's id space first. Install an object once:
     * more fds on it come from the commands (OBJ_GET, the kind's GET_FD_BY_ID).
     *
     * @param accessFlags the fd's mode: 0, {@link org.bpfmaps.core.api.BpfFlags#F_RDONLY} or
     *     {@link org.bpfmaps.core.api.BpfFlags#F_WRONLY}
     * @param err where the reason of a failure goes (may be null)
     * @return the fd, or a negated errno: EINVAL (bad access flags, or another kind answers this
     *     kind's id commands in this instance), ENOSPC (the kind's ids are exhausted), EMFILE (the
     *     instance's fd limit). On failure the object was released ({@link HostedObject#release}
     *     ran), as the kernel puts an object it could not give an fd for.
     * @throws NullPointerException when obj or its kind is null
     */
    int install(HostedObject obj, int accessFlags, ErrorSink err);

    /**
     * The object behind an open fd, when it is of this kind; null for an fd that is not open or
     * refers to something else. For a bundle's own commands on its fds (a socket's send on its fd).
     */
    HostedObject object(int fd, ObjectKind kind);

    /** The id of the object behind an open fd: 0 for a kind without ids, -EBADF for an fd that is not open. */
    int id(int fd);

    /**
     * The BPF lines of {@code /proc/self/fdinfo/FD} for an open fd of any kind, in order: for a map
     * the kernel's {@code map_type}, {@code key_size}, ..., {@code map_id}, {@code frozen}; for a
     * hosted object what its {@link HostedObject#fdinfo} says. Null for an fd that is not open.
     * ({@link Bpf#fdinfo} is the typed form for maps.)
     */
    Map<String, String> fdinfoLines(int fd);

    /**
     * The paths pinned in the instance's bpffs to an object of this kind, each with the object's
     * id, in the order of {@link Bpf#pinnedMaps()} (which is this for {@link ObjectKind#MAP}).
     */
    Map<String, Integer> pinned(ObjectKind kind);

    /**
     * The open fds whose objects are of this kind, with the objects, lowest fd first: how a bundle
     * lists what it installed (the shell's {@code sock list}). An object with several fds is there
     * once per fd. Empty for {@link ObjectKind#MAP}: maps are no {@link HostedObject}s ({@link Bpf}
     * walks them by id).
     *
     * @since 2.3
     */
    SortedMap<Integer, HostedObject> objects(ObjectKind kind);

    /**
     * The id of the map of this instance whose element operations are {@code ops} now (compared by
     * identity): how an object that maps hold tells which maps hold it (a socket's
     * {@link org.bpfmaps.core.sock.SocketLink}), as the kernel's links point at the {@code bpf_map}.
     * 0 when no map of this instance runs on them: freed, detached from its provider (during an
     * update of its bundle; the provider's next ops are another object), or another instance's.
     *
     * @since 2.3
     */
    int mapId(MapOps ops);

    /** The host behind a {@link Bpf} of the core, or empty for another implementation (a test double). */
    static Optional<ObjectHost> of(Bpf bpf) {
        return bpf instanceof ObjectHost h ? Optional.of(h) : Optional.empty();
    }
}
