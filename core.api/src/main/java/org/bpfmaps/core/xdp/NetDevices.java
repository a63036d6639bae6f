package org.bpfmaps.core.xdp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * The network devices of an instance, by ifindex, and which XSK sockets are bound to their queues:
 * the socket layer's stand-in for a network namespace's devices. A fresh instance has {@code lo}
 * (ifindex 1, one queue pair); {@link #add} makes more, with the next free ifindex. Devices are not
 * BPF objects: no fd, no id, no pin. Thread-safe (one lock per instance, taken by bind and close as
 * the kernel's {@code rtnl_lock}).
 */
public final class NetDevices {
    /** The most queue pairs a device takes (a dummy device's {@code numrxqueues} limit, 4096). */
    public static final int MAX_QUEUES = 4096;
    /** IFNAMSIZ - 1: bytes of a device name. */
    public static final int MAX_NAME = 15;

    private static final Map<ObjectHost, NetDevices> BY_HOST = new WeakHashMap<>();

    private final SortedMap<Integer, NetDevice> byIndex = new TreeMap<>();
    /** The buffer pool registered at each (ifindex, u16 queue id): the kernel's {@code xsk_reg_pool_at_qid}. */
    private final Map<Long, XdpSocket.Pool> pools = new HashMap<>();

    private NetDevices() {
        byIndex.put(1, new NetDevice(1, "lo", 1));
    }

    /**
     * The devices of a core instance, made (with {@code lo}) at the first call.
     *
     * @throws IllegalArgumentException for a {@link Bpf} that is not one of the core's instances
     */
    public static NetDevices of(Bpf bpf) {
        ObjectHost host = ObjectHost.of(Objects.requireNonNull(bpf, "bpf")).orElseThrow(
                () -> new IllegalArgumentException("devices belong to the core's instances, not to " + bpf));
        synchronized (BY_HOST) {
            return BY_HOST.computeIfAbsent(host, h -> new NetDevices());
        }
    }

    /**
     * Adds a device with {@code queues} queue pairs and the lowest ifindex above every other.
     *
     * @return the ifindex, or a negated errno: EINVAL for a name that is empty, over 15 bytes, "."
     *     or "..", or holds '/', ':' or white space ({@code dev_valid_name}) or a queue count out of 1
     *     to 4096; EEXIST for a name taken
     */
    public synchronized int add(String name, int queues, ErrorSink err) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME || name.equals(".") || name.equals("..")
                || name.chars().anyMatch(ch -> ch == '/' || ch == ':' || Character.isWhitespace(ch))) {
            return err.fail(Errno.EINVAL, "device name: 1 to 15 bytes, not . or .., no '/', ':' or white space");
        }
        if (queues < 1 || queues > MAX_QUEUES) {
            return err.fail(Errno.EINVAL, "queues %d: from 1 to %d", queues, MAX_QUEUES);
        }
        if (byName(name) != null) {
            return err.fail(Errno.EEXIST, "a device of that name exists");
        }
        int ifindex = byIndex.lastKey() + 1;
        byIndex.put(ifindex, new NetDevice(ifindex, name, queues));
        return ifindex;
    }

    /** The device with this ifindex, or null. */
    public synchronized NetDevice byIndex(int ifindex) {
        return byIndex.get(ifindex);
    }

    /** The device with this name, or null. */
    public synchronized NetDevice byName(String name) {
        for (NetDevice d : byIndex.values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Every device, by ifindex. */
    public synchronized List<NetDevice> list() {
        return new ArrayList<>(byIndex.values());
    }

    /** The sockets bound to a device's queue now (several when they share one UMEM's pool), or empty. */
    public synchronized List<XdpSocket> boundTo(int ifindex, int queueId) {
        XdpSocket.Pool p = pools.get(key(ifindex, queueId));
        return p == null ? List.of() : p.sockets();
    }

    static long key(int ifindex, int queueId) {
        return ((long) ifindex << 16) | (queueId & 0xffff);
    }

    /** The pool at a queue (the caller holds this lock), as {@code xsk_get_pool_from_qid}. */
    XdpSocket.Pool pool(int ifindex, int queueId) {
        return pools.get(key(ifindex, queueId));
    }

    void register(XdpSocket.Pool p) {
        pools.put(key(p.dev.ifindex(), p.queueId), p);
    }

    void unregister(XdpSocket.Pool p) {
        pools.remove(key(p.dev.ifindex(), p.queueId), p);
    }
}
