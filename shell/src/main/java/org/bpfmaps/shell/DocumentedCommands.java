package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The documented commands of scope bpf registered now ({@link DocumentedCommand#FILTER}), from any
 * bundle: a command is there while its bundle serves it and gone when the bundle stops. Only the
 * services' properties are read, never the services themselves, so looking does not activate a
 * delayed component.
 */
final class DocumentedCommands implements Supplier<List<DocumentedCommand>>, AutoCloseable {
    private final ServiceTracker<Object, ServiceReference<Object>> tracker;

    DocumentedCommands(BundleContext context) {
        try {
            tracker = new ServiceTracker<>(context, context.createFilter(DocumentedCommand.FILTER), null) {
                @Override
                public ServiceReference<Object> addingService(ServiceReference<Object> ref) {
                    return ref;
                }
            };
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        tracker.open(true); // any bundle's, whatever its class space: only properties are read
    }

    /** The documented commands, by name. */
    @Override
    public List<DocumentedCommand> get() {
        List<DocumentedCommand> out = new ArrayList<>();
        ServiceReference<Object>[] refs = tracker.getServiceReferences();
        for (ServiceReference<Object> ref : refs == null ? List.<ServiceReference<Object>>of() : List.of(refs)) {
            DocumentedCommand c = DocumentedCommand.of(ref::getProperty);
            if (c != null) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparing(DocumentedCommand::name));
        return out;
    }

    @Override
    public void close() {
        tracker.close();
    }
}
