/**
 * The kernel's BPF user-space API in Java: the {@link org.bpfmaps.core.api.Bpf} dispatcher with
 * the commands, attrs, map types, flags and errno numbers of {@code bpf(2)}.
 */
@Export
@Version("1.1.0")
package org.bpfmaps.core.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
