package org.bpfmaps.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The kernel's {@code struct bpf_map_info}, as OBJ_GET_INFO_BY_FD writes it (104 bytes on 6.18,
 * host byte order). Fields past the length the kernel wrote read as zero.
 */
public record MapInfo(
        int type,
        int id,
        int keySize,
        int valueSize,
        int maxEntries,
        int mapFlags,
        String name,
        int ifindex,
        int btfVmlinuxValueTypeId,
        long netnsDev,
        long netnsIno,
        int btfId,
        int btfKeyTypeId,
        int btfValueTypeId,
        int btfVmlinuxId,
        long mapExtra,
        long hash,
        int hashSize) {

    /** Offsets of the fields in the kernel's layout. */
    public static final int OFF_TYPE = 0, OFF_ID = 4, OFF_KEY_SIZE = 8, OFF_VALUE_SIZE = 12,
            OFF_MAX_ENTRIES = 16, OFF_MAP_FLAGS = 20, OFF_NAME = 24, OFF_IFINDEX = 40,
            OFF_BTF_VMLINUX_VALUE_TYPE_ID = 44, OFF_NETNS_DEV = 48, OFF_NETNS_INO = 56,
            OFF_BTF_ID = 64, OFF_BTF_KEY_TYPE_ID = 68, OFF_BTF_VALUE_TYPE_ID = 72,
            OFF_BTF_VMLINUX_ID = 76, OFF_MAP_EXTRA = 80, OFF_HASH = 88, OFF_HASH_SIZE = 96;

    /** The map type, or null for a number Linux does not define. */
    public MapType mapType() {
        return MapType.of(type);
    }

    /** Decodes {@code len} bytes at the buffer's position (the infoLen the kernel wrote back). */
    public static MapInfo read(ByteBuffer src, int len) {
        byte[] raw = new byte[BpfFlags.MAP_INFO_SIZE];
        int n = Math.min(Math.max(len, 0), raw.length);
        src.get(src.position(), raw, 0, n);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int nameEnd = OFF_NAME;
        while (nameEnd < OFF_NAME + BpfFlags.OBJ_NAME_LEN && raw[nameEnd] != 0) {
            nameEnd++;
        }
        return new MapInfo(
                b.getInt(OFF_TYPE), b.getInt(OFF_ID), b.getInt(OFF_KEY_SIZE), b.getInt(OFF_VALUE_SIZE),
                b.getInt(OFF_MAX_ENTRIES), b.getInt(OFF_MAP_FLAGS),
                new String(raw, OFF_NAME, nameEnd - OFF_NAME, StandardCharsets.US_ASCII),
                b.getInt(OFF_IFINDEX), b.getInt(OFF_BTF_VMLINUX_VALUE_TYPE_ID),
                b.getLong(OFF_NETNS_DEV), b.getLong(OFF_NETNS_INO), b.getInt(OFF_BTF_ID),
                b.getInt(OFF_BTF_KEY_TYPE_ID), b.getInt(OFF_BTF_VALUE_TYPE_ID), b.getInt(OFF_BTF_VMLINUX_ID),
                b.getLong(OFF_MAP_EXTRA), b.getLong(OFF_HASH), b.getInt(OFF_HASH_SIZE));
    }
}
