package org.bpfmaps.map.lpm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reading and writing the data of a {@code struct bpf_lpm_trie_key_u8} in a caller's buffer as
 * big-endian 64-bit words, whatever the buffer's own order, without allocating. The prefixlen
 * before the data is host order and read with {@code Bytes}. Also the one place values become
 * numbers, so that Lincheck's model checker can treat all byte-view accesses as atomic here.
 */
final class LpmKey {
    private LpmKey() {
    }

    private static final VarHandle LONG_BE = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final VarHandle VALUE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final VarHandle VALUE_INT = MethodHandles.byteArrayViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    /** A value of 8 or 4 bytes as one host-order number (see {@code LpmNode.small}); else 0. */
    static long small(byte[] value) {
        if (value == null) {
            return 0;
        }
        if (value.length == 8) {
            return (long) VALUE_LONG.get(value, 0);
        }
        return value.length == 4 ? (int) VALUE_INT.get(value, 0) : 0;
    }

    /** Number of 64-bit words that hold {@code dataSize} bytes. */
    static int words(int dataSize) {
        return (dataSize + 7) >>> 3;
    }

    /**
     * Word {@code i} of the data at absolute index {@code dataAt}: bytes {@code 8i..8i+7},
     * big-endian, zero past {@code dataSize}.
     */
    static long word(ByteBuffer b, int dataAt, int i, int dataSize) {
        int at = dataAt + 8 * i;
        int avail = dataSize - 8 * i;
        if (avail >= 8) {
            return (long) LONG_BE.get(b, at);
        }
        long w = 0;
        int j = 0;
        if (avail >= 4) {
            w = ((int) INT_BE.get(b, at) & 0xffff_ffffL) << 32;
            j = 4;
        }
        for (; j < avail; j++) {
            w |= (b.get(at + j) & 0xffL) << (56 - 8 * j);
        }
        return w;
    }

    /** Words 1.. of the data, for a new node; null when the data fit one word. */
    static long[] moreWords(ByteBuffer b, int dataAt, int dataSize) {
        int n = words(dataSize);
        if (n == 1) {
            return null;
        }
        long[] more = new long[n - 1];
        for (int i = 1; i < n; i++) {
            more[i - 1] = word(b, dataAt, i, dataSize);
        }
        return more;
    }

    /** Writes a node's data as {@code dataSize} bytes at absolute index {@code dataAt}. */
    static void put(ByteBuffer b, int dataAt, LpmNode node, int dataSize) {
        for (int j = 0; j < dataSize; j++) {
            b.put(dataAt + j, (byte) (node.word(j >>> 3) >>> (56 - 8 * (j & 7))));
        }
    }
}
