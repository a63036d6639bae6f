/**
 * The bpfmaps runtime for use outside an OSGi framework: {@link org.bpfmaps.core.standalone.Standalone}
 * makes a {@link org.bpfmaps.core.spi.ProviderHost} whose providers are added by hand or found by
 * {@link java.util.ServiceLoader}. Inside a framework, take the {@code Bpf} and {@code BpfRuntime}
 * services instead.
 */
@Export
@Version("1.0.0")
package org.bpfmaps.core.standalone;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
