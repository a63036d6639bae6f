package org.bpfmaps.core.spi;

import org.bpfmaps.core.api.MapType;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * How people write and read the keys of some map types, for tools such as the shell: an LPM
 * trie's keys as CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). Optional: a map bundle
 * registers it as an OSGi service beside its {@link MapProvider} (or a plain JVM passes it to the
 * tool), so that a tool knows no map type. The key bytes are exactly what the map's commands take.
 */
@ConsumerType
public interface KeyFormat {
    /** Whether this format reads and writes the keys of maps of this type. */
    boolean serves(MapType type);

    /**
     * The {@code keySize} bytes of the key that {@code word} writes, or null when the word is not
     * in this format at all (the tool then reads it as it would without a format).
     *
     * @throws IllegalArgumentException when the word is in this format but wrong, or does not fit
     *     the key size; the message names the limit
     */
    byte[] parseKey(String word, int keySize);

    /** The key as people write it, or null when this key has no such form (an unusual key size). */
    String formatKey(byte[] key, int keySize);
}
