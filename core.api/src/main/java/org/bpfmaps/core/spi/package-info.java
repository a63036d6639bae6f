/**
 * The service provider interface of map types: {@link org.bpfmaps.core.spi.MapProvider}, the
 * rules table {@link org.bpfmaps.core.spi.MapTypeTraits} and the element operations
 * {@link org.bpfmaps.core.spi.MapOps}.
 */
@Export
@Version("1.2.0")
package org.bpfmaps.core.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
