package org.bpfmaps.shell;

/**
 * bpftool 7.1's usage texts, verbatim (Debian's build, which also lists {@code -l|--legacy}), so
 * that a user or script sees exactly what bpftool shows. They name bpftool's whole grammar,
 * including the subcommands and options this shell does not serve yet.
 */
final class HelpText {
    private HelpText() {
    }

    /** {@code bpftool map help}, printed on standard error. */
    static final String MAP = """
            Usage: bpftool map { show | list }   [MAP]
                   bpftool map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\
                                              entries MAX_ENTRIES name NAME [flags FLAGS] \\
                                              [inner_map MAP] [dev NAME]
                   bpftool map dump       MAP
                   bpftool map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]
                   bpftool map lookup     MAP [key DATA]
                   bpftool map getnext    MAP [key DATA]
                   bpftool map delete     MAP  key DATA
                   bpftool map pin        MAP  FILE
                   bpftool map event_pipe MAP [cpu N index M]
                   bpftool map peek       MAP
                   bpftool map push       MAP value VALUE
                   bpftool map pop        MAP
                   bpftool map enqueue    MAP value VALUE
                   bpftool map dequeue    MAP
                   bpftool map freeze     MAP
                   bpftool map help

                   MAP := { id MAP_ID | pinned FILE | name MAP_NAME }
                   DATA := { [hex] BYTES }
                   PROG := { id PROG_ID | pinned FILE | tag PROG_TAG | name PROG_NAME }
                   VALUE := { DATA | MAP | PROG }
                   UPDATE_FLAGS := { any | exist | noexist }
                   TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |
                             percpu_array | stack_trace | cgroup_array | lru_hash |
                             lru_percpu_hash | lpm_trie | array_of_maps | hash_of_maps |
                             devmap | devmap_hash | sockmap | cpumap | xskmap | sockhash |
                             cgroup_storage | reuseport_sockarray | percpu_cgroup_storage |
                             queue | stack | sk_storage | struct_ops | ringbuf | inode_storage |
                             task_storage | bloom_filter | user_ringbuf }
                   OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                                {-f|--bpffs} | {-n|--nomount} }
            """;

    /** {@code bpftool map help} for the object word as typed: bpftool prints it in every line. */
    static String map(String object) {
        return MAP.replace("bpftool map ", "bpftool " + object + " ");
    }

    /** bpftool's top-level help, which it prints after an unrecognized option. */
    static final String MAIN = """
            Usage: bpftool [OPTIONS] OBJECT { COMMAND | help }
                   bpftool batch file FILE
                   bpftool version

                   OBJECT := { prog | map | link | cgroup | perf | net | feature | btf | gen | struct_ops | iter }
                   OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--debug} | {-l|--legacy} |
                                {-V|--version} }
            """;
}
