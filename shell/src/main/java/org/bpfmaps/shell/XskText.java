package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.Umem;
import org.bpfmaps.core.xdp.XdpRing;
import org.bpfmaps.core.xdp.XdpSocket;
import org.bpfmaps.core.xdp.XdpStatistics;

/**
 * How the shell shows XSK sockets ({@code xsk show}) and network devices ({@code dev show}):
 * plain, in the layout of bpftool's {@code map show} (an entry's first line, then tab-indented
 * details), or JSON objects. Everything is read when shown: ring indices with the acquire loads
 * a tool makes ({@link XdpRing#producerIndex()}), statistics as XDP_STATISTICS gives them.
 */
final class XskText {
    /** The rings in the order a socket's show lists them, with the names shown. */
    private static final List<RingType> RINGS = List.of(RingType.FILL, RingType.COMPLETION, RingType.RX, RingType.TX);

    private XskText() {
    }

    static String ringName(RingType t) {
        return t == RingType.COMPLETION ? "comp" : t.name().toLowerCase(Locale.ROOT);
    }

    /** The XSK sockets of the instance by fd, lowest first (another socket kind is left out). */
    static Map<Integer, XdpSocket> sockets(Bpf bpf) {
        Map<Integer, XdpSocket> out = new java.util.TreeMap<>();
        Sockets.list(bpf).forEach((fd, s) -> {
            XdpSocket x = XdpSocket.of(s);
            if (x != null) {
                out.put(fd, x);
            }
        });
        return out;
    }

    /** The lowest fd of each XSK socket of the instance, by cookie: how a device's queue names what is bound. */
    private static Map<Long, Integer> fdsByCookie(Bpf bpf) {
        Map<Long, Integer> out = new HashMap<>();
        sockets(bpf).forEach((fd, x) -> out.putIfAbsent(x.cookie(), fd));
        return out;
    }

    /** A device's queues that have XSK sockets bound, each with their fds, lowest queue first. */
    static Map<Integer, List<Integer>> bound(Bpf bpf, NetDevice d) {
        Map<Long, Integer> fds = fdsByCookie(bpf);
        NetDevices devices = NetDevices.of(bpf);
        Map<Integer, List<Integer>> out = new java.util.TreeMap<>();
        for (int q = 0; q < d.queues(); q++) {
            TreeSet<Integer> at = new TreeSet<>();
            for (XdpSocket s : devices.boundTo(d.ifindex(), q)) {
                Integer fd = fds.get(s.cookie());
                if (fd != null) {
                    at.add(fd);
                }
            }
            if (!at.isEmpty()) {
                out.put(q, new ArrayList<>(at));
            }
        }
        return out;
    }

    /** {@code dev show}'s plain entry: {@code IFINDEX: NAME  queues N}, then one line per queue with sockets bound. */
    static String devPlain(Bpf bpf, NetDevice d) {
        StringBuilder b = new StringBuilder();
        b.append(d.ifindex()).append(": ").append(d.name()).append("  queues ").append(d.queues()).append('\n');
        bound(bpf, d).forEach((q, fds) -> {
            b.append("\tqueue ").append(q).append("  xsk");
            fds.forEach(fd -> b.append(' ').append(fd));
            b.append('\n');
        });
        return b.toString();
    }

    /** {@code dev show}'s JSON object: ifindex, name, queues, bound: [{queue, xsk: [fd...]}]. */
    static void devJson(JsonWriter j, Bpf bpf, NetDevice d) {
        j.startObject();
        j.numberField("ifindex", d.ifindex());
        j.stringField("name", d.name());
        j.numberField("queues", d.queues());
        j.name("bound");
        j.startArray();
        bound(bpf, d).forEach((q, fds) -> {
            j.startObject();
            j.numberField("queue", q);
            j.name("xsk");
            j.startArray();
            fds.forEach(fd -> j.raw(Integer.toString(fd)));
            j.endArray();
            j.endObject();
        });
        j.endArray();
        j.endObject();
    }

    /** One ring's counters now: its size, the shared indices, entries filled and slots free. */
    record Ring(String name, int size, int producer, int consumer) {
        static Ring of(RingType t, XdpRing r) {
            int cons = r.consumerIndex(); // before the producer's: filled never reads as more than the ring holds
            int prod = r.producerIndex();
            return new Ring(ringName(t), r.size(), prod, cons);
        }

        int filled() {
            return producer - consumer;
        }

        int free() {
            return size - filled();
        }
    }

    /** {@code xsk show}'s plain entry. */
    static String xskPlain(Bpf bpf, int fd, XdpSocket s) {
        StringBuilder b = new StringBuilder();
        b.append(fd).append(": xsk  cookie ").append(Long.toUnsignedString(s.cookie()));
        NetDevice d = s.device();
        if (d != null) {
            b.append("  dev ").append(d.name()).append(" (ifindex ").append(d.ifindex()).append(")  queue ")
                    .append(Integer.toUnsignedString(s.queueId()));
        } else {
            b.append("  unbound");
        }
        b.append('\n');
        Umem u = s.umem();
        if (u != null) {
            b.append("\tumem ").append(u.chunks()).append(" frames of ").append(u.chunkSize()).append("B  headroom ")
                    .append(u.headroom()).append("B  size ").append(u.size()).append("B\n");
        }
        for (RingType t : RINGS) {
            XdpRing r = s.ring(t);
            if (r != null) {
                Ring v = Ring.of(t, r);
                b.append(String.format("\t%-4s  size %d  producer %s  consumer %s  filled %s  free %s%n", v.name(),
                        v.size(), Integer.toUnsignedString(v.producer()), Integer.toUnsignedString(v.consumer()),
                        Integer.toUnsignedString(v.filled()), Integer.toUnsignedString(v.free())));
            }
        }
        XdpStatistics st = s.statistics();
        b.append("\trx_dropped ").append(st.rxDropped()).append("  rx_invalid_descs ").append(st.rxInvalidDescs())
                .append("  tx_invalid_descs ").append(st.txInvalidDescs()).append("\n\trx_ring_full ")
                .append(st.rxRingFull()).append("  rx_fill_ring_empty_descs ").append(st.rxFillRingEmptyDescs())
                .append("  tx_ring_empty_descs ").append(st.txRingEmptyDescs()).append('\n');
        for (MapSlot m : slots(bpf, fd)) {
            b.append("\tmap ").append(Integer.toUnsignedString(m.mapId())).append("  key ")
                    .append(SocketText.hexLine(m.key())).append('\n');
        }
        return b.toString();
    }

    /** {@code xsk show}'s JSON object. */
    static void xskJson(JsonWriter j, Bpf bpf, int fd, XdpSocket s) {
        j.startObject();
        j.numberField("fd", fd);
        j.name("cookie");
        j.raw(Long.toUnsignedString(s.cookie()));
        NetDevice d = s.device();
        if (d != null) {
            j.stringField("dev", d.name());
            j.numberField("ifindex", d.ifindex());
            j.numberField("queue", Integer.toUnsignedLong(s.queueId()));
        } else {
            j.nullField("dev");
        }
        Umem u = s.umem();
        if (u != null) {
            j.name("umem");
            j.startObject();
            j.numberField("frames", u.chunks());
            j.numberField("frame_size", u.chunkSize());
            j.numberField("headroom", u.headroom());
            j.numberField("size", u.size());
            j.endObject();
        }
        j.name("rings");
        j.startObject();
        for (RingType t : RINGS) {
            XdpRing r = s.ring(t);
            if (r != null) {
                Ring v = Ring.of(t, r);
                j.name(v.name());
                j.startObject();
                j.numberField("size", v.size());
                j.numberField("producer", Integer.toUnsignedLong(v.producer()));
                j.numberField("consumer", Integer.toUnsignedLong(v.consumer()));
                j.numberField("filled", Integer.toUnsignedLong(v.filled()));
                j.numberField("free", Integer.toUnsignedLong(v.free()));
                j.endObject();
            }
        }
        j.endObject();
        XdpStatistics st = s.statistics();
        j.name("statistics");
        j.startObject();
        j.numberField("rx_dropped", st.rxDropped());
        j.numberField("rx_invalid_descs", st.rxInvalidDescs());
        j.numberField("tx_invalid_descs", st.txInvalidDescs());
        j.numberField("rx_ring_full", st.rxRingFull());
        j.numberField("rx_fill_ring_empty_descs", st.rxFillRingEmptyDescs());
        j.numberField("tx_ring_empty_descs", st.txRingEmptyDescs());
        j.endObject();
        j.name("maps");
        j.startArray();
        for (MapSlot m : slots(bpf, fd)) {
            j.startObject();
            j.unsignedField("id", m.mapId());
            j.name("key");
            byte[] key = m.key();
            Entries.hexJson(j, key, 0, key.length);
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    private static List<MapSlot> slots(Bpf bpf, int fd) {
        BpfSocket bs = Sockets.byFd(bpf, fd);
        return bs == null ? List.of() : Sockets.slots(bpf, bs);
    }
}
