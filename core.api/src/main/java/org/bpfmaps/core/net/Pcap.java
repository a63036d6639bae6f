package org.bpfmaps.core.net;

/**
 * The classic libpcap file format (pcap-savefile(5)): a 24-byte file header (magic, version 2.4,
 * thiszone, sigfigs, snaplen, link type) then records of a 16-byte header (seconds, fraction,
 * captured length, original length) and the captured bytes. The magic says the fraction's unit
 * ({@link #MAGIC_MICROS} or {@link #MAGIC_NANOS}) and, read in the other byte order, that every
 * field of the file is byte-swapped. pcapng is another format and is not read here.
 */
public final class Pcap {
    /** Magic of files with microsecond timestamps. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Magic of files with nanosecond timestamps. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    /** The version this format has had since libpcap 0.4. */
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** LINKTYPE_ETHERNET (DLT_EN10MB), the only link type read and written here. */
    public static final int LINKTYPE_ETHERNET = 1;
    /**
     * libpcap's {@code MAXIMUM_SNAPLEN}: the largest snaplen written, the hard cap on a record read,
     * and the snaplen a file declaring 0 or more is read with (as libpcap does).
     */
    public static final int MAX_SNAPLEN = 262144;
    /** Bytes of the file header. */
    public static final int FILE_HEADER = 24;
    /** Bytes of a record header. */
    public static final int RECORD_HEADER = 16;

    /** The unit of the timestamps' fraction, which the magic number gives. */
    public enum Precision {
        MICROS(MAGIC_MICROS, 1_000_000, 1000),
        NANOS(MAGIC_NANOS, 1_000_000_000, 1);

        final int magic;
        final int perSecond;
        final int nanosPerUnit;

        Precision(int magic, int perSecond, int nanosPerUnit) {
            this.magic = magic;
            this.perSecond = perSecond;
            this.nanosPerUnit = nanosPerUnit;
        }

        /** The magic number of files of this precision. */
        public int magic() {
            return magic;
        }
    }

    private Pcap() {
    }
}
