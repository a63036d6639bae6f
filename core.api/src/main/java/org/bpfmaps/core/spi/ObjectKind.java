package org.bpfmaps.core.spi;

import java.util.Objects;
import org.bpfmaps.core.api.BpfCmd;

/**
 * A kind of object an instance's fds and pins can refer to: maps, and what bundles add (sockets,
 * programs, links, XSK sockets). The kind holds the rules the core applies to every object of it,
 * as the kernel applies them per file type:
 * <ul>
 * <li><b>ids</b>: a kind with ids has an id space of its own in each instance (the kernel's
 * {@code map_idr}, {@code prog_idr}, {@code link_idr}), walked and opened by its pair of commands
 * ({@code PROG_GET_NEXT_ID} / {@code PROG_GET_FD_BY_ID}, ...); a kind without ids (sockets) is
 * reached through fds only;</li>
 * <li><b>pinning</b>: OBJ_PIN accepts maps, programs and links only; any other fd is EINVAL, as
 * the kernel's {@code bpf_fd_probe_obj} answers.</li>
 * </ul>
 * What OBJ_GET_INFO_BY_FD answers and what happens when the last reference goes are the object's
 * ({@link HostedObject#info}, {@link HostedObject#release}).
 *
 * <p>Kinds are compared by identity: make each once (a constant) and use that instance. Only
 * {@link #MAP} answers the map commands; a kind with ids names the PROG_ or LINK_ pair, and in one
 * instance only one kind may answer a pair.
 */
public final class ObjectKind {
    /** Maps: ids (MAP_GET_NEXT_ID, MAP_GET_FD_BY_ID), pinnable. The core makes them (MAP_CREATE). */
    public static final ObjectKind MAP = new ObjectKind("map", BpfCmd.MAP_GET_NEXT_ID, BpfCmd.MAP_GET_FD_BY_ID,
            true);

    /**
     * Programs: ids (PROG_GET_NEXT_ID, PROG_GET_FD_BY_ID), pinnable. The core makes them
     * (PROG_LOAD), as it makes maps.
     *
     * @since 2.4
     */
    public static final ObjectKind PROG = withIds("prog", BpfCmd.PROG_GET_NEXT_ID, BpfCmd.PROG_GET_FD_BY_ID);

    /**
     * Links: ids (LINK_GET_NEXT_ID, LINK_GET_FD_BY_ID), pinnable. The core makes them
     * (LINK_CREATE: XDP links on the instance's devices).
     *
     * @since 2.6
     */
    public static final ObjectKind LINK = withIds("link", BpfCmd.LINK_GET_NEXT_ID, BpfCmd.LINK_GET_FD_BY_ID);

    private final String name;
    private final BpfCmd nextIdCommand;
    private final BpfCmd fdByIdCommand;
    private final boolean pinnable;

    private ObjectKind(String name, BpfCmd nextIdCommand, BpfCmd fdByIdCommand, boolean pinnable) {
        this.name = Objects.requireNonNull(name, "name");
        this.nextIdCommand = nextIdCommand;
        this.fdByIdCommand = fdByIdCommand;
        this.pinnable = pinnable;
    }

    /**
     * A kind without ids that cannot be pinned, such as sockets: its objects are reached through
     * their fds only.
     *
     * @param name what messages and listings call the kind ("socket")
     */
    public static ObjectKind fdOnly(String name) {
        return new ObjectKind(name, null, null, false);
    }

    /**
     * A kind with ids in an id space of its own, walked by {@code nextIdCommand} and opened by
     * {@code fdByIdCommand}, and pinnable as programs and links are.
     *
     * @param nextIdCommand {@link BpfCmd#PROG_GET_NEXT_ID} or {@link BpfCmd#LINK_GET_NEXT_ID}
     * @param fdByIdCommand the same family's GET_FD_BY_ID
     * @throws IllegalArgumentException for another pair (the map pair is {@link #MAP}'s own)
     */
    public static ObjectKind withIds(String name, BpfCmd nextIdCommand, BpfCmd fdByIdCommand) {
        boolean prog = nextIdCommand == BpfCmd.PROG_GET_NEXT_ID && fdByIdCommand == BpfCmd.PROG_GET_FD_BY_ID;
        boolean link = nextIdCommand == BpfCmd.LINK_GET_NEXT_ID && fdByIdCommand == BpfCmd.LINK_GET_FD_BY_ID;
        if (!prog && !link) {
            throw new IllegalArgumentException("kind " + name + ": the id commands must be PROG_GET_NEXT_ID and "
                    + "PROG_GET_FD_BY_ID, or LINK_GET_NEXT_ID and LINK_GET_FD_BY_ID, not " + nextIdCommand + " and "
                    + fdByIdCommand);
        }
        return new ObjectKind(name, nextIdCommand, fdByIdCommand, true);
    }

    public String name() {
        return name;
    }

    /** Whether objects of this kind get ids (and so are reached by the kind's id commands). */
    public boolean hasIds() {
        return nextIdCommand != null;
    }

    /** Whether OBJ_PIN accepts an fd of this kind. */
    public boolean pinnable() {
        return pinnable;
    }

    /** The command that walks this kind's ids, or null for a kind without ids. */
    public BpfCmd nextIdCommand() {
        return nextIdCommand;
    }

    /** The command that opens an fd on an object of this kind by its id, or null. */
    public BpfCmd fdByIdCommand() {
        return fdByIdCommand;
    }

    @Override
    public String toString() {
        return name;
    }
}
