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
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.impl.Instance;
import org.bpfmaps.core.impl.xdp.DeviceXdp;
import org.bpfmaps.core.spi.ObjectHost;

/**
 * The network devices of an instance, by ifindex, and which XSK sockets are bound to their queues:
 * the socket layer's stand-in for a network namespace's devices. A fresh instance has {@code lo}
 * (ifindex 1, one queue pair); {@link #add} makes more, with the next free ifindex. Devices are not
 * BPF objects: no fd, no id, no pin. Thread-safe (one lock per instance, taken by bind and close as
 * the kernel's {@code rtnl_lock}).
 *
 * <p>The data path: frames enter a device through its RX queues ({@link #rxQueue}, {@link #receive}),
 * go through the device's XDP program, and leave to the listeners registered here
 * ({@link #onPass}: the network stack; {@link #onTransmit}: the wire) or into an XSK socket's RX ring.
 * Looking a queue up takes no lock.
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

    /** The programs of the instance's devices, or null for an instance that is not the core's own. */
    private final DeviceXdp programs;
    /** ifindex → the device's data-path state; copied on write under this lock, read without it. */
    private volatile Dev[] devs = new Dev[16];

    /** A device's RX queues (made at first use) and listeners. */
    static final class Dev {
        final NetDevice device;
        final AtomicReferenceArray<RxQueue> queues;
        volatile FrameListener pass;
        volatile FrameListener tx;

        Dev(NetDevice device) {
            this.device = device;
            this.queues = new AtomicReferenceArray<>(device.queues());
        }
    }

    private NetDevices(ObjectHost host) {
        this.programs = host instanceof Instance i ? i.deviceXdp() : null;
        put(new NetDevice(1, "lo", 1));
    }

    private void put(NetDevice d) {
        byIndex.put(d.ifindex(), d);
        Dev[] a = devs;
        if (d.ifindex() >= a.length) {
            a = java.util.Arrays.copyOf(a, Math.max(d.ifindex() + 1, a.length * 2));
        }
        a[d.ifindex()] = new Dev(d);
        devs = a; // a volatile write after the element's: readers see the new device whole
    }

    private Dev dev(int ifindex) {
        Dev[] a = devs;
        return ifindex > 0 && ifindex < a.length ? a[ifindex] : null;
    }

    /**
     * RX queue {@code queue} of a device: the handle to receive frames on it ({@link RxQueue#receive})
     * and read its counters. The same handle every time.
     *
     * @return the queue, or null when there is no such device or queue
     * @since 1.1
     */
    public RxQueue rxQueue(int ifindex, int queue) {
        Dev d = dev(ifindex);
        if (d == null || queue < 0 || queue >= d.device.queues()) {
            return null;
        }
        RxQueue q = d.queues.get(queue);
        return q != null ? q : makeQueue(d, queue);
    }

    private synchronized RxQueue makeQueue(Dev d, int queue) {
        RxQueue q = d.queues.get(queue);
        if (q == null) {
            q = new RxQueue(d, queue, programs);
            q.pool = pools.get(key(d.device.ifindex(), queue));
            d.queues.set(queue, q);
        }
        return q;
    }

    /**
     * Receives one frame on a device's RX queue: {@link RxQueue#receive} of {@link #rxQueue}, which
     * a source that feeds many frames keeps instead.
     *
     * @return what {@link RxQueue#receive} returns, or a negated errno: ENODEV for no device of that
     *     ifindex, EINVAL for a queue out of the device's range
     * @since 1.1
     */
    public int receive(int ifindex, int queue, java.nio.ByteBuffer frame) {
        RxQueue q = rxQueue(ifindex, queue);
        if (q == null) {
            return dev(ifindex) == null ? Errno.ENODEV.ret() : Errno.EINVAL.ret();
        }
        return q.receive(frame);
    }

    /**
     * Sets the listener of a device's XDP_PASS frames (the network stack; null: none, the frames
     * are consumed).
     *
     * @return false when there is no device of that ifindex
     * @since 1.1
     */
    public boolean onPass(int ifindex, FrameListener listener) {
        Dev d = dev(ifindex);
        if (d != null) {
            d.pass = listener;
        }
        return d != null;
    }

    /**
     * Sets the listener of the frames a device sends: XDP_TX verdicts and the TX rings of the XSK
     * sockets bound to it ({@link XdpSocket#kick}); null: none, the frames leave to nowhere.
     *
     * @return false when there is no device of that ifindex
     * @since 1.1
     */
    public boolean onTransmit(int ifindex, FrameListener listener) {
        Dev d = dev(ifindex);
        if (d != null) {
            d.tx = listener;
        }
        return d != null;
    }

    FrameListener txListener(int ifindex) {
        Dev d = dev(ifindex);
        return d == null ? null : d.tx;
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
            return BY_HOST.computeIfAbsent(host, NetDevices::new);
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
        put(new NetDevice(ifindex, name, queues));
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
        RxQueue q = dev(p.dev.ifindex()).queues.get(p.queueId);
        if (q != null) {
            q.pool = p; // the queue receives into the pool's UMEM from the next frame
        }
    }

    void unregister(XdpSocket.Pool p) {
        if (pools.remove(key(p.dev.ifindex(), p.queueId), p)) {
            RxQueue q = dev(p.dev.ifindex()).queues.get(p.queueId);
            if (q != null) {
                q.pool = null;
            }
        }
    }
}
