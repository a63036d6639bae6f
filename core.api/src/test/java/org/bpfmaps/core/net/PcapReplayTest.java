package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;

/** A capture replayed into RX queues: the RSS queue of each frame, in order, up to a malformed record. */
class PcapReplayTest {
    private final Errors errs = new Errors();

    private byte[] udp(String src, int sport, String dst, int dport, int payload) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
        int n = EthernetFrames.udp(b, new InetSocketAddress(InetAddress.getByName(src), sport),
                new InetSocketAddress(InetAddress.getByName(dst), dport), ByteBuffer.allocate(payload), 0, errs);
        return Arrays.copyOf(b.array(), n);
    }

    @Test
    void framesGoToTheirRssQueueInFileOrder() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            frames.add(udp(i % 2 == 0 ? "127.0.0." + (i + 1) : "::1", 1000 + i, i % 2 == 0 ? "127.0.0.1" : "::1", 9000,
                    i));
        }
        byte[] tcp = udp("66.9.149.187", 2794, "161.142.100.80", 1766, 4);
        tcp[23] = 6; // protocol TCP: the same 4-tuple hash (ports at the same offsets)
        frames.add(tcp);
        byte[] frag = udp("66.9.149.187", 2794, "161.142.100.80", 1766, 4);
        frag[20] = 0x20; // more fragments: the 2-tuple hash
        frames.add(frag);
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        frames.add(arp);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.of(file, Pcap.Precision.NANOS, 65535, ByteOrder.LITTLE_ENDIAN)) {
            for (byte[] f : frames) {
                w.write(1, ByteBuffer.wrap(f));
            }
        }
        List<Integer> queues = new ArrayList<>();
        List<byte[]> got = new ArrayList<>();
        Toeplitz rss = Toeplitz.microsoft();
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(frames.size(), PcapReplay.replay(rd, 8, rss, (q, f) -> {
                queues.add(q);
                byte[] b = new byte[f.remaining()];
                f.get(b);
                got.add(b);
            }));
        }
        for (int i = 0; i < 64; i++) {
            assertEquals(ByteBuffer.wrap(frames.get(i)), ByteBuffer.wrap(got.get(i)));
            ByteBuffer f = ByteBuffer.wrap(frames.get(i));
            UdpFrame u = UdpFrame.parse(f, errs);
            assertEquals(Toeplitz.queue(rss.hash(u.source(), u.destination()), 8), queues.get(i), "frame " + i);
        }
        assertEquals(Toeplitz.queue(0x51ccc178, 8), queues.get(64), "TCP: the 4-tuple's suite value");
        assertEquals(Toeplitz.queue(0x323e8fc2, 8), queues.get(65), "fragment: the 2-tuple's suite value");
        assertEquals(0, queues.get(66), "not IP: queue 0");
        assertEquals(0, rss.hashFrame(ByteBuffer.allocate(10)), "too short: no hash");
    }

    @Test
    void aMalformedRecordStopsTheReplayAfterTheFramesBeforeIt() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.of(file, Pcap.Precision.MICROS, 65535, ByteOrder.LITTLE_ENDIAN)) {
            for (int i = 0; i < 5; i++) {
                w.write(i * 1000L, ByteBuffer.wrap(udp("127.0.0.1", i, "127.0.0.1", 9, 10)));
            }
        }
        byte[] cut = Arrays.copyOf(file.toByteArray(), file.size() - 1);
        List<Integer> queues = new ArrayList<>();
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(cut))) {
            PcapFormatException e = assertThrows(PcapFormatException.class,
                    () -> PcapReplay.replay(rd, 2, Toeplitz.microsoft(), (q, f) -> queues.add(q)));
            assertEquals(24 + 4 * (16 + 52), e.offset());
        }
        assertEquals(4, queues.size());
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                    () -> PcapReplay.replay(rd, 0, Toeplitz.microsoft(), (q, f) -> { })).errno());
        }
    }
}
