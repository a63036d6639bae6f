/**
 * Java programs: the code of a BPF program as a functional interface over its context, one per
 * program type family ({@link org.bpfmaps.core.prog.SkSkbProgram},
 * {@link org.bpfmaps.core.prog.SkMsgProgram}, {@link org.bpfmaps.core.prog.XdpProgram}), the contexts with the helpers a program calls, and
 * {@link org.bpfmaps.core.prog.ProgramProvider}, how a bundle contributes code under a name.
 *
 * <p>1.0: the map helpers on every context; SK_SKB and SK_MSG contexts with the socket's length
 * and cookie; the data path's view of the bytes ({@code data()}) and its helpers: sk/msg redirect
 * by map and hash (with {@link org.bpfmaps.core.prog.SkAction#BPF_F_INGRESS}), msg apply/cork
 * bytes and pull data.
 *
 * <p>1.1: XDP programs: {@link org.bpfmaps.core.prog.XdpProgram}, its context
 * {@link org.bpfmaps.core.prog.XdpContext} (the frame in place, ingress device and RX queue,
 * {@code xdp_adjust_head}, {@code redirect_map}) and the verdicts {@link org.bpfmaps.core.prog.XdpAction};
 * {@link org.bpfmaps.core.prog.SocketFilterProgram}, socket filters, which load (nothing runs them yet).
 */
@Export
@Version("1.1.0")
package org.bpfmaps.core.prog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
