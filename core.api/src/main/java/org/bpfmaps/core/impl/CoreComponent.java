package org.bpfmaps.core.impl;

import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.api.BpfRuntime;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.sock.SocketFactories;
import org.bpfmaps.core.sock.SocketFactory;
import org.bpfmaps.core.sock.TcpStateSource;
import org.bpfmaps.core.spi.MapProvider;
import org.bpfmaps.core.spi.ObjectHost;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The core in a framework: tracks {@link MapProvider} services (any number, coming and going at
 * any time), {@link SocketFactory} services (socket kinds other bundles make) and
 * {@link TcpStateSource} services (faster TCP state readers), {@link ProgramProvider} services
 * (program code by name), and registers the default instance as
 * the {@link Bpf} service and a {@link BpfRuntime} for isolated ones.
 *
 * <p>Settings come from the configuration {@code org.bpfmaps.core} (Config Admin) or else the
 * framework properties {@value BpfSettings#POSSIBLE_CPUS}, {@value BpfSettings#MEMORY_BUDGET} and
 * {@value BpfSettings#DIRECT_MEMORY_BUDGET}.
 * They size the maps already made, so a changed configuration applies at the next start.
 */
@Component(service = {}, immediate = true, configurationPid = "org.bpfmaps.core")
public final class CoreComponent extends RegistryRuntime {
    private Instance defaultInstance;
    private ServiceRegistration<?> bpfReg;
    private ServiceRegistration<?> runtimeReg;

    @Reference(service = MapProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addProvider(MapProvider provider, ServiceReference<MapProvider> ref) {
        Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
        registry.add(provider, ranking instanceof Integer r ? r : 0, ref.getBundle().getVersion().toString(),
                ref.getBundle().getSymbolicName());
    }

    void removeProvider(MapProvider provider) {
        registry.remove(provider);
    }

    /** Program code a bundle contributes by name, for PROG_LOAD by name and programs that lost theirs. */
    @Reference(service = ProgramProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addProgram(ProgramProvider program) {
        registry.programs.add(program);
    }

    void removeProgram(ProgramProvider program) {
        registry.programs.remove(program);
    }

    /** Socket kinds a bundle adds (the native Unix datagram socket), for {@link SocketFactories}. */
    @Reference(service = SocketFactory.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addSocketFactory(SocketFactory factory) {
        ServiceList.SOCKET_FACTORIES.add(factory);
    }

    void removeSocketFactory(SocketFactory factory) {
        ServiceList.SOCKET_FACTORIES.remove(factory);
    }

    /** A faster reader of TCP states (the native bundle's netlink one), for the socket layer. */
    @Reference(service = TcpStateSource.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addTcpStateSource(TcpStateSource source) {
        ServiceList.TCP_STATE_SOURCES.add(source);
    }

    void removeTcpStateSource(TcpStateSource source) {
        ServiceList.TCP_STATE_SOURCES.remove(source);
    }

    @Activate
    void activate(BundleContext ctx, Map<String, Object> config) {
        Map<String, Object> props = new HashMap<>();
        for (String key : new String[] {BpfSettings.POSSIBLE_CPUS, BpfSettings.MEMORY_BUDGET,
            BpfSettings.DIRECT_MEMORY_BUDGET}) {
            String v = ctx.getProperty(key);
            if (v != null) {
                props.put(key, v);
            }
            if (config.get(key) != null) {
                props.put(key, config.get(key));
            }
        }
        BpfSettings settings;
        try {
            settings = BpfSettings.from(props);
        } catch (IllegalArgumentException e) {
            System.err.println("bpfmaps: " + e.getMessage() + "; using the defaults");
            settings = BpfSettings.defaults();
        }
        // Apache Felix FileInstall's folder, when the framework watches one (bpfmaps.jar does)
        registry.deployFolder(ctx.getProperty("felix.fileinstall.dir"));
        defaultInstance = new Instance(settings, registry);
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("bpfmaps.possible.cpus", settings.possibleCpus());
        // under ObjectHost too, so that a bundle that installs sockets or programs can ask for it
        bpfReg = ctx.registerService(new String[] {Bpf.class.getName(), ObjectHost.class.getName()},
                defaultInstance, p);
        runtimeReg = ctx.registerService(BpfRuntime.class, this, null);
    }

    @Modified
    void modified(Map<String, Object> config) {
        // Keeping the live instance: its maps were laid out with the current settings.
    }

    @Deactivate
    void deactivate() {
        runtimeReg.unregister();
        bpfReg.unregister();
        defaultInstance.close();
    }

    @Override
    public Bpf defaultInstance() {
        return defaultInstance;
    }
}
