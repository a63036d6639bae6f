/**
 * Java programs: the code of a BPF program as a functional interface over its context, one per
 * program type family ({@link org.bpfmaps.core.prog.SkSkbProgram},
 * {@link org.bpfmaps.core.prog.SkMsgProgram}), the contexts with the helpers a program calls, and
 * {@link org.bpfmaps.core.prog.ProgramProvider}, how a bundle contributes code under a name.
 *
 * <p>1.0: the map helpers on every context; SK_SKB and SK_MSG contexts with the socket's length
 * and cookie; the data path's view of the bytes ({@code data()}) and its helpers: sk/msg redirect
 * by map and hash (with {@link org.bpfmaps.core.prog.SkAction#BPF_F_INGRESS}), msg apply/cork
 * bytes and pull data (1.0.0 is unreleased: these were added in the same session, the version stays).
 */
@Export
@Version("1.0.0")
package org.bpfmaps.core.prog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
