/**
 * Java programs: the code of a BPF program as a functional interface over its context, one per
 * program type family ({@link org.bpfmaps.core.prog.SkSkbProgram},
 * {@link org.bpfmaps.core.prog.SkMsgProgram}), the contexts with the helpers a program calls, and
 * {@link org.bpfmaps.core.prog.ProgramProvider}, how a bundle contributes code under a name.
 *
 * <p>1.0: the map helpers on every context; SK_SKB and SK_MSG contexts with the socket's length
 * and cookie. The data path's helpers (redirects, apply/cork bytes, pull data) come in minor
 * versions: the contexts are {@code @ProviderType}.
 */
@Export
@Version("1.0.0")
package org.bpfmaps.core.prog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
