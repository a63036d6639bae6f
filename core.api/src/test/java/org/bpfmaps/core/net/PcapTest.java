package org.bpfmaps.core.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic pcap reader and writer: round trips, both precisions and byte orders, malformed files. */
class PcapTest {
    @TempDir
    Path dir;

    /** A few thousand UDP frames of mixed sizes (headers only to jumbo), random timestamps. */
    private static List<byte[]> frames(int n, long seed) throws Exception {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        Errors errs = new Errors();
        ByteBuffer buf = ByteBuffer.allocate(EthernetFrames.MAX_FRAME);
        for (int i = 0; i < n; i++) {
            int size = switch (i % 5) {
                case 0 -> 0;
                case 1 -> r.nextInt(64);
                case 2 -> r.nextInt(1473);
                case 3 -> 1472;
                default -> r.nextInt(9000);
            };
            byte[] payload = new byte[size];
            r.nextBytes(payload);
            String host = i % 3 == 0 ? "::1" : "127.0.0." + (1 + r.nextInt(200));
            buf.clear();
            int len = EthernetFrames.udp(buf, new InetSocketAddress(InetAddress.getByName(host), r.nextInt(65536)),
                    new InetSocketAddress(InetAddress.getByName(i % 3 == 0 ? "::1" : "127.0.0.1"), 9000 + i % 7),
                    ByteBuffer.wrap(payload), i, errs);
            out.add(Arrays.copyOf(buf.array(), len));
        }
        return out;
    }

    @Test
    void nanosecondRoundTripIsByteIdentical() throws Exception {
        List<byte[]> frames = frames(3000, 1);
        long[] ts = new long[frames.size()];
        Random r = new Random(2);
        long t = 1_765_000_000_000_000_000L;
        Path file = dir.resolve("nanos.pcap");
        try (PcapWriter w = PcapWriter.create(file, Pcap.Precision.NANOS, Pcap.MAX_SNAPLEN)) {
            for (int i = 0; i < frames.size(); i++) {
                t += r.nextInt(2_000_000_000);
                ts[i] = t;
                w.write(t, ByteBuffer.wrap(frames.get(i)));
            }
            assertEquals(3000, w.records());
        }
        long expectedSize = Pcap.FILE_HEADER + 16L * frames.size() + frames.stream().mapToLong(f -> f.length).sum();
        assertEquals(expectedSize, Files.size(file));
        try (PcapReader rd = PcapReader.open(file)) {
            assertEquals(Pcap.Precision.NANOS, rd.precision());
            assertEquals(ByteOrder.LITTLE_ENDIAN, rd.order());
            assertEquals(Pcap.MAX_SNAPLEN, rd.snaplen());
            long at = Pcap.FILE_HEADER;
            for (int i = 0; i < frames.size(); i++) {
                assertTrue(rd.next(), "record " + i);
                assertEquals(at, rd.recordOffset());
                assertEquals(ts[i], rd.timestampNanos(), "nanoseconds kept, record " + i);
                assertEquals(frames.get(i).length, rd.originalLength());
                assertEquals(ByteBuffer.wrap(frames.get(i)), rd.frame(), "record " + i);
                at += 16 + frames.get(i).length;
            }
            assertFalse(rd.next());
            assertFalse(rd.next(), "the end stays the end");
            assertEquals(3000, rd.records());
        }
    }

    @Test
    void microsecondBigEndianRoundTripAndCopyOfAFile() throws Exception {
        List<byte[]> frames = frames(2000, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.of(bytes, Pcap.Precision.MICROS, 65535, ByteOrder.BIG_ENDIAN)) {
            for (int i = 0; i < frames.size(); i++) {
                // direct buffers take the writer's copying path
                ByteBuffer d = ByteBuffer.allocateDirect(frames.get(i).length).put(frames.get(i)).flip();
                w.write(1_000_000_000L * i + 999_999_999L, d);
            }
        }
        byte[] file = bytes.toByteArray();
        assertEquals(0xa1b2c3d4, ByteBuffer.wrap(file).getInt(0), "big-endian magic");
        // copy through a second writer (little-endian): read-only frames, the same records
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(file));
                PcapWriter w = PcapWriter.of(copy, Pcap.Precision.MICROS, 65535, ByteOrder.LITTLE_ENDIAN)) {
            assertEquals(ByteOrder.BIG_ENDIAN, rd.order());
            assertEquals(Pcap.Precision.MICROS, rd.precision());
            for (int i = 0; rd.next(); i++) {
                assertEquals(1_000_000_000L * i + 999_999_000L, rd.timestampNanos(), "microseconds, record " + i);
                assertEquals(ByteBuffer.wrap(frames.get(i)), rd.frame());
                w.write(rd.timestampNanos(), rd.frame(), rd.originalLength());
            }
            assertEquals(2000, rd.records());
        }
        try (PcapReader a = PcapReader.of(new ByteArrayInputStream(file));
                PcapReader b = PcapReader.of(new ByteArrayInputStream(copy.toByteArray()))) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, b.order());
            while (a.next()) {
                assertTrue(b.next());
                assertEquals(a.timestampNanos(), b.timestampNanos());
                assertEquals(a.originalLength(), b.originalLength());
                assertEquals(a.frame(), b.frame());
            }
            assertFalse(b.next());
        }
    }

    @Test
    void snaplenCutsRecordsAndKeepsTheOriginalLength() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] big = new byte[2000];
        new Random(5).nextBytes(big);
        try (PcapWriter w = PcapWriter.of(bytes, Pcap.Precision.NANOS, 1500, ByteOrder.LITTLE_ENDIAN)) {
            w.write(5, ByteBuffer.wrap(big));
            w.write(6, ByteBuffer.wrap(big, 0, 100));
        }
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(1500, rd.snaplen());
            assertTrue(rd.next());
            assertEquals(2000, rd.originalLength());
            assertEquals(ByteBuffer.wrap(big, 0, 1500), rd.frame());
            assertTrue(rd.next());
            assertEquals(100, rd.originalLength());
            assertEquals(6, rd.timestampNanos());
            assertFalse(rd.next());
        }
    }

    @Test
    void writerRefusesBadArguments() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                () -> PcapWriter.of(bytes, Pcap.Precision.NANOS, 0, ByteOrder.LITTLE_ENDIAN)).errno());
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class,
                () -> PcapWriter.create(dir.resolve("x"), Pcap.Precision.NANOS, Pcap.MAX_SNAPLEN + 1)).errno());
        assertFalse(Files.exists(dir.resolve("x")), "no file for a refused snaplen");
        try (PcapWriter w = PcapWriter.of(bytes, Pcap.Precision.NANOS, 100, ByteOrder.LITTLE_ENDIAN)) {
            ByteBuffer f = ByteBuffer.allocate(10);
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> w.write(-1, f)).errno());
            assertEquals(Errno.EOVERFLOW, assertThrows(BpfException.class,
                    () -> w.write((1L << 32) * 1_000_000_000L, f)).errno());
            assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> w.write(0, f, 9)).errno());
            assertEquals(0, w.records());
        }
        assertEquals(Pcap.FILE_HEADER, bytes.size(), "refused records write nothing");
    }

    /** A valid little-endian nanosecond file with three 60-byte records. */
    private static byte[] threeRecords() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = PcapWriter.of(bytes, Pcap.Precision.NANOS, 1000, ByteOrder.LITTLE_ENDIAN)) {
            for (int i = 0; i < 3; i++) {
                byte[] f = new byte[60];
                Arrays.fill(f, (byte) i);
                w.write(i, ByteBuffer.wrap(f));
            }
        }
        return bytes.toByteArray();
    }

    /** Reads until the error, returning the records delivered and the error. */
    private static PcapFormatException readAll(byte[] file, List<byte[]> delivered) {
        return assertThrows(PcapFormatException.class, () -> {
            try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(file))) {
                while (rd.next()) {
                    byte[] f = new byte[rd.frame().remaining()];
                    rd.frame().get(0, f);
                    delivered.add(f);
                }
            }
        });
    }

    private static void assertMalformed(byte[] file, long offset, int recordsBefore, String message) {
        List<byte[]> delivered = new ArrayList<>();
        PcapFormatException e = readAll(file, delivered);
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(message + " (byte offset " + offset + ")", e.getMessage());
        assertEquals(recordsBefore, delivered.size(), "records before the error delivered");
        for (int i = 0; i < delivered.size(); i++) {
            byte[] f = new byte[60];
            Arrays.fill(f, (byte) i);
            assertArrayEquals(f, delivered.get(i));
        }
    }

    private static byte[] patch(byte[] file, int at, int value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    @Test
    void malformedFilesNameTheOffsetAfterTheRecordsBefore() throws Exception {
        byte[] good = threeRecords();
        int r1 = 24 + 76;
        int r2 = 24 + 2 * 76;
        assertEquals(24 + 3 * 76, good.length);
        assertMalformed(Arrays.copyOf(good, 10), 0, 0,
                "pcap file header: 10 of 24 bytes before the end of the file");
        assertMalformed(Arrays.copyOf(good, 3), 0, 0,
                "pcap file header: 3 of 24 bytes before the end of the file");
        assertMalformed(patch(good, 0, 0x12345678), 0, 0,
                "magic 0x78563412: not a classic pcap file (0xa1b2c3d4 or 0xa1b23c4d in either byte order)");
        assertMalformed(patch(good, 0, 0x0a0d0d0a), 0, 0, "magic 0x0a0d0d0a: not a classic pcap file (0xa1b2c3d4 or"
                + " 0xa1b23c4d in either byte order; this is pcapng, which is not read)");
        assertMalformed(patch(good, 4, 0x00040001), 4, 0, "version major 1: 2");
        assertMalformed(patch(good, 20, 113), 20, 0, "link type 113: only 1 (Ethernet)");
        assertMalformed(Arrays.copyOf(good, r2 + 7), r2, 2,
                "record 2 header: 7 of 16 bytes before the end of the file");
        assertMalformed(Arrays.copyOf(good, r2 + 16 + 59), r2, 2,
                "record 2: 59 of its 60 captured bytes before the end of the file");
        assertMalformed(patch(good, r1 + 8, 1001), r1 + 8, 1, "record 1 captured length 1001: at most the file's snaplen 1000");
        assertMalformed(patch(good, r1 + 8, 61), r1 + 8, 1, "record 1 captured length 61: at most its original length 60");
        assertMalformed(patch(good, r1 + 4, 1_000_000_000), r1 + 4, 1,
                "record 1 timestamp fraction 1000000000: under 1000000000 (NANOS)");
        // a file declaring snaplen 0 is read with libpcap's maximum, which still caps records
        byte[] zero = patch(good, 16, 0);
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(zero))) {
            assertEquals(0, rd.declaredSnaplen());
            assertEquals(Pcap.MAX_SNAPLEN, rd.snaplen());
        }
        byte[] huge = patch(patch(zero, r1 + 8, Pcap.MAX_SNAPLEN + 1), r1 + 12, Integer.MAX_VALUE);
        assertMalformed(huge, r1 + 8, 1, "record 1 captured length 262145: at most the file's snaplen 262144");
        byte[] negative = patch(patch(zero, r1 + 8, -1), r1 + 12, -1);
        assertMalformed(negative, r1 + 8, 1, "record 1 captured length 4294967295: at most the file's snaplen 262144");
    }

    @Test
    void anEmptyCaptureHasNoRecords() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PcapWriter.of(bytes, Pcap.Precision.MICROS, 262144, ByteOrder.LITTLE_ENDIAN).close();
        try (PcapReader rd = PcapReader.of(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertFalse(rd.next());
            assertEquals(-1, rd.recordOffset());
        }
    }
}
