package org.bpfmaps.map.lpm;

/**
 * A jump-table entry (see {@link LpmJumps}) of a table of 4- or 8-byte values whose walk goes on
 * at {@link #next} with no prefix above it: the plain form (the node itself) would mean that the
 * entry's number is the answer above. Rare in a large trie, whose top is full. Immutable.
 */
final class LpmJump {
    final LpmNode next;

    LpmJump(LpmNode next) {
        this.next = next;
    }
}
