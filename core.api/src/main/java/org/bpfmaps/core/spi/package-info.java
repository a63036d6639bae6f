/**
 * The service provider interface of map types: {@link org.bpfmaps.core.spi.MapProvider}, the
 * rules table {@link org.bpfmaps.core.spi.MapTypeTraits} and the element operations
 * {@link org.bpfmaps.core.spi.MapOps}, and {@link org.bpfmaps.core.spi.MapState}, the contents of
 * a map between a provider that leaves and the one that takes it back.
 */
@Export
@Version("1.2.0")
package org.bpfmaps.core.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
