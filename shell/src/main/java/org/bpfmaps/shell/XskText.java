package org.bpfmaps.shell;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.ErrorSink;
import org.bpfmaps.core.net.UdpFrame;
import org.bpfmaps.core.net.UdpSource;
import org.bpfmaps.core.sock.BpfSocket;
import org.bpfmaps.core.sock.MapSlot;
import org.bpfmaps.core.sock.Sockets;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;
import org.bpfmaps.core.xdp.RingType;
import org.bpfmaps.core.xdp.RxQueueStatistics;
import org.bpfmaps.core.xdp.Umem;
import org.bpfmaps.core.xdp.XdpAttach;
import org.bpfmaps.core.xdp.XdpAttachment;
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

    /**
     * {@code dev show}'s plain entry: {@code IFINDEX: NAME  queues N}, the XDP program when one runs,
     * the feed and outputs when set, then one line per queue with sockets bound or frames received:
     * the sockets' fds and the queue's counters.
     */
    static String devPlain(Bpf bpf, NetDevice d) {
        StringBuilder b = new StringBuilder();
        b.append(d.ifindex()).append(": ").append(d.name()).append("  queues ").append(d.queues()).append('\n');
        XdpAttachment x = XdpAttach.query(bpf, d.ifindex());
        if (x != null && x.attached() != XdpAttachment.ATTACHED_NONE) {
            b.append("\txdp ").append(x.modeName()).append(" id ").append(Integer.toUnsignedString(x.progId()));
            if (x.linkId() != 0) {
                b.append("  link ").append(Integer.toUnsignedString(x.linkId()));
            }
            b.append('\n');
        }
        DeviceEnds.Ends ends = DeviceEnds.of(bpf).get(d.ifindex());
        if (ends != null) {
            UdpSource u = ends.udp;
            if (u != null) {
                b.append("\tudp ").append(DeviceEnds.address(u.localAddress())).append("  datagrams ")
                        .append(u.datagrams()).append("  bytes ").append(u.bytes()).append('\n');
            }
            if (ends.pcap != null) {
                b.append("\tpcap ").append(ends.pcap).append("  replayed ").append(ends.replayed.get()).append('\n');
            }
            out(b, "pass", ends.pass);
            out(b, "tx", ends.tx);
        }
        Map<Integer, List<Integer>> bound = bound(bpf, d);
        NetDevices devs = NetDevices.of(bpf);
        for (int q = 0; q < d.queues(); q++) {
            RxQueueStatistics st = devs.rxQueue(d.ifindex(), q).statistics();
            List<Integer> fds = bound.get(q);
            if (fds == null && st.packets() == 0) {
                continue;
            }
            b.append("\tqueue ").append(q);
            if (fds != null) {
                b.append("  xsk");
                fds.forEach(fd -> b.append(' ').append(fd));
            }
            if (st.packets() > 0) {
                queueCounters(st).forEach((k, v) -> b.append("  ").append(k).append(' ').append(v));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static void out(StringBuilder b, String what, DeviceEnds.Out o) {
        if (o != null) {
            b.append('\t').append(what).append(' ').append(o.describe()).append("  frames ").append(o.frames.get());
            if (o.errors.get() > 0) {
                b.append("  errors ").append(o.errors.get());
            }
            b.append('\n');
        }
    }

    /** A queue's counters by the names shown ({@link RxQueueStatistics}'s, in snake case). */
    static Map<String, Long> queueCounters(RxQueueStatistics st) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("packets", st.packets());
        m.put("bytes", st.bytes());
        m.put("pass", st.pass());
        m.put("drop", st.drop());
        m.put("tx", st.tx());
        m.put("redirect", st.redirect());
        m.put("aborted", st.aborted());
        m.put("redirect_errors", st.redirectErrors());
        m.put("no_buffer", st.noBuffer());
        m.put("oversize", st.oversize());
        return m;
    }

    /**
     * {@code dev show}'s JSON object: ifindex, name, queues, bound: [{queue, xsk: [fd...]}], xdp
     * (null or {mode, id, link}), udp, pass, tx (null or the end), rx: every queue's counters.
     */
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
        XdpAttachment x = XdpAttach.query(bpf, d.ifindex());
        if (x != null && x.attached() != XdpAttachment.ATTACHED_NONE) {
            j.name("xdp");
            j.startObject();
            j.stringField("mode", x.modeName());
            j.unsignedField("id", x.progId());
            j.unsignedField("link", x.linkId());
            j.endObject();
        } else {
            j.nullField("xdp");
        }
        DeviceEnds.Ends ends = DeviceEnds.of(bpf).get(d.ifindex());
        UdpSource u = ends == null ? null : ends.udp;
        if (u != null) {
            j.name("udp");
            j.startObject();
            j.stringField("address", DeviceEnds.address(u.localAddress()));
            j.numberField("datagrams", u.datagrams());
            j.numberField("bytes", u.bytes());
            j.endObject();
        } else {
            j.nullField("udp");
        }
        if (ends != null && ends.pcap != null) {
            j.name("pcap");
            j.startObject();
            j.stringField("file", ends.pcap.toString());
            j.numberField("replayed", ends.replayed.get());
            j.endObject();
        } else {
            j.nullField("pcap");
        }
        outJson(j, "pass", ends == null ? null : ends.pass);
        outJson(j, "tx", ends == null ? null : ends.tx);
        j.name("rx");
        j.startArray();
        NetDevices devs = NetDevices.of(bpf);
        for (int q = 0; q < d.queues(); q++) {
            j.startObject();
            j.numberField("queue", q);
            queueCounters(devs.rxQueue(d.ifindex(), q).statistics()).forEach(j::numberField);
            j.endObject();
        }
        j.endArray();
        j.endObject();
    }

    private static void outJson(JsonWriter j, String what, DeviceEnds.Out o) {
        if (o == null) {
            j.nullField(what);
            return;
        }
        j.name(what);
        j.startObject();
        j.stringField("to", o.describe());
        j.numberField("frames", o.frames.get());
        j.numberField("errors", o.errors.get());
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

    private static final ErrorSink QUIET = (e, why, a, b) -> e.ret();

    /**
     * One frame {@code xsk read} received: {@code addr A  len L}, then for an Ethernet / IP / UDP
     * frame its addresses (tcpdump's {@code SRC > DST}) and its payload's bytes, for another frame
     * all its bytes, 16 a line as bpftool dumps data; JSON: addr, len, udp ({src, dst} or null),
     * and payload or frame as bpftool's hex strings.
     */
    static void frame(Output out, XskFrames.Received r) {
        ByteBuffer f = ByteBuffer.wrap(r.bytes());
        UdpFrame u = UdpFrame.parse(f, QUIET);
        int off = u == null ? 0 : u.payloadOffset();
        int len = u == null ? r.len() : u.payloadLength();
        if (out.isJson()) {
            JsonWriter j = out.json();
            j.startObject();
            j.numberField("addr", r.addr());
            j.numberField("len", r.len());
            if (u != null) {
                j.name("udp");
                j.startObject();
                j.stringField("src", DeviceEnds.address(u.source()));
                j.stringField("dst", DeviceEnds.address(u.destination()));
                j.endObject();
                j.name("payload");
            } else {
                j.nullField("udp");
                j.name("frame");
            }
            Entries.hexJson(j, r.bytes(), off, len);
            j.endObject();
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append("addr ").append(r.addr()).append("  len ").append(r.len());
        if (u != null) {
            b.append("  udp ").append(DeviceEnds.address(u.source())).append(" > ")
                    .append(DeviceEnds.address(u.destination())).append("  payload ").append(len);
        }
        b.append('\n');
        if (len > 0) {
            b.append('\t').append(Entries.hex(r.bytes(), off, len).replace("\n", "\n\t")).append('\n');
        }
        out.print(b.toString());
    }

    private static List<MapSlot> slots(Bpf bpf, int fd) {
        BpfSocket bs = Sockets.byFd(bpf, fd);
        return bs == null ? List.of() : Sockets.slots(bpf, bs);
    }
}
