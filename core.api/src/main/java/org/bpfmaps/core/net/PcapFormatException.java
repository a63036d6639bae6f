package org.bpfmaps.core.net;

import java.io.IOException;

/** A pcap file that breaks the format, with the byte offset where it does. */
public final class PcapFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public PcapFormatException(long offset, String message) {
        super(message + " (byte offset " + offset + ")");
        this.offset = offset;
    }

    /** The byte offset in the file of the field or record that is malformed. */
    public long offset() {
        return offset;
    }
}
