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
            case "dev show", "dev list", "dev set" -> args.isEmpty() ? devices(bpf)
                    : sub.equals("set") ? keywords(args, List.of("udp", "pass", "tx", "pcap")) : List.of();
            case "dev add" -> args.isEmpty() ? List.of() : keywords(args, DevCommand.KEYWORDS);
            case "dev replay" -> args.isEmpty() ? devices(bpf) : args.size() == 1 ? List.of("pcap") : List.of();
            case "xsk fill" -> args.isEmpty() ? xskFds(bpf) : List.of();
            case "xsk read" -> args.isEmpty() ? xskFds(bpf) : args.size() % 2 == 1 || args.get(args.size() - 1).equals("forward")
                    ? List.of("count", "wait", "forward") : List.of();
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

    /**
     * add's and set's keywords not given yet where one may stand (after NAME, after a keyword's value),
     * and OUT's words after pass or tx. The words after NAME are walked as the parser walks them.
     */
    private static Collection<String> keywords(List<String> args, List<String> all) {
        List<String> left = new ArrayList<>(all);
        int i = 1;
        while (i < args.size()) {
            String kw = args.get(i);
            left.remove(kw);
            boolean out = kw.equals("pass") || kw.equals("tx");
            if (i + 1 == args.size()) {
                return out ? List.of("pcap", "udp", "off") : List.of(); // the cursor is at the value
            }
            i += out && !args.get(i + 1).equals("off") ? 3 : 2;
        }
        return i == args.size() ? left : List.of();
    }

    /** {@code net} and {@code link}: their subcommands, then the words of their grammars. */
    static Collection<String> netOrLink(Bpf bpf, String command, List<String> words) {
        List<String> w = new ArrayList<>();
        for (String word : words) {
            if (!(word.length() > 1 && word.startsWith("-"))) {
                w.add(word);
            }
        }
        List<String> names = command.equals("net") ? NetCommand.COMMANDS : LinkCommand.COMMANDS;
        if (w.isEmpty()) {
            return names;
        }
        String sub = null;
        for (String name : names) {
            if (sub == null && Args.isPrefix(w.get(0), name)) {
                sub = name;
            }
        }
        int n = w.size() - 1;
        if (sub == null) {
            return List.of();
        }
        return switch (command + " " + sub) {
            case "net attach" -> n == 0 ? NetCommand.ATTACH_TYPES : n == 1 ? List.of("id", "pinned", "name")
                    : n == 3 ? List.of("dev") : n == 4 ? devices(bpf) : n == 5 ? List.of("overwrite") : List.of();
            case "net detach" -> n == 0 ? NetCommand.ATTACH_TYPES : n == 1 ? List.of("dev") : n == 2 ? devices(bpf)
                    : List.of();
            case "net show", "net list" -> n == 0 ? List.of("dev") : n == 1 ? devices(bpf) : List.of();
            case "link show", "link list", "link pin", "link detach" -> n == 0 ? List.of("id", "pinned") : List.of();
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
