package org.bpfmaps.core.net;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.bpfmaps.core.api.BpfException;
import org.bpfmaps.core.api.Errno;

/**
 * Writes a classic pcap file ({@link Pcap}), link type Ethernet, of either precision, in
 * little-endian order by default (this machine's, as libpcap writes) or the one given. Records are
 * appended one per {@link #write} call, cut to the snaplen as a capture would (the original length
 * kept). Output is buffered: {@link #flush()} or {@link #close()} puts it in the file.
 *
 * <p>Not thread-safe: one writer, one thread.
 */
public final class PcapWriter implements Closeable, Flushable {
    private final OutputStream out;
    private final Pcap.Precision precision;
    private final int snaplen;
    private final ByteBuffer header;
    private final byte[] copy = new byte[8192];
    private long records;

    private PcapWriter(OutputStream out, Pcap.Precision precision, int snaplen, ByteOrder order) throws IOException {
        this.out = out;
        this.precision = precision;
        this.snaplen = snaplen;
        ByteBuffer h = ByteBuffer.allocate(Pcap.FILE_HEADER).order(order);
        h.putInt(precision.magic).putShort((short) Pcap.VERSION_MAJOR).putShort((short) Pcap.VERSION_MINOR)
                .putInt(0).putInt(0).putInt(snaplen).putInt(Pcap.LINKTYPE_ETHERNET);
        out.write(h.array());
        header = ByteBuffer.allocate(Pcap.RECORD_HEADER).order(order);
    }

    /** Creates (or truncates) a file, little-endian; see {@link #of(OutputStream, Pcap.Precision, int, ByteOrder)}. */
    public static PcapWriter create(Path file, Pcap.Precision precision, int snaplen) throws IOException {
        checkSnaplen(snaplen);
        OutputStream o = Files.newOutputStream(file);
        try {
            return of(o, precision, snaplen, ByteOrder.LITTLE_ENDIAN);
        } catch (IOException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /**
     * Writes the file header to a stream, which the writer then owns and closes.
     *
     * @param snaplen the most bytes of a frame recorded, 1 to {@link Pcap#MAX_SNAPLEN}
     * @throws BpfException EINVAL for a snaplen out of range
     */
    public static PcapWriter of(OutputStream out, Pcap.Precision precision, int snaplen, ByteOrder order)
            throws IOException {
        checkSnaplen(snaplen);
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(order, "order");
        return new PcapWriter(out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 16),
                precision, snaplen, order);
    }

    private static void checkSnaplen(int snaplen) {
        if (snaplen < 1 || snaplen > Pcap.MAX_SNAPLEN) {
            throw new BpfException(Errno.EINVAL, "snaplen " + snaplen + ": from 1 to " + Pcap.MAX_SNAPLEN);
        }
    }

    /** Appends a frame (position to limit, not consumed) whose original length is its length. */
    public void write(long timestampNanos, ByteBuffer frame) throws IOException {
        write(timestampNanos, frame, frame.remaining());
    }

    /**
     * Appends a record: the frame (position to limit, not consumed) cut to the snaplen, with the
     * timestamp in the file's precision (a microsecond file drops the nanoseconds below a microsecond).
     *
     * @param originalLength the frame's length on the wire, at least its bytes given
     * @throws BpfException EINVAL for a timestamp before the epoch or an original length under the
     *     frame's bytes; EOVERFLOW for a timestamp past the format's 32-bit seconds (year 2106)
     */
    public void write(long timestampNanos, ByteBuffer frame, int originalLength) throws IOException {
        int len = frame.remaining();
        if (timestampNanos < 0) {
            throw new BpfException(Errno.EINVAL, "timestamp " + timestampNanos + " ns: not before the epoch");
        }
        long seconds = timestampNanos / 1_000_000_000L;
        if (seconds > 0xffffffffL) {
            throw new BpfException(Errno.EOVERFLOW, "timestamp " + seconds + " s: at most 2^32 - 1 (the format's field)");
        }
        if (originalLength < len) {
            throw new BpfException(Errno.EINVAL, "original length " + originalLength + ": at least the frame's "
                    + len + " bytes");
        }
        int caplen = Math.min(len, snaplen);
        long fraction = (timestampNanos % 1_000_000_000L) / precision.nanosPerUnit;
        header.clear();
        header.putInt((int) seconds).putInt((int) fraction).putInt(caplen).putInt(originalLength);
        out.write(header.array());
        if (frame.hasArray()) {
            out.write(frame.array(), frame.arrayOffset() + frame.position(), caplen);
        } else {
            for (int done = 0; done < caplen; ) {
                int n = Math.min(copy.length, caplen - done);
                frame.get(frame.position() + done, copy, 0, n);
                out.write(copy, 0, n);
                done += n;
            }
        }
        records++;
    }

    /** Records written. */
    public long records() {
        return records;
    }

    /** The snaplen of the file. */
    public int snaplen() {
        return snaplen;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
