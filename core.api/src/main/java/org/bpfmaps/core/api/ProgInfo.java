package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The fields of {@code struct bpf_prog_info} (include/uapi/linux/bpf.h) that a Java program
 * has, decoded from what OBJ_GET_INFO_BY_FD wrote. The layout is the kernel's (6.18: 232 bytes,
 * host byte order); the offsets are public for tools that read the struct themselves.
 *
 * @param tag 8 bytes: the first 8 bytes of the SHA-1 of the code's class name (the kernel's is
 *     the SHA-1 of the instructions; a Java program has none)
 * @param loadTime nanoseconds since boot, as the kernel's {@code load_time}
 */
public record ProgInfo(ProgType progType, int type, int id, byte[] tag, long loadTime, int createdByUid,
        int nrMapIds, String name, boolean gplCompatible) {
    /** {@code sizeof(struct bpf_prog_info)} on 6.18. */
    public static final int SIZE = 232;
    public static final int OFF_TYPE = 0;
    public static final int OFF_ID = 4;
    public static final int OFF_TAG = 8;
    public static final int TAG_SIZE = 8;
    public static final int OFF_JITED_PROG_LEN = 16;
    public static final int OFF_XLATED_PROG_LEN = 20;
    public static final int OFF_LOAD_TIME = 40;
    public static final int OFF_CREATED_BY_UID = 48;
    public static final int OFF_NR_MAP_IDS = 52;
    public static final int OFF_MAP_IDS = 56;
    public static final int OFF_NAME = 64;
    public static final int OFF_IFINDEX = 80;
    /** The 32-bit word whose bit 0 is {@code gpl_compatible}. */
    public static final int OFF_GPL_COMPATIBLE = 84;
    public static final int OFF_NR_JITED_KSYMS = 104;
    public static final int OFF_NR_JITED_FUNC_LENS = 108;
    public static final int OFF_BTF_ID = 128;
    public static final int OFF_FUNC_INFO_REC_SIZE = 132;
    public static final int OFF_NR_FUNC_INFO = 144;
    public static final int OFF_NR_LINE_INFO = 148;
    public static final int OFF_NR_JITED_LINE_INFO = 168;
    public static final int OFF_LINE_INFO_REC_SIZE = 172;
    public static final int OFF_JITED_LINE_INFO_REC_SIZE = 176;
    public static final int OFF_NR_PROG_TAGS = 180;
    public static final int OFF_RUN_TIME_NS = 192;
    public static final int OFF_RUN_CNT = 200;
    public static final int OFF_RECURSION_MISSES = 208;
    public static final int OFF_VERIFIED_INSNS = 216;
    public static final int OFF_ATTACH_BTF_OBJ_ID = 220;
    public static final int OFF_ATTACH_BTF_ID = 224;
    /**
     * The end of the bytes the kernel reads: the 4 bytes of padding after {@code attach_btf_id}
     * must be zero (E2BIG otherwise), as measured on 6.18.
     */
    public static final int INPUT_END = 228;

    /** Decodes {@code len} bytes at the buffer's position; the fields past them are 0. */
    public static ProgInfo read(ByteBuffer info, int len) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        int n = Math.min(len, SIZE);
        for (int i = 0; i < n; i++) {
            b.put(i, info.get(info.position() + i));
        }
        byte[] tag = new byte[TAG_SIZE];
        b.get(OFF_TAG, tag);
        int nameLen = 0;
        while (nameLen < BpfFlags.OBJ_NAME_LEN && b.get(OFF_NAME + nameLen) != 0) {
            nameLen++;
        }
        byte[] name = new byte[nameLen];
        b.get(OFF_NAME, name);
        int type = b.getInt(OFF_TYPE);
        return new ProgInfo(ProgType.of(type), type, b.getInt(OFF_ID), tag, b.getLong(OFF_LOAD_TIME),
                b.getInt(OFF_CREATED_BY_UID), b.getInt(OFF_NR_MAP_IDS),
                new String(name, StandardCharsets.US_ASCII), (b.getInt(OFF_GPL_COMPATIBLE) & 1) != 0);
    }

    /** The tag as bpftool prints it: 16 hex digits. */
    public String tagHex() {
        StringBuilder s = new StringBuilder(2 * TAG_SIZE);
        for (byte x : tag) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }
}
