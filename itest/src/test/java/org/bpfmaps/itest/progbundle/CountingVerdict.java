package org.bpfmaps.itest.progbundle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The code of a test bundle (not run on the test's class path: {@code ProgramBundleTrafficTest}
 * makes a bundle of this package with bnd and installs it in Felix): an SK_SKB verdict, contributed
 * under {@value #NAME}, that adds the length of every message it sees to the 8-byte value of its
 * program's first map (an ARRAY) at the key its bundle's {@value #KEY_HEADER} header names, and
 * passes the message. Two builds of the bundle differ only in that header, so the test sees which
 * code ran, and whether any did, in the map.
 */
@Component(service = ProgramProvider.class)
public class CountingVerdict implements ProgramProvider {
    public static final String NAME = "itest_counting";
    public static final String KEY_HEADER = "Itest-Counter-Key";

    private int key;

    @Activate
    void activate(BundleContext context) {
        key = Integer.parseInt(context.getBundle().getHeaders().get(KEY_HEADER).trim());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProgramCode code() {
        int k = key;
        return (SkSkbProgram) ctx -> {
            // one selector thread runs a socket's verdicts, so the read-modify-write is not raced
            ByteBuffer mapKey = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, k);
            ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ctx.mapLookupElem(0, mapKey, value) != 0) {
                return SkAction.SK_DROP; // no such map: the test sees the stream break
            }
            value.putLong(0, value.getLong(0) + ctx.len());
            ctx.mapUpdateElem(0, mapKey, value, 0);
            return SkAction.SK_PASS;
        };
    }
}
