/**
 * The kernel's BPF user-space API in Java: the {@link org.bpfmaps.core.api.Bpf} dispatcher with
 * the commands, attrs, map types, flags and errno numbers of {@code bpf(2)}.
 *
 * <p>2.0: {@code Bpf}, {@code BpfInstance}, {@code BpfRuntime}, {@code ElemPath} and
 * {@code MapMapping} are {@code @ProviderType} (only the core implements them; methods may be
 * added in minor versions), and the methods that were defaults with empty answers for other
 * implementations ({@code elemPath}, {@code fdinfo}, {@code pinnedMaps}, {@code providers},
 * {@code detachedMaps}) are abstract; {@link org.bpfmaps.core.api.MapType#perCpu()}.
 * Versions are checked against a recorded baseline by bnd-baseline-maven-plugin.
 *
 * <p>2.1: {@link org.bpfmaps.core.api.BpfSettings} has two budgets, heap
 * ({@code memoryBudget}) and direct ({@code directMemoryBudget}), with defaults sized from what the
 * JVM can give.
 *
 * <p>2.2: programs: {@link org.bpfmaps.core.api.ProgType}, {@link org.bpfmaps.core.api.ProgLoadAttr}
 * (PROG_LOAD of Java code), {@link org.bpfmaps.core.api.ProgInfo} ({@code struct bpf_prog_info}),
 * the typed {@link org.bpfmaps.core.api.BpfProgram} and {@link org.bpfmaps.core.api.ProgSpec};
 * {@link org.bpfmaps.core.api.InfoAttr#mapIds}, what a program's {@code map_ids} pointer receives;
 * {@link org.bpfmaps.core.api.Errno#ENOPROTOOPT} (92), what an AF_XDP bind answers for a shared
 * UMEM fd of another socket family.
 *
 * <p>2.3: {@link org.bpfmaps.core.api.ProgAttachAttr} (PROG_ATTACH, PROG_DETACH to a socket map, with
 * the socket attach types) and {@link org.bpfmaps.core.api.ProgQueryAttr} (PROG_QUERY).
 *
 * <p>2.4: {@code tail} of {@link org.bpfmaps.core.api.GetIdAttr}, {@link org.bpfmaps.core.api.ObjAttr}
 * and {@link org.bpfmaps.core.api.InfoAttr}: the attr's bytes past the command's last field, EINVAL
 * when non-zero (the kernel's {@code CHECK_ATTR}).
 *
 * <p>2.5: links: {@link org.bpfmaps.core.api.LinkCreateAttr} (LINK_CREATE of XDP links, with the
 * {@code XDP_FLAGS_*}), {@link org.bpfmaps.core.api.LinkUpdateAttr}, {@link org.bpfmaps.core.api.LinkDetachAttr},
 * {@link org.bpfmaps.core.api.LinkInfo} ({@code struct bpf_link_info}), the typed
 * {@link org.bpfmaps.core.api.BpfLink} and {@link org.bpfmaps.core.api.BpfProgram#attachXdp};
 * {@link org.bpfmaps.core.api.Errno#ENOLINK}; {@code ProgType.SOCKET_FILTER} loads (javaFamily).
 * {@link org.bpfmaps.core.api.ProgAttachAttr#sockSlot}, the program slot of a socket attach type;
 * {@link org.bpfmaps.core.api.BpfRuntime#programNames()}, the names program code is
 * contributed under now, with their types (the shell's Tab after {@code prog load}).
 */
@Export
@Version("2.5.0")
package org.bpfmaps.core.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
