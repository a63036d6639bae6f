package org.bpfmaps.map.array;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies between a storage slot and a caller's buffer. A value of up to 8 bytes lives alone in an
 * aligned 8-byte slot and is read and written as one atomic access, so that concurrent readers and
 * writers never see a torn value (the kernel gives BPF programs the same for naturally aligned
 * words). Larger values are copied as the kernel copies them, without a lock.
 */
final class Slots {
    private Slots() {
    }

    private static final ByteOrder HOST = ByteOrder.nativeOrder();
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, HOST);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, HOST);
    private static final VarHandle SHORT = MethodHandles.byteBufferViewVarHandle(short[].class, HOST);
    static final boolean LITTLE = HOST == ByteOrder.LITTLE_ENDIAN;

    /** Copies {@code len} bytes of the slot at {@code at} to {@code dst} at {@code dstAt}. */
    static void read(ByteBuffer slot, int at, int len, ByteBuffer dst, int dstAt) {
        if (len > 8) {
            dst.put(dstAt, slot, at, len);
            return;
        }
        putWord(dst, dstAt, len, (long) LONG.getAcquire(slot, at));
    }

    /** Writes the first {@code len} (at most 8) bytes of the host-order word {@code v} to {@code dst}. */
    static void putWord(ByteBuffer dst, int at, int len, long v) {
        if (len == 8) {
            LONG.set(dst, at, v);
            return;
        }
        for (int i = 0; i < len; i++) {
            dst.put(at + i, byteOf(v, i));
        }
    }

    /** The {@code len} (at most 8) bytes of {@code src} at {@code at} as the first bytes of a word, the rest zero. */
    static long getWord(ByteBuffer src, int at, int len) {
        if (len == 8) {
            return (long) LONG.get(src, at);
        }
        long bits = 0;
        for (int i = 0; i < len; i++) {
            bits |= (src.get(at + i) & 0xffL) << (LITTLE ? 8 * i : 8 * (7 - i));
        }
        return bits;
    }

    /** The word whose first {@code len} bytes are the low {@code len} bytes of {@code v}, the rest zero. */
    static long wordOf(long v, int len) {
        if (len == 8) {
            return v;
        }
        return LITTLE ? v & ((1L << (8 * len)) - 1) : v << (8 * (8 - len));
    }

    /** The value in the first {@code len} bytes of the word {@code w}, zero-extended. */
    static long valueOf(long w, int len) {
        if (len == 8) {
            return w;
        }
        return LITTLE ? w & ((1L << (8 * len)) - 1) : w >>> (8 * (8 - len));
    }

    /** Copies {@code len} bytes of {@code src} at {@code srcAt} into the slot at {@code at}. */
    static void write(ByteBuffer slot, int at, int len, ByteBuffer src, int srcAt) {
        switch (len) {
            case 8:
                LONG.setRelease(slot, at, (long) LONG.get(src, srcAt));
                return;
            case 4:
                INT.setRelease(slot, at, (int) INT.get(src, srcAt));
                return;
            case 2:
                SHORT.setRelease(slot, at, (short) SHORT.get(src, srcAt));
                return;
            case 1:
                slot.put(at, src.get(srcAt));
                VarHandle.releaseFence();
                return;
            default:
                break;
        }
        if (len > 8) {
            slot.put(at, src, srcAt, len);
            return;
        }
        // 3, 5, 6 or 7 bytes: merge into the slot's word, keeping the bytes past the value
        long bits = getWord(src, srcAt, len);
        long keep = LITTLE ? -1L << (8 * len) : -1L >>> (8 * len);
        for (;;) {
            long old = (long) LONG.getVolatile(slot, at);
            if (LONG.compareAndSet(slot, at, old, (old & keep) | bits)) {
                return;
            }
        }
    }

    /** The value of up to 8 bytes in the slot at {@code at}, zero-extended, read atomically. */
    static long readLong(ByteBuffer slot, int at, int len) {
        // the value's bytes are the first len bytes of the word: its low bytes on a little-endian host
        return valueOf((long) LONG.getAcquire(slot, at), len);
    }

    /** Stores the low {@code len} bytes of {@code v} (host order) in the slot at {@code at}, atomically. */
    static void writeLong(ByteBuffer slot, int at, int len, long v) {
        if (len == 8) {
            LONG.setRelease(slot, at, v);
            return;
        }
        long bits = wordOf(v, len);
        long keep = LITTLE ? -1L << (8 * len) : -1L >>> (8 * len);
        for (;;) {
            long old = (long) LONG.getVolatile(slot, at);
            if (LONG.compareAndSet(slot, at, old, (old & keep) | bits)) {
                return;
            }
        }
    }

    private static byte byteOf(long v, int i) {
        return (byte) (v >>> (LITTLE ? 8 * i : 8 * (7 - i)));
    }
}
