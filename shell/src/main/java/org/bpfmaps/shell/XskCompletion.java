package org.bpfmaps.shell;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bpfmaps.core.api.Bpf;
import org.bpfmaps.core.xdp.NetDevice;
import org.bpfmaps.core.xdp.NetDevices;

/**
 * What Tab offers after {@code dev} and {@code xsk} ({@link Completion} asks): subcommands, then
 * device names and XSK socket fds from the live instance where the grammar expects them, and
 * create's keywords not given yet.
 */
final class XskCompletion {
    private XskCompletion() {
    }

    static Collection<String> candidates(Bpf bpf, String command, List<String> words, String current) {
        if (current.startsWith("-")) {
            return words.isEmpty() ? List.of("-j", "--json", "-p", "--pretty", "--help")
                    : List.of("-j", "--json", "-p", "--pretty");
        }
        List<String> w = new ArrayList<>();
        for (String word : words) {
            if (!(word.length() > 1 && word.startsWith("-"))) { // options may stand anywhere
                w.add(word);
            }
        }
        List<String> names = command.equals("dev") ? DevCommand.commandNames() : XskCommand.commandNames();
        if (w.isEmpty()) {
            return names;
        }
        String sub = null;
        for (String name : names) {
            if (sub == null && Args.isPrefix(w.get(0), name)) {
                sub = name;
            }
        }
        if (sub == null) {
            return List.of();
        }
        List<String> args = w.subList(1, w.size());
        return switch (command + " " + sub) {
            case "dev show", "dev list" -> args.isEmpty() ? devices(bpf) : List.of();
            case "dev add" -> args.size() == 1 ? List.of("queues") : List.of();
            case "xsk show", "xsk list", "xsk close" -> args.isEmpty() ? xskFds(bpf) : List.of();
            case "xsk bind" -> switch (args.size()) {
                case 0 -> xskFds(bpf);
                case 1 -> List.of("dev");
                case 2 -> devices(bpf);
                case 3 -> List.of("queue");
                case 5 -> List.of("copy", "zerocopy");
                default -> List.of();
            };
            case "xsk create" -> {
                if (args.size() % 2 == 1) {
                    yield List.of(); // the cursor is at a keyword's number
                }
                List<String> left = new ArrayList<>(XskCommand.CREATE);
                left.removeAll(args);
                yield left;
            }
            default -> List.of();
        };
    }

    /** The instance's device names, by ifindex. */
    static List<String> devices(Bpf bpf) {
        return NetDevices.of(bpf).list().stream().map(NetDevice::name).toList();
    }

    /** The fds of the instance's XSK sockets, lowest first. */
    static List<String> xskFds(Bpf bpf) {
        return XskText.sockets(bpf).keySet().stream().map(String::valueOf).toList();
    }
}
