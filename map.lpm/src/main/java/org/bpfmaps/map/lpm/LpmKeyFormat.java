package org.bpfmaps.map.lpm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.spi.KeyFormat;
import org.osgi.service.component.annotations.Component;

/**
 * LPM_TRIE keys as CIDR for tools: {@code 10.0.0.0/8} for key_size 8, {@code 2001:db8::/32} for
 * key_size 20, a bare address for the longest prefix (/32, /128). The key is the kernel's: the
 * prefixlen in host order, then the address bytes as written (bits past the prefix kept, as the
 * kernel keeps them). Words without '.', ':' or '/' are not CIDR (they are bpftool's byte words).
 */
@Component(service = KeyFormat.class, property = "bpf.map.types=lpm_trie")
public final class LpmKeyFormat implements KeyFormat {
    private static final int IPV4 = 4;
    private static final int IPV6 = 16;

    @Override
    public boolean serves(MapType type) {
        return type == MapType.LPM_TRIE;
    }

    @Override
    public byte[] parseKey(String word, int keySize) {
        if (word.indexOf('.') < 0 && word.indexOf(':') < 0 && word.indexOf('/') < 0) {
            return null;
        }
        int slash = word.indexOf('/');
        String text = slash < 0 ? word : word.substring(0, slash);
        boolean v6 = text.indexOf(':') >= 0;
        byte[] address = v6 ? ipv6(text) : ipv4(text);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an " + (v6 ? "IPv6" : "IPv4")
                    + " address (" + (v6 ? "such as 2001:db8::" : "four numbers 0..255 with dots") + ")");
        }
        int dataSize = keySize - LpmProvider.PREFIXLEN_BYTES;
        String family = v6 ? "IPv6" : "IPv4";
        if (dataSize != address.length) {
            throw new IllegalArgumentException(family + " keys have key_size " + (4 + address.length)
                    + "; this map's key_size is " + keySize + " (" + (dataSize == IPV4 ? "IPv4"
                    : dataSize == IPV6 ? "IPv6" : "no address size") + ")");
        }
        int max = 8 * dataSize;
        int prefixlen = max;
        if (slash >= 0) {
            String len = word.substring(slash + 1);
            if (len.isEmpty() || len.length() > 4 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("prefix length '" + len + "' is not a number 0.." + max);
            }
            prefixlen = Integer.parseInt(len);
            if (prefixlen > max) {
                throw new IllegalArgumentException("prefix length " + prefixlen + " is above " + max
                        + ", the most an " + family + " key (key_size " + keySize + ") holds");
            }
        }
        ByteBuffer key = ByteBuffer.allocate(keySize).order(ByteOrder.nativeOrder());
        key.putInt(0, prefixlen).put(LpmProvider.PREFIXLEN_BYTES, address);
        return key.array();
    }

    @Override
    public String formatKey(byte[] key, int keySize) {
        int dataSize = keySize - LpmProvider.PREFIXLEN_BYTES;
        if (key.length < keySize || (dataSize != IPV4 && dataSize != IPV6)) {
            return null;
        }
        long prefixlen = Integer.toUnsignedLong(ByteBuffer.wrap(key).order(ByteOrder.nativeOrder()).getInt(0));
        StringBuilder b = new StringBuilder();
        if (dataSize == IPV4) {
            for (int i = 0; i < IPV4; i++) {
                b.append(i > 0 ? "." : "").append(key[4 + i] & 0xff);
            }
        } else {
            appendIpv6(b, key, 4);
        }
        return b.append('/').append(prefixlen).toString();
    }

    /** Dotted quad, strictly: four decimal numbers 0..255. */
    private static byte[] ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != IPV4) {
            return null;
        }
        byte[] out = new byte[IPV4];
        for (int i = 0; i < IPV4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    /** An IPv6 literal; only hex digits, ':' and '.' reach the JDK's parser, so it never asks DNS. */
    private static byte[] ipv6(String text) {
        if (!text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            byte[] b = a.getAddress();
            if (a instanceof Inet4Address) {
                // ::ffff:a.b.c.d comes back as IPv4: the IPv6 bytes are what was written
                byte[] mapped = new byte[IPV6];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(b, 0, mapped, 12, IPV4);
                return mapped;
            }
            return b;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    /** RFC 5952 text: lower-case hex groups, the longest run of two or more zero groups as "::". */
    private static void appendIpv6(StringBuilder b, byte[] key, int at) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((key[at + 2 * i] & 0xff) << 8) | (key[at + 2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            b.append(Integer.toHexString(g[i]));
            if (i < 7) {
                b.append(':');
            }
        }
    }
}
