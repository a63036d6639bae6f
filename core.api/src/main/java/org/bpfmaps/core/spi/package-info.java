/**
 * The service provider interface of map types: {@link org.bpfmaps.core.spi.MapProvider}, the
 * rules table {@link org.bpfmaps.core.spi.MapTypeTraits} and the element operations
 * {@link org.bpfmaps.core.spi.MapOps}; {@link org.bpfmaps.core.spi.MapState}, the contents of a map
 * between a provider that leaves and the one that takes it back; and
 * {@link org.bpfmaps.core.spi.KeyFormat}, how tools read and write a type's keys for people (1.2);
 * {@link org.bpfmaps.core.spi.MapOps#memoryInUse}, the memory of maps that allocate on demand (1.3).
 *
 * <p>2.0: {@code ProviderHost} is {@code @ProviderType} and inherits {@code BpfRuntime}'s now
 * abstract methods; {@code MapProvider}, {@code MapOps}, {@code PrimitiveOps} and
 * {@code KeyFormat} are {@code @ConsumerType} (providers implement them); a type's per-CPU-ness
 * comes from {@code MapType.perCpu()}; the runtime for use outside OSGi is
 * {@code org.bpfmaps.core.standalone.Standalone} ({@code ProviderHost.standalone()} and
 * {@code fromClassPath()} are deprecated); {@link org.bpfmaps.core.spi.ProgMapOps}, the map
 * helpers as programs call them, and {@link org.bpfmaps.core.spi.CurrentCpu}, the one source of
 * the current CPU; objects that are not maps: {@link org.bpfmaps.core.spi.ObjectKind},
 * {@link org.bpfmaps.core.spi.HostedObject} and {@link org.bpfmaps.core.spi.ObjectHost}, which
 * installs them into an instance.
 *
 * <p>2.1: {@link org.bpfmaps.core.spi.MapProvider#footprint} and
 * {@link org.bpfmaps.core.spi.MapFootprint}, what a map really takes on the heap and in direct
 * buffers, which the instance's two budgets are charged.
 *
 * <p>2.2: {@link org.bpfmaps.core.spi.MapProvider#alloc(MapDef, ObjectHost)} and its
 * {@code restore}, which tell the provider the map's instance, to resolve the fds its values name;
 * {@link org.bpfmaps.core.spi.MapTypeTraits#updateFlagsLast}, for a type whose update checks its
 * value's fd before its flags.
 *
 * <p>2.3: {@link org.bpfmaps.core.spi.MapTypeTraits#socketValue}, the sockets a type whose values
 * are socket fds takes (a {@link org.bpfmaps.core.sock.SocketRule}), which the core applies to a
 * detached map of the type, so that it answers them, and the flags after them, as attached;
 * {@link org.bpfmaps.core.spi.ObjectHost#objects}, the open fds of an object kind, and
 * {@link org.bpfmaps.core.spi.ObjectHost#mapId}, which map runs on a provider's ops: for listings of
 * sockets and the maps that hold them.
 *
 * <p>2.4: {@link org.bpfmaps.core.spi.ObjectKind#PROG}, the programs the core loads;
 * {@link org.bpfmaps.core.spi.ProviderHost#addProgram} and {@code removeProgram}, program code by
 * name outside a framework.
 *
 * <p>2.5: {@link org.bpfmaps.core.spi.ProgAttachOps}, the ops of a map that programs attach to,
 * given the map's {@link org.bpfmaps.core.spi.MapPrograms} (kept by the core), whose programs are
 * {@link org.bpfmaps.core.spi.ProgRef}s.
 *
 * <p>2.6: {@link org.bpfmaps.core.spi.ObjectKind#LINK}, the links the core makes (LINK_CREATE).
 * {@link org.bpfmaps.core.spi.CurrentCpu#enter} and {@link org.bpfmaps.core.spi.CurrentCpu#exit},
 * a binding of the current CPU without a scope object, for the per-frame runs of the XDP RX path.
 * {@link org.bpfmaps.core.spi.PrimitiveOps#lookupWords}, the values of a small array that
 * the core reads typed lookups from itself (the kernel's {@code map_gen_lookup}).
 */
@Export
@Version("2.6.0")
package org.bpfmaps.core.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
