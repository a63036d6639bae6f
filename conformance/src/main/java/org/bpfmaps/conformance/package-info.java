/**
 * The conformance runner: reads corpora of {@code bpf(2)} map commands recorded against a real
 * Linux kernel ({@link org.bpfmaps.conformance.Corpus}), replays them against the dispatcher of a
 * {@link org.bpfmaps.core.api.BpfRuntime} ({@link org.bpfmaps.conformance.ConformanceRunner}) and
 * says which cases behave as the kernel did ({@link org.bpfmaps.conformance.Report}).

 *
 * <p>1.2: the program ops of {@code prog-sockmap-6.18.json} in {@link org.bpfmaps.conformance.OpKind}
 * (prog_load, prog_attach, prog_query, map_new, ...).
 */
@Export
@Version("1.2.0")
package org.bpfmaps.conformance;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
