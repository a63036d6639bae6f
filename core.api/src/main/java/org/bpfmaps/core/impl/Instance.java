package org.bpfmaps.core.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bpfmaps.core.api.BpfAttr;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.InfoAttr;
import org.bpfmaps.core.api.LinkCreateAttr;
import org.bpfmaps.core.api.LinkDetachAttr;
import org.bpfmaps.core.api.LinkUpdateAttr;
import org.bpfmaps.core.api.MapBatchAttr;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapElemAttr;
import org.bpfmaps.core.api.MmapAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.spi.HostedObject;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.ObjectHost;
import org.bpfmaps.core.spi.ObjectKind;

/**
 * One instance of the {@code bpf(2)} world: an object table, its ids, a bpffs, settings and a
 * memory budget, with the dispatcher that routes each command to the code that implements it
 * (the kernel's {@code __sys_bpf} switch). Maps are served by the shared {@link ProviderRegistry};
 * other objects (sockets, programs, links) are installed by bundles through {@link ObjectHost}.
 */
public final class Instance implements BpfInstance, ObjectHost, ProviderRegistry.Listener,
        ProgramRegistry.Listener {
    final ObjectTable table;
    final BpfFs fs = new BpfFs();
    final BpfSettings settings;
    /** Heap bytes: maps' Java objects and the core's bookkeeping of each. */
    final MemoryBudget budget;
    /** Direct buffer bytes: maps' off-heap storage. */
    final MemoryBudget directBudget;
    final ProviderRegistry registry;
    private final Set<MapObject> maps = ConcurrentHashMap.newKeySet();
    private final Set<ProgObject> progs = ConcurrentHashMap.newKeySet();
    private final ElemCommands elem = new ElemCommands(this);
    /** The XDP program of each of the instance's devices (org.bpfmaps.core.xdp.NetDevices). */
    private final org.bpfmaps.core.impl.xdp.DeviceXdp deviceXdp = new org.bpfmaps.core.impl.xdp.DeviceXdp();
    /** What decides {@link #deviceXdp}: links and link-less programs on each device, dev_xdp_attach's rules. */
    private final XdpDevices xdpDevices = new XdpDevices(deviceXdp);
    /** The data path of the instance's sockets that took programs; made at the first. Guarded by this. */
    private org.bpfmaps.core.impl.datapath.DataPath dataPath;
    private org.bpfmaps.core.impl.datapath.DataPath.Config dataPathConfig =
            org.bpfmaps.core.impl.datapath.DataPath.Config.defaults();
    private boolean closed;

    public Instance(BpfSettings settings, ProviderRegistry registry) {
        this.settings = settings;
        this.registry = registry;
        this.table = new ObjectTable(settings.maxFds());
        this.budget = new MemoryBudget("heap", BpfSettings.MEMORY_BUDGET, settings.memoryBudget());
        this.directBudget = new MemoryBudget("direct", BpfSettings.DIRECT_MEMORY_BUDGET,
                settings.directMemoryBudget());
        registry.addListener(this);
        registry.programs.addListener(this);
    }

    @Override
    public int bpf(int cmd, BpfAttr attr) {
        BpfCmd c = BpfCmd.of(cmd);
        if (c == null) {
            if (attr != null) {
                attr.clearError();
                return attr.fail(Errno.EINVAL, "command %d is not a bpf(2) command", cmd);
            }
            return Errno.EINVAL.ret();
        }
        return bpf(c, attr);
    }

    @Override
    public int bpf(BpfCmd cmd, BpfAttr attr) {
        if (attr == null) {
            return Errno.EFAULT.ret();
        }
        attr.clearError();
        switch (cmd) {
            case MAP_LOOKUP_ELEM:
                return attr instanceof MapElemAttr a ? elem.lookup(a) : wrongAttr(cmd, attr);
            case MAP_UPDATE_ELEM:
                return attr instanceof MapElemAttr a ? elem.update(a) : wrongAttr(cmd, attr);
            case MAP_DELETE_ELEM:
                return attr instanceof MapElemAttr a ? elem.delete(a) : wrongAttr(cmd, attr);
            case MAP_GET_NEXT_KEY:
                return attr instanceof MapElemAttr a ? elem.getNextKey(a) : wrongAttr(cmd, attr);
            case MAP_LOOKUP_AND_DELETE_ELEM:
                return attr instanceof MapElemAttr a ? elem.lookupAndDelete(a) : wrongAttr(cmd, attr);
            case MAP_FREEZE:
                return attr instanceof MapElemAttr a ? elem.freeze(a) : wrongAttr(cmd, attr);
            case MAP_CREATE:
                return attr instanceof MapCreateAttr a ? MapCreator.create(this, a) : wrongAttr(cmd, attr);
            case MAP_LOOKUP_BATCH:
            case MAP_LOOKUP_AND_DELETE_BATCH:
            case MAP_UPDATE_BATCH:
            case MAP_DELETE_BATCH:
                return attr instanceof MapBatchAttr a ? elem.batch(cmd, a) : wrongAttr(cmd, attr);
            case PROG_LOAD:
                return attr instanceof ProgLoadAttr a ? ProgLoader.load(this, a) : wrongAttr(cmd, attr);
            case PROG_ATTACH:
                return attr instanceof ProgAttachAttr a ? ProgAttach.attach(this, a) : wrongAttr(cmd, attr);
            case PROG_DETACH:
                return attr instanceof ProgAttachAttr a ? ProgAttach.detach(this, a) : wrongAttr(cmd, attr);
            case PROG_QUERY:
                return attr instanceof ProgQueryAttr a ? ProgAttach.query(this, a) : wrongAttr(cmd, attr);
            case LINK_CREATE:
                return attr instanceof LinkCreateAttr a ? LinkCommands.create(this, a) : wrongAttr(cmd, attr);
            case LINK_UPDATE:
                return attr instanceof LinkUpdateAttr a ? LinkCommands.update(this, a) : wrongAttr(cmd, attr);
            case LINK_DETACH:
                return attr instanceof LinkDetachAttr a ? LinkCommands.detach(this, a) : wrongAttr(cmd, attr);
            case OBJ_PIN:
                return attr instanceof ObjAttr a ? ObjCommands.pin(this, a) : wrongAttr(cmd, attr);
            case OBJ_GET:
                return attr instanceof ObjAttr a ? ObjCommands.get(this, a) : wrongAttr(cmd, attr);
            case MAP_GET_NEXT_ID:
            case PROG_GET_NEXT_ID:
            case LINK_GET_NEXT_ID:
                return attr instanceof GetIdAttr a ? ObjCommands.nextId(this, cmd, a) : wrongAttr(cmd, attr);
            case MAP_GET_FD_BY_ID:
            case PROG_GET_FD_BY_ID:
            case LINK_GET_FD_BY_ID:
                return attr instanceof GetIdAttr a ? ObjCommands.fdById(this, cmd, a) : wrongAttr(cmd, attr);
            case OBJ_GET_INFO_BY_FD:
                return attr instanceof InfoAttr a ? ObjCommands.info(this, a) : wrongAttr(cmd, attr);
            default:
                return attr.fail(Errno.EINVAL, "command %d (" + cmd + ") is not implemented here yet",
                        cmd.number());
        }
    }

    private static int wrongAttr(BpfCmd cmd, BpfAttr attr) {
        return attr.fail(Errno.EINVAL, cmd + " does not take a " + attr.getClass().getSimpleName());
    }

    @Override
    public int close(int fd) {
        return table.close(fd) ? 0 : Errno.EBADF.ret();
    }

    @Override
    public int mmap(MmapAttr attr) {
        if (attr == null) {
            return Errno.EFAULT.ret();
        }
        attr.clearError();
        return elem.mmap(attr);
    }

    @Override
    public int mkdir(String path, ErrorSink err) {
        return fs.mkdir(path, err != null ? err : NO_SINK);
    }

    @Override
    public int unlink(String path, ErrorSink err) {
        return fs.unlink(path, err != null ? err : NO_SINK);
    }

    @Override
    public org.bpfmaps.core.api.MapFdInfo fdinfo(int fd) {
        return table.get(fd) instanceof MapObject m ? m.fdinfo() : null;
    }

    @Override
    public java.util.Map<String, Integer> pinnedMaps() {
        return pinned(ObjectKind.MAP);
    }

    @Override
    public java.util.Map<String, Integer> pinned(ObjectKind kind) {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, BpfObject> e : fs.walk()) {
            if (e.getValue().kind() == kind) {
                out.put(e.getKey(), e.getValue().id());
            }
        }
        return out;
    }

    @Override
    public int install(HostedObject obj, int accessFlags, ErrorSink err) {
        ErrorSink sink = err != null ? err : NO_SINK;
        int mask = BpfFlags.F_RDONLY | BpfFlags.F_WRONLY;
        Hosted o = new Hosted(obj);
        if ((accessFlags & ~mask) != 0 || accessFlags == mask) {
            o.release();
            return sink.fail(Errno.EINVAL, "access flags 0x%x: 0, BPF_F_RDONLY or BPF_F_WRONLY", accessFlags);
        }
        int id = table.publish(o);
        if (id < 0) {
            o.release();
            return id == Errno.ENOSPC.ret()
                    ? sink.fail(Errno.ENOSPC, "no " + o.kind().name() + " id is free")
                    : sink.fail(Errno.EINVAL, "another kind answers " + o.kind().nextIdCommand() + " in this instance");
        }
        return ObjCommands.install(this, o, accessFlags, sink);
    }

    @Override
    public HostedObject object(int fd, ObjectKind kind) {
        return table.get(fd) instanceof Hosted h && h.kind() == kind ? h.body : null;
    }

    @Override
    public java.util.SortedMap<Integer, HostedObject> objects(ObjectKind kind) {
        java.util.SortedMap<Integer, HostedObject> out = new java.util.TreeMap<>();
        for (int fd : table.openFds()) {
            HostedObject o = object(fd, kind); // null when closed meanwhile
            if (o != null) {
                out.put(fd, o);
            }
        }
        return out;
    }

    @Override
    public int mapId(MapOps ops) {
        for (MapObject m : maps) {
            if (ops != null && m.ops == ops) {
                return m.id();
            }
        }
        return 0;
    }

    @Override
    public int id(int fd) {
        BpfObject o = table.get(fd);
        return o == null ? Errno.EBADF.ret() : o.id();
    }

    @Override
    public java.util.Map<String, String> fdinfoLines(int fd) {
        BpfObject o = table.get(fd);
        return o == null ? null : o.fdinfoLines();
    }

    @Override
    public org.bpfmaps.core.api.ElemPath elemPath(int fd) {
        FdEntry e = table.entry(fd);
        return e != null && e.obj instanceof MapObject m ? m.bind(e, fd) : null;
    }

    @Override
    public BpfSettings settings() {
        return settings;
    }

    public ObjectTable table() {
        return table;
    }

    public BpfFs fs() {
        return fs;
    }

    /** Bytes charged to the budgets (heap and direct) by live maps, attached or detached. */
    public long memoryUsed() {
        return budget.used() + directBudget.used();
    }

    /** Heap bytes charged to the heap budget by live maps. */
    public long heapMemoryUsed() {
        return budget.used();
    }

    /** Direct bytes charged to the direct budget by live maps. */
    public long directMemoryUsed() {
        return directBudget.used();
    }

    /** The live maps of this instance (attached or detached). */
    public List<MapObject> maps() {
        return new ArrayList<>(maps);
    }

    /** The live programs of this instance (bound or not). */
    public List<ProgObject> programs() {
        return new ArrayList<>(progs);
    }

    /** The XDP program running on each of the instance's devices. */
    public org.bpfmaps.core.impl.xdp.DeviceXdp deviceXdp() {
        return deviceXdp;
    }

    /** The XDP control plane of the instance's devices: links and link-less programs. */
    public XdpDevices xdpDevices() {
        return xdpDevices;
    }

    /** The program code bundles contribute by name, shared with the runtime's other instances. */
    ProgramRegistry programRegistry() {
        return registry.programs;
    }

    void track(ProgObject p) {
        progs.add(p);
    }

    void forget(ProgObject p) {
        progs.remove(p);
    }

    @Override
    public void programAdded(ProgramRegistry.Entry added) {
        for (ProgObject p : progs) {
            p.offer(added);
        }
    }

    @Override
    public void programRemoved(ProgramRegistry.Entry gone) {
        for (ProgObject p : progs) {
            p.withdraw(gone, registry.programs.find(gone.name()));
        }
    }

    void track(MapObject m) {
        maps.add(m);
    }

    void forget(MapObject m) {
        maps.remove(m);
    }

    @Override
    public void providerRemoved(ProviderRegistry.Entry gone) {
        for (MapObject m : maps) {
            if (m.provider == gone) {
                m.detach();
                // another provider of the type may be registered already (an update in progress)
                reattach(m);
            }
        }
    }

    @Override
    public void providerAdded(ProviderRegistry.Entry added) {
        for (MapObject m : maps) {
            if (m.detached() && added.traits.containsKey(m.def.type())) {
                reattach(m);
            }
        }
    }

    /**
     * Gives a detached map's contents to the provider that now wins its type (ranking, then
     * version), which re-creates the map from them; the map's fds and id work again. A refusal
     * leaves the map detached, with the reason for listings.
     */
    void reattach(MapObject m) {
        MapState state = m.state;
        ProviderRegistry.Entry e = registry.providerFor(m.def.type());
        if (state == null || e == null || !m.detached()) {
            return;
        }
        Reason why = new Reason();
        MapOps ops = null;
        try {
            if (e.provider.allocCheck(m.def, why) == 0) {
                ops = e.provider.restore(m.def, state, why, this);
            }
        } catch (RuntimeException | LinkageError ex) {
            why.fail(Errno.EINVAL, "restore threw " + Reasons.of(ex));
            ops = null;
        }
        if (ops == null) {
            m.refuse(e.origin + " " + e.version() + " refused the map: " + why.text());
            return;
        }
        if (!m.attach(ops, e.traits.get(m.def.type()), e)) {
            ops.free();
        } else if (!registry.contains(e)) {
            // the provider left while restoring and did not see the map to detach it
            m.detach();
            reattach(m);
        }
    }

    /** The reason a provider gave for refusing a map, as text. */
    private static final class Reason implements ErrorSink {
        private String text = "no reason given";

        @Override
        public int fail(Errno errno, String why, long a, long b) {
            String t;
            try {
                t = String.format(why, a, b);
            } catch (java.util.IllegalFormatException ex) {
                t = why;
            }
            text = errno.name() + ": " + t;
            return -errno.code();
        }

        String text() {
            return text;
        }
    }

    /**
     * The data path that owns the I/O of this instance's sockets that took programs from a map
     * (one per instance, made at the first such socket with the configured or default
     * {@link org.bpfmaps.core.impl.datapath.DataPath.Config}); null when there is none and
     * {@code create} is false, or when the instance is closed.
     */
    public synchronized org.bpfmaps.core.impl.datapath.DataPath dataPath(boolean create) {
        if (dataPath == null && create && !closed) {
            dataPath = new org.bpfmaps.core.impl.datapath.DataPath(dataPathConfig);
        }
        return dataPath;
    }

    /**
     * The configuration of the instance's data path, for the next one made: false (nothing
     * changed) when it is made already.
     */
    public synchronized boolean dataPathConfig(org.bpfmaps.core.impl.datapath.DataPath.Config config) {
        if (dataPath != null) {
            return false;
        }
        dataPathConfig = java.util.Objects.requireNonNull(config, "config");
        return true;
    }

    /** Closes every fd and pin; maps held by nothing else are freed; the data path stops. */
    @Override
    public void close() {
        registry.removeListener(this);
        registry.programs.removeListener(this);
        fs.clear();
        for (int fd : table.openFds()) {
            table.close(fd);
        }
        xdpDevices.clear();
        org.bpfmaps.core.impl.datapath.DataPath dp;
        synchronized (this) {
            closed = true;
            dp = dataPath;
        }
        if (dp != null) {
            dp.close();
        }
    }

    static final ErrorSink NO_SINK = (e, why, a, b) -> -e.code();
}
