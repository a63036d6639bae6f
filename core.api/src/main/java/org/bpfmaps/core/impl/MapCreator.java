package org.bpfmaps.core.impl;

import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapCreateAttr;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapFootprint;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapTypeTraits;

/**
 * MAP_CREATE, as {@code map_create()} in kernel/bpf/syscall.c: the checks every type shares, then
 * the type's table ({@link MapTypeTraits}), the provider's own check, the provider's adjustment of
 * max_entries ({@code MapProvider.adjust}), the memory budgets (heap and direct: what the provider
 * says the map takes, {@code MapProvider.footprint}, plus the core's bookkeeping of a map), and only
 * then the allocation, so that a refused map leaves nothing behind.
 */
final class MapCreator {
    private MapCreator() {
    }

    static int create(Instance in, MapCreateAttr a) {
        int flags = a.mapFlags;
        if ((flags & BpfFlags.F_TOKEN_FD) != 0) {
            return a.fail(Errno.EINVAL, "map_flags BPF_F_TOKEN_FD: BPF tokens are not supported here");
        }
        if (a.btfVmlinuxValueTypeId != 0) {
            if (a.mapType != MapType.STRUCT_OPS.number() || a.btfKeyTypeId != 0 || a.btfValueTypeId != 0) {
                return a.fail(Errno.EINVAL, "btf_vmlinux_value_type_id is only for struct_ops maps without "
                        + "btf_key_type_id and btf_value_type_id");
            }
        } else if (a.btfKeyTypeId != 0 && a.btfValueTypeId == 0) {
            return a.fail(Errno.EINVAL, "btf_key_type_id needs btf_value_type_id");
        }
        if (a.btfKeyTypeId != 0 || a.btfValueTypeId != 0 || a.btfVmlinuxValueTypeId != 0) {
            return a.fail(Errno.EINVAL, "BTF type ids need a BTF object, and BTF is not supported here");
        }
        if (a.mapType != MapType.BLOOM_FILTER.number() && a.mapType != MapType.ARENA.number() && a.mapExtra != 0) {
            return a.fail(Errno.EINVAL, "map_extra is %d; only bloom_filter and arena maps take it (must be 0)",
                    a.mapExtra);
        }
        if ((flags & BpfFlags.F_RDONLY) != 0 && (flags & BpfFlags.F_WRONLY) != 0) {
            return a.fail(Errno.EINVAL, "map_flags has both BPF_F_RDONLY and BPF_F_WRONLY");
        }
        int numaNode = (flags & BpfFlags.F_NUMA_NODE) != 0 ? a.numaNode : BpfFlags.NUMA_NO_NODE;
        if (numaNode != BpfFlags.NUMA_NO_NODE && Integer.compareUnsigned(numaNode, in.settings.numaNodes()) >= 0) {
            return a.fail(Errno.EINVAL, "numa_node %d does not exist (this instance has %d node(s))",
                    Integer.toUnsignedLong(numaNode), in.settings.numaNodes());
        }
        MapType type = MapType.of(a.mapType);
        if (type == null || type == MapType.UNSPEC) {
            return a.fail(Errno.EINVAL, "map_type %d is not a Linux map type (1..%d)",
                    Integer.toUnsignedLong(a.mapType), MapType.values().length - 1);
        }
        ProviderRegistry.Entry provider = in.registry.providerFor(type);
        if (provider == null) {
            return a.fail(Errno.EINVAL, "map type " + type.bpftoolName() + " (" + type.number()
                    + "): no installed provider serves it" + in.registry.missingTypeHint());
        }
        MapTypeTraits t = provider.traits.get(type);
        int err = checkTable(t, a, numaNode);
        if (err != 0) {
            return err;
        }
        if ((err = ObjName.check(a.mapName, "map_name", a)) != 0) {
            return err;
        }
        long vs = Integer.toUnsignedLong(a.valueSize);
        long valueBuf = t.perCpu() ? ((vs + 7) & ~7L) * in.settings.possibleCpus() : vs;
        if (!t.perCpuLimitLast() && (err = checkValueBuf(a, valueBuf)) != 0) {
            return err;
        }
        MapDef def = new MapDef(type, a.keySize, a.valueSize, a.maxEntries,
                flags & ~(BpfFlags.F_RDONLY | BpfFlags.F_WRONLY), numaNode, a.mapExtra,
                ObjName.of(a.mapName), in.settings.possibleCpus(), (int) Math.min(valueBuf, Integer.MAX_VALUE));
        try {
            if ((err = provider.provider.allocCheck(def, a)) != 0) {
                return err;
            }
        } catch (RuntimeException ex) {
            return a.fail(Errno.EINVAL, "the provider of " + type.bpftoolName() + " refused the map: "
                    + Reasons.of(ex));
        }
        if (t.perCpuLimitLast() && ((err = checkPerCpuCap(a)) != 0 || (err = checkValueBuf(a, valueBuf)) != 0)) {
            // htab_map_alloc_check tests PCPU_MIN_UNIT_SIZE after its own rules
            return err;
        }
        try {
            MapDef made = provider.provider.adjust(def);
            if (made == null || !made.equals(def.withMaxEntries(made.maxEntries()))) {
                return a.fail(Errno.EINVAL, "the provider of " + type.bpftoolName()
                        + " changed more of the definition than max_entries");
            }
            def = made;
        } catch (RuntimeException ex) {
            return a.fail(Errno.EINVAL, "the provider of " + type.bpftoolName() + " refused the map: "
                    + Reasons.of(ex));
        }
        if (a.mapIfindex != 0) {
            // bpf_map_offload_map_alloc: only ARRAY and HASH can be offloaded at all; for them the
            // device has no BPF offload here (the kernel's answer for a device without ndo_bpf)
            if (type != MapType.ARRAY && type != MapType.HASH) {
                return a.fail(Errno.EINVAL, "map_ifindex %d: only array and hash maps can be offloaded",
                        Integer.toUnsignedLong(a.mapIfindex));
            }
            return a.fail(Errno.EOPNOTSUPP, "map_ifindex %d: offload to a device is not supported",
                    Integer.toUnsignedLong(a.mapIfindex));
        }
        MapFootprint takes;
        long memlock;
        try {
            MapFootprint stated = provider.provider.footprint(def);
            takes = new MapFootprint(MapObject.heapCharge(stated.heapBytes()), stated.directBytes());
            memlock = provider.provider.memoryUsage(def);
        } catch (RuntimeException ex) {
            return a.fail(Errno.ENOMEM, "the provider of " + type.bpftoolName()
                    + " could not say what the map takes, so it cannot be charged: " + Reasons.of(ex));
        }
        if (!in.budget.charge(takes.heapBytes())) {
            return a.fail(Errno.ENOMEM, in.budget.refusal(takes.heapBytes()));
        }
        if (!in.directBudget.charge(takes.directBytes())) {
            in.budget.release(takes.heapBytes());
            return a.fail(Errno.ENOMEM, in.directBudget.refusal(takes.directBytes()));
        }
        MapOps ops;
        try {
            ops = provider.provider.alloc(def, in);
        } catch (OutOfMemoryError | RuntimeException ex) {
            in.budget.release(takes.heapBytes());
            in.directBudget.release(takes.directBytes());
            return a.fail(Errno.ENOMEM, "allocating %d heap and " + takes.directBytes() + " direct bytes failed: "
                    + Reasons.of(ex), takes.heapBytes());
        }
        MapObject m = new MapObject(in, def, t, ops, provider, takes, memlock);
        if (in.table.publish(m) < 0) {
            m.release();
            return a.fail(Errno.ENOSPC, "no map id is free");
        }
        in.track(m);
        if (!in.registry.contains(provider)) {
            // the provider left while the map was being made and did not see it to detach it
            m.detach();
            in.reattach(m);
        }
        int fd = in.table.install(m, flags & (BpfFlags.F_RDONLY | BpfFlags.F_WRONLY));
        if (fd < 0) {
            m.release();
            return a.fail(Errno.EMFILE, "%d fds are open, the instance's limit", in.settings.maxFds());
        }
        return fd;
    }

    /** The type's rules, in the order of the kernel's {@code map_alloc_check} functions. */
    private static int checkTable(MapTypeTraits t, MapCreateAttr a, int numaNode) {
        String type = t.type().bpftoolName();
        long maxEntries = Integer.toUnsignedLong(a.maxEntries);
        long ks = Integer.toUnsignedLong(a.keySize);
        long vs = Integer.toUnsignedLong(a.valueSize);
        if (maxEntries < t.maxEntriesMin()) {
            return a.fail(Errno.EINVAL, "max_entries %d: " + type + " needs at least %d", maxEntries,
                    t.maxEntriesMin());
        }
        if (ks < t.keySizeMin() || (ks > t.keySizeMax() && t.keySizeTooBig() == Errno.EINVAL)) {
            return a.fail(Errno.EINVAL, t.keySizeMin() == t.keySizeMax()
                    ? "key_size %d: " + type + " keys are exactly %d bytes"
                    : "key_size %d: " + type + " keys are %d.." + t.keySizeMax() + " bytes", ks, t.keySizeMin());
        }
        if (vs < t.valueSizeMin()) {
            return a.fail(Errno.EINVAL, "value_size %d: " + type + " values are at least %d bytes", vs,
                    t.valueSizeMin());
        }
        if ((a.mapFlags & ~t.flagMask()) != 0) {
            return a.fail(Errno.EINVAL, "map_flags 0x%x: " + type + " accepts only 0x%x", a.mapFlags, t.flagMask());
        }
        if ((a.mapFlags & BpfFlags.F_RDONLY_PROG) != 0 && (a.mapFlags & BpfFlags.F_WRONLY_PROG) != 0) {
            return a.fail(Errno.EINVAL, "map_flags has both BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG");
        }
        if (numaNode != BpfFlags.NUMA_NO_NODE && !t.numaAllowed()) {
            return a.fail(Errno.EINVAL, "BPF_F_NUMA_NODE: " + type + " maps cannot be bound to a node");
        }
        if (ks > t.keySizeMax()) {
            return a.fail(t.keySizeTooBig(), "key_size %d: " + type + " keys are at most %d bytes", ks,
                    t.keySizeMax());
        }
        if (vs > t.valueSizeMax()) {
            return a.fail(t.valueSizeTooBig(), "value_size %d: " + type + " values are at most %d bytes", vs,
                    t.valueSizeMax());
        }
        if (t.perCpu() && !t.perCpuLimitLast()) {
            return checkPerCpuCap(a);
        }
        return 0;
    }

    /** {@code PCPU_MIN_UNIT_SIZE}: the last rule of a per-CPU type's {@code map_alloc_check}. */
    private static int checkPerCpuCap(MapCreateAttr a) {
        long vs = Integer.toUnsignedLong(a.valueSize);
        if (((vs + 7) & ~7L) > MapTypeTraits.PERCPU_VALUE_MAX) {
            return a.fail(Errno.E2BIG, "value_size %d: a per-CPU value rounds up to at most %d bytes", vs,
                    MapTypeTraits.PERCPU_VALUE_MAX);
        }
        return 0;
    }

    /** A user-space value buffer (all CPUs' for a per-CPU map) must fit one Java buffer. */
    private static int checkValueBuf(MapCreateAttr a, long valueBuf) {
        if (valueBuf > Integer.MAX_VALUE) {
            return a.fail(Errno.E2BIG, "a value buffer of %d bytes (value_size %d, all CPUs) is over 2 GiB",
                    valueBuf, Integer.toUnsignedLong(a.valueSize));
        }
        return 0;
    }
}
