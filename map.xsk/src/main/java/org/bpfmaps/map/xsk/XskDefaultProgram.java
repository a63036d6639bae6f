package org.bpfmaps.map.xsk;

import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.XdpAction;
import org.bpfmaps.core.prog.XdpProgram;
import org.osgi.service.component.annotations.Component;

/**
 * libxdp's default AF_XDP program, {@code xsk_def_prog} (lib/libxdp/xsk_def_xdp_prog.c), under its
 * name: every frame goes to the XSK socket its RX queue's index keys in the program's first map,
 * an XSKMAP, and passes to the stack when that slot is empty:
 * {@code return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);}. What {@code prog load
 * xsk_def_prog xdp map idx 0 MAP} loads from the shell, the program an application attaches when it
 * brings no program of its own. A service in a framework, listed in {@code META-INF/services} for a
 * plain class path.
 */
@Component(service = ProgramProvider.class)
public final class XskDefaultProgram implements ProgramProvider {
    /** The name libxdp gives it, which {@code prog load} asks for. */
    public static final String NAME = "xsk_def_prog";

    private static final XdpProgram CODE = ctx -> ctx.redirectMap(0, ctx.rxQueueIndex(), XdpAction.XDP_PASS);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProgramCode code() {
        return CODE;
    }
}
