package org.bpfmaps.map.lpm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.testsupport.SwapUnderWriters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * LPM_TRIE leaving and returning while threads write and delete /32 prefixes: every write that
 * returned 0 is in the trie afterwards, writes in the gap answer ENODEV, and a deleted prefix
 * stays deleted.
 */
class ProviderSwapTest {
    private static final int KEYS = 2000;
    private final LpmFixture f = new LpmFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Key {@code k} as the /32 prefix of the address with that number. */
    private static ByteBuffer prefix(int k) {
        return LpmFixture.key(32, ByteBuffer.allocate(4).putInt(0, k).array());
    }

    @Test
    @Disabled("LPM_TRIE loses writes acknowledged during a swap (e.g. key 704: 45 acked, 44 restored): its"
            + " ops keep MapOps' default exportState, a walk that suits only ops without concurrent writers;"
            + " enable with an exportState that retires the trie first or hands over its storage")
    void noAcknowledgedWriteIsLostAcrossSwaps() throws Exception {
        int fd = f.create(4, 8, 2 * KEYS);
        SwapUnderWriters.run(f, LpmProvider::new, "LPM_TRIE", KEYS, true, new SwapUnderWriters.Elements() {
            @Override
            public int update(int key, long value) {
                return f.update(fd, prefix(key), LpmFixture.u64(value), BpfFlags.ANY);
            }

            @Override
            public int delete(int key) {
                return f.delete(fd, prefix(key));
            }

            @Override
            public long read(int key) {
                byte[] v = f.lookup(fd, prefix(key), 8); // null for ENOENT; other errors fail
                return v == null ? 0 : ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getLong(0);
            }
        });
    }
}
