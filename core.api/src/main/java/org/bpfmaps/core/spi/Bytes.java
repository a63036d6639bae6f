package org.bpfmaps.core.spi;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host-byte-order access to keys and values in any buffer, whatever its own order, without
 * allocating: the way the kernel reads a {@code __u32} key.
 */
public final class Bytes {
    private Bytes() {
    }

    private static final VarHandle INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** The {@code __u32} at absolute index {@code at}, host order, as an int. */
    public static int getInt(ByteBuffer b, int at) {
        return (int) INT.get(b, at);
    }

    public static void putInt(ByteBuffer b, int at, int v) {
        INT.set(b, at, v);
    }

    public static long getLong(ByteBuffer b, int at) {
        return (long) LONG.get(b, at);
    }

    public static void putLong(ByteBuffer b, int at, long v) {
        LONG.set(b, at, v);
    }

    /** Copies {@code len} bytes between absolute indexes of two buffers, positions untouched. */
    public static void copy(ByteBuffer src, int srcAt, ByteBuffer dst, int dstAt, int len) {
        dst.put(dstAt, src, srcAt, len);
    }

    /**
     * Whether {@code len} bytes can be read at {@code offset} past the buffer's position: the
     * check a {@code copy_from_user} makes (false means EFAULT; a null buffer is a NULL pointer).
     */
    public static boolean canRead(ByteBuffer b, long offset, long len) {
        return b != null && offset >= 0 && b.position() + offset + len <= b.limit();
    }

    /** As {@link #canRead}, for a {@code copy_to_user}: the buffer must also be writable. */
    public static boolean canWrite(ByteBuffer b, long offset, long len) {
        return canRead(b, offset, len) && !b.isReadOnly();
    }

    /** Zeroes {@code len} bytes at absolute index {@code at}. */
    public static void zero(ByteBuffer b, int at, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            b.putLong(at + i, 0L);
        }
        for (; i < len; i++) {
            b.put(at + i, (byte) 0);
        }
    }
}
