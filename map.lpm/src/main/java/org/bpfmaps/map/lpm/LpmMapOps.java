package org.bpfmaps.map.lpm;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.spi.Bytes;
import org.bpfmaps.core.spi.MapDef;
import org.bpfmaps.core.spi.MapOps;
import org.bpfmaps.core.spi.MapState;
import org.bpfmaps.core.spi.ProgMapOps;
import org.bpfmaps.core.api.BpfFlags;

/**
 * The element commands of one LPM_TRIE map: the checks {@code trie_update_elem} and
 * {@code trie_delete_elem} make before taking the lock (a prefixlen above max_prefixlen is
 * EINVAL; for a lookup it only finds nothing), then the trie. Batches are the core's generic ones,
 * as the kernel's; lookup-and-delete is not listed in the traits, so the core answers ENOTSUPP.
 */
final class LpmMapOps implements MapOps, ProgMapOps {
    private final LpmTrie trie;
    private final long valueSize;
    private final String tooLong;
    private final String noMatch;

    LpmMapOps(MapDef def) {
        this(def, LpmJumps.STRIDES, LpmJumps.FROM);
    }

    /** With the jump table's strides and thresholds given (tests make them small). */
    LpmMapOps(MapDef def, int[] strides, long[] from) {
        int dataSize = def.keySize() - LpmProvider.PREFIXLEN_BYTES;
        trie = new LpmTrie(dataSize, def.valueSize(), Integer.toUnsignedLong(def.maxEntries()), strides, from);
        valueSize = Integer.toUnsignedLong(def.valueSize());
        // constants for the map: why() runs on every miss and must not allocate; no '%' in them
        tooLong = "the key's prefixlen is above max_prefixlen " + trie.maxPrefixlen + " (8 x " + dataSize
                + " data bytes)";
        noMatch = "no stored prefix covers the key (a prefixlen above max_prefixlen " + trie.maxPrefixlen
                + " matches nothing)";
    }

    LpmTrie trie() {
        return trie;
    }

    @Override
    public int lookupElem(ByteBuffer key, ByteBuffer value, long flags) {
        return trie.lookup(key, key.position(), value, value.position());
    }

    @Override
    public int updateElem(ByteBuffer key, ByteBuffer value, long flags) {
        int at = key.position();
        if (trie.tooLong(Bytes.getInt(key, at))) {
            return Errno.EINVAL.ret();
        }
        return trie.update(key, at, value, value.position(), flags);
    }

    @Override
    public int deleteElem(ByteBuffer key) {
        int at = key.position();
        if (trie.tooLong(Bytes.getInt(key, at))) {
            return Errno.EINVAL.ret();
        }
        return trie.delete(key, at);
    }

    /** {@code trie_lookup_elem} serves programs and the syscall alike. */
    @Override
    public int progLookupElem(ByteBuffer key, ByteBuffer value) {
        return lookupElem(key, value, 0);
    }

    /**
     * {@code trie_update_elem} from a program, whose flags syscall.c has not checked: above
     * BPF_EXIST (BPF_F_LOCK included) is EINVAL, before the prefixlen.
     */
    @Override
    public int progUpdateElem(ByteBuffer key, ByteBuffer value, long flags) {
        if (flags < 0 || flags > BpfFlags.EXIST) {
            return Errno.EINVAL.ret();
        }
        return updateElem(key, value, flags);
    }

    @Override
    public int progDeleteElem(ByteBuffer key) {
        return deleteElem(key);
    }

    @Override
    public int getNextKey(ByteBuffer key, ByteBuffer nextKey) {
        return trie.nextKey(key, key == null ? 0 : key.position(), nextKey, nextKey.position());
    }

    /**
     * Retires the trie (the write in progress ends, every later update or delete, from the syscall,
     * a batch or a program, answers ENODEV), then walks it: the prefixes in get_next_key's order,
     * which the next provider replays. Reads still in flight see the trie as it stays; no write
     * that returned 0 is missing.
     */
    @Override
    public MapState exportState(MapDef def) {
        trie.retire();
        return MapState.walk(this, def);
    }

    /**
     * The kernel's {@code trie_mem_usage}: each prefix at {@code sizeof(struct lpm_trie_node)}
     * plus its data and value bytes; intermediate nodes are not counted.
     */
    @Override
    public long memoryInUse() {
        return (LpmProvider.NODE_HEADER + trie.dataSize + valueSize) * trie.entries();
    }

    @Override
    public String why(BpfCmd cmd, int err) {
        boolean write = cmd == BpfCmd.MAP_UPDATE_ELEM || cmd == BpfCmd.MAP_DELETE_ELEM;
        if (write && err == Errno.EINVAL.ret()) {
            return tooLong;
        }
        if (cmd == BpfCmd.MAP_UPDATE_ELEM && err == Errno.ENOSPC.ret()) {
            return "the trie holds max_entries (%d) prefixes; only a stored prefix can be replaced";
        }
        if (cmd == BpfCmd.MAP_LOOKUP_ELEM && err == Errno.ENOENT.ret()) {
            return noMatch;
        }
        if (cmd == BpfCmd.MAP_DELETE_ELEM && err == Errno.ENOENT.ret()) {
            return "no stored prefix has exactly this prefixlen and these leading bits";
        }
        return null;
    }
}
