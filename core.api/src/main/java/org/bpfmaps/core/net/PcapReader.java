package org.bpfmaps.core.net;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the records of a classic pcap file ({@link Pcap}) of either precision and byte order,
 * link type Ethernet. One record is held at a time, in a buffer that grows to the largest record
 * seen, at most the file's snaplen (itself at most {@link Pcap#MAX_SNAPLEN}): memory is bounded
 * whatever the file says.
 *
 * <p>A malformed file ends with a {@link PcapFormatException} naming the byte offset of the bad
 * field or record, after every record before it was delivered. Checks: magic, major version 2,
 * link type 1; per record a complete header, a fraction under one second, a captured length not
 * over the snaplen nor over the original length, and all captured bytes present. A file ending
 * exactly after a record ends the stream normally.
 *
 * <p>Not thread-safe: one reader, one thread.
 */
public final class PcapReader implements Closeable {
    private final InputStream in;
    private final ByteBuffer header = ByteBuffer.allocate(Pcap.RECORD_HEADER);
    private final ByteOrder order;
    private final Pcap.Precision precision;
    private final int snaplen;
    private final int declaredSnaplen;
    private long offset;
    private byte[] data = new byte[0];
    private ByteBuffer view = ByteBuffer.wrap(data).asReadOnlyBuffer();
    private long records;
    private long recordOffset = -1;
    private long timestampNanos;
    private int originalLength;

    private PcapReader(InputStream in) throws IOException {
        this.in = in;
        ByteBuffer h = ByteBuffer.allocate(Pcap.FILE_HEADER);
        int n = readFully(h.array(), 0, Pcap.FILE_HEADER);
        if (n < 4) {
            throw new PcapFormatException(0, "pcap file header: " + n + " of " + Pcap.FILE_HEADER
                    + " bytes before the end of the file");
        }
        int magic = h.order(ByteOrder.BIG_ENDIAN).getInt(0);
        Pcap.Precision p = precisionOf(magic);
        if (p != null) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            p = precisionOf(Integer.reverseBytes(magic));
            order = ByteOrder.LITTLE_ENDIAN;
        }
        if (p == null) {
            throw new PcapFormatException(0, String.format("magic 0x%08x: not a classic pcap file (0x%08x or 0x%08x"
                    + " in either byte order%s)", magic, Pcap.MAGIC_MICROS, Pcap.MAGIC_NANOS,
                    magic == 0x0a0d0d0a ? "; this is pcapng, which is not read" : ""));
        }
        precision = p;
        if (n < Pcap.FILE_HEADER) {
            throw new PcapFormatException(0, "pcap file header: " + n + " of " + Pcap.FILE_HEADER
                    + " bytes before the end of the file");
        }
        h.order(order);
        int major = h.getShort(4) & 0xffff;
        if (major != Pcap.VERSION_MAJOR) {
            throw new PcapFormatException(4, "version major " + major + ": " + Pcap.VERSION_MAJOR);
        }
        declaredSnaplen = h.getInt(16);
        // libpcap reads a snaplen of 0 or over its maximum as the maximum (files from old writers)
        snaplen = declaredSnaplen <= 0 || declaredSnaplen > Pcap.MAX_SNAPLEN ? Pcap.MAX_SNAPLEN : declaredSnaplen;
        int linkType = h.getInt(20);
        if (linkType != Pcap.LINKTYPE_ETHERNET) {
            throw new PcapFormatException(20, "link type " + Integer.toUnsignedString(linkType) + ": only "
                    + Pcap.LINKTYPE_ETHERNET + " (Ethernet)");
        }
        header.order(order);
    }

    private static Pcap.Precision precisionOf(int magic) {
        for (Pcap.Precision p : Pcap.Precision.values()) {
            if (p.magic == magic) {
                return p;
            }
        }
        return null;
    }

    /** Opens a file and reads its header. */
    public static PcapReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        try {
            return of(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Reads the file header from a stream, which the reader then owns and closes. */
    public static PcapReader of(InputStream in) throws IOException {
        return new PcapReader(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 1 << 16));
    }

    private int readFully(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        offset += n;
        return n;
    }

    /**
     * Reads the next record.
     *
     * @return true with the record in {@link #frame()}, {@link #timestampNanos()} and {@link
     *     #originalLength()}; false at the end of the file
     * @throws PcapFormatException for a malformed record, naming its byte offset
     */
    public boolean next() throws IOException {
        long at = offset;
        int n = readFully(header.array(), 0, Pcap.RECORD_HEADER);
        if (n == 0) {
            return false;
        }
        if (n < Pcap.RECORD_HEADER) {
            throw new PcapFormatException(at, "record " + records + " header: " + n + " of " + Pcap.RECORD_HEADER
                    + " bytes before the end of the file");
        }
        long seconds = header.getInt(0) & 0xffffffffL;
        long fraction = header.getInt(4) & 0xffffffffL;
        long caplen = header.getInt(8) & 0xffffffffL;
        long len = header.getInt(12) & 0xffffffffL;
        if (fraction >= precision.perSecond) {
            throw new PcapFormatException(at + 4, "record " + records + " timestamp fraction " + fraction
                    + ": under " + precision.perSecond + " (" + precision + ")");
        }
        if (caplen > snaplen) {
            throw new PcapFormatException(at + 8, "record " + records + " captured length " + caplen
                    + ": at most the file's snaplen " + snaplen);
        }
        if (caplen > len) {
            throw new PcapFormatException(at + 8, "record " + records + " captured length " + caplen
                    + ": at most its original length " + len);
        }
        int c = (int) caplen;
        if (data.length < c) {
            data = new byte[Math.max(c, Math.min(snaplen, Math.max(2048, data.length * 2)))];
            view = ByteBuffer.wrap(data).asReadOnlyBuffer();
        }
        int got = readFully(data, 0, c);
        if (got < c) {
            throw new PcapFormatException(at, "record " + records + ": " + got + " of its " + c
                    + " captured bytes before the end of the file");
        }
        recordOffset = at;
        timestampNanos = seconds * 1_000_000_000L + fraction * precision.nanosPerUnit;
        originalLength = (int) Math.min(len, Integer.MAX_VALUE);
        view.limit(c).position(0);
        records++;
        return true;
    }

    /**
     * The current record's captured bytes, read-only, from position 0 to the captured length. Valid
     * until the next call of {@link #next()}: copy what must outlive it.
     */
    public ByteBuffer frame() {
        return view;
    }

    /** The current record's timestamp in nanoseconds since the epoch (microseconds times 1000 in a microsecond file). */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** The current record's length on the wire (over the captured length when the capture cut it). */
    public int originalLength() {
        return originalLength;
    }

    /** Byte offset of the current record's header in the file. */
    public long recordOffset() {
        return recordOffset;
    }

    /** Records read so far. */
    public long records() {
        return records;
    }

    /** The timestamp precision the magic gives. */
    public Pcap.Precision precision() {
        return precision;
    }

    /** The file's byte order. */
    public ByteOrder order() {
        return order;
    }

    /** The snaplen records are checked against ({@link Pcap#MAX_SNAPLEN} for a file declaring 0 or more). */
    public int snaplen() {
        return snaplen;
    }

    /** The snaplen field as the file has it. */
    public int declaredSnaplen() {
        return declaredSnaplen;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
