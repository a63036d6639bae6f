package org.bpfmaps.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.ProgAttachAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgQueryAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code prog ...} against the lines bpftool prints on 6.18 for a loaded SK_SKB program
 * (src/test/resources/bpftool-prog-6.18.txt): the show layout, and the Error lines and exit codes
 * of do_attach / do_detach / do_pin / prog_parse_fd in tools/bpf/bpftool/prog.c.
 */
class ProgCommandTest {
    private final SockShell sh = new SockShell();
    private int progId;

    @AfterEach
    void close() {
        sh.close();
    }

    private Emulator.Result prog(String line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new ProgCommand(sh.bpf).run(Arrays.asList(line.trim().split(" +")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Emulator.Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void loadVerdict() {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_SKB, (SkSkbProgram) c -> SkAction.SK_PASS).name("verdict");
        int fd = sh.bpf.bpf(BpfCmd.PROG_LOAD, a);
        assertTrue(fd >= 0, a.errorMessage());
        progId = new ProgCommand(sh.bpf).info(fd).id();
    }

    private int attachedId(String pinnedMap, int type) {
        int fd = sh.bpf.bpf(BpfCmd.OBJ_GET, new org.bpfmaps.core.api.ObjAttr(pinnedMap, 0));
        ProgQueryAttr q = new ProgQueryAttr(fd, type, new int[1]);
        assertEquals(0, sh.bpf.bpf(BpfCmd.PROG_QUERY, q), q.errorMessage());
        sh.bpf.close(fd);
        return q.progCnt == 0 ? 0 : q.progIds[0];
    }

    @Test
    void showPrintsBpftoolsFieldsThatApply() {
        loadVerdict();
        Emulator.Result r = prog("show id " + progId);
        assertEquals(0, r.exit(), r.stderr());
        String[] lines = r.stdout().split("\n");
        // bpftool: "21314: sk_skb  name verdict  tag b11459a0e11ca14c  gpl" then "\tloaded_at ...  uid 0"
        assertTrue(lines[0].matches(progId + ": sk_skb  name verdict  tag [0-9a-f]{16}  gpl"), lines[0]);
        assertTrue(lines[1].matches("\tloaded_at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4}  uid \\d+"), lines[1]);
        Emulator.Result j = prog("-j show");
        assertTrue(j.stdout().matches("\\[\\{\"id\":" + progId + ",\"type\":\"sk_skb\",\"name\":\"verdict\",\"tag\":"
                + "\"[0-9a-f]{16}\",\"gpl_compatible\":true,\"loaded_at\":\\d+,\"uid\":\\d+}]\n?"), j.stdout());
        assertEquals(prog("show id " + progId).stdout(), prog("list name verdict").stdout());
    }

    @Test
    void attachAndDetachTakeBpftoolsWordsAndAnswerItsLines() {
        loadVerdict();
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 4 name sm").exit());
        Emulator.Result bad = prog("attach id " + progId + " bogus pinned /sys/fs/bpf/sm");
        assertEquals(List.of(234, "Error: invalid attach/detach type\n"), List.of(bad.exit(), bad.stderr()));
        assertEquals(0, prog("attach id " + progId + " stream_verdict pinned /sys/fs/bpf/sm").exit());
        assertEquals(progId, attachedId("/sys/fs/bpf/sm", ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        // sock_map_prog_update: STREAM_VERDICT and SK_SKB_VERDICT exclude each other; detach of the other: EBUSY
        Emulator.Result d = prog("detach id " + progId + " sk_skb_verdict name sm");
        assertEquals(234, d.exit());
        assertTrue(d.stderr().startsWith("Error: failed prog detach from map\n"), d.stderr());
        assertEquals(0, prog("detach id " + progId + " sk_skb_stream_verdict name sm").exit());
        assertEquals(0, attachedId("/sys/fs/bpf/sm", ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        Emulator.Result few = prog("attach id " + progId);
        assertEquals("Error: 'attach' needs at least 3 arguments, 2 found\n", few.stderr());
        Emulator.Result noMap = prog("attach id " + progId + " stream_verdict id 999999");
        assertEquals(List.of(255, "Error: get map by id (999999): No such file or directory\n"),
                List.of(noMap.exit(), noMap.stderr()));
    }

    /** Ours: {@code map show} for people (-C) names the programs PROG_QUERY finds; bpftool's lines otherwise. */
    @Test
    void mapShowForPeopleNamesTheAttachedPrograms() {
        loadVerdict();
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 4 name sm").exit());
        assertEquals(0, sh.map("create /sys/fs/bpf/a type array key 4 value 4 entries 4 name a").exit());
        assertTrue(!sh.map("-C show pinned /sys/fs/bpf/sm").stdout().contains("programs"), "none attached yet");
        assertEquals(0, prog("attach id " + progId + " stream_verdict pinned /sys/fs/bpf/sm").exit());
        assertEquals(0, prog("attach id " + progId + " stream_parser pinned /sys/fs/bpf/sm").exit());
        String people = sh.map("-C show pinned /sys/fs/bpf/sm").stdout();
        assertTrue(people.endsWith("\n\tprograms sk_skb_stream_verdict id " + progId + "  sk_skb_stream_parser id "
                + progId + "\n"), people);
        String piped = sh.map("show pinned /sys/fs/bpf/sm").stdout();
        assertTrue(!piped.contains("programs") && people.startsWith(piped.trim()), piped);
        assertTrue(!sh.map("-j show pinned /sys/fs/bpf/sm").stdout().contains("programs"));
        assertTrue(!sh.map("-C show pinned /sys/fs/bpf/a").stdout().contains("programs"), "an array takes none");
    }

    @Test
    void pinAndShowPinnedAndUnknownIds() {
        loadVerdict();
        assertEquals(0, prog("pin id " + progId + " /sys/fs/bpf/v").exit());
        Emulator.Result again = prog("pin id " + progId + " /sys/fs/bpf/v");
        assertEquals(239, again.exit());
        assertTrue(again.stderr().startsWith("Error: can't pin the object (/sys/fs/bpf/v): File exists\n"), again.stderr());
        assertTrue(prog("show pinned /sys/fs/bpf/v").stdout().startsWith(progId + ": sk_skb  name verdict"));
        Emulator.Result none = prog("show id 999999");
        assertEquals(255, none.exit());
        assertTrue(none.stderr().startsWith("Error: get by id (999999): No such file or directory\n"), none.stderr());
    }

    @Test
    void loadByANameNoBundleRegistersFails() {
        Emulator.Result r = prog("load nosuch sk_skb");
        assertEquals(255, r.exit());
        assertTrue(r.stderr().startsWith("Error: failed to load program 'nosuch': "), r.stderr());
        Emulator.Result t = prog("load nosuch kprobe");
        assertTrue(t.stderr().startsWith("Error: invalid program type 'kprobe'"), t.stderr());
        Emulator.Result x = prog("load nosuch xdp");
        assertTrue(x.stderr().startsWith("Error: failed to load program 'nosuch': "), x.stderr());
    }

    private static ProgramProvider provider(String name, ProgramCode code) {
        return new ProgramProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ProgramCode code() {
                return code;
            }
        };
    }

    /** The fd {@code prog load} prints: "id N  fd M". */
    private static int loadedFd(Emulator.Result r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("id (\\d+)  fd (\\d+)\n").matcher(r.stdout());
        assertTrue(m.matches(), r.stdout() + r.stderr());
        return Integer.parseInt(m.group(2));
    }

    /**
     * {@code prog load} prints the fd it leaves open and {@code prog close} closes it: the program
     * goes with its last fd (bpf_prog_put), unless a pin or a map's attachment holds it.
     */
    @Test
    void closeClosesTheFdLoadLeftAndTheProgramGoesWithItsLastReference() {
        sh.host.addProgram(provider("verdict", (SkSkbProgram) c -> SkAction.SK_PASS));
        Emulator.Result loaded = prog("load verdict sk_skb");
        assertEquals(0, loaded.exit(), loaded.stderr());
        int fd = loadedFd(loaded);
        String id = loaded.stdout().split(" ")[1];
        assertTrue(prog("show id " + id).stdout().startsWith(id + ": sk_skb  name verdict"));
        Emulator.Result j = prog("-j load verdict sk_skb");
        assertTrue(j.stdout().matches("\\{\"id\":\\d+,\"fd\":\\d+}\n?"), j.stdout());
        int jfd = Integer.parseInt(j.stdout().replaceAll("(?s).*\"fd\":(\\d+).*", "$1"));
        assertEquals("null", prog("-j close " + jfd).stdout().trim());

        // held by nothing else: closing its fd frees it, as the kernel's last fd does
        assertEquals(0, prog("close " + fd).exit());
        Emulator.Result gone = prog("show id " + id);
        assertEquals(255, gone.exit());
        assertTrue(gone.stderr().startsWith("Error: get by id (" + id + "): No such file or directory\n"), gone.stderr());
        Emulator.Result again = prog("close " + fd);
        assertEquals(List.of(255, "Error: fd " + fd + " is not a program\n  no fd " + fd + " is open in the instance\n"),
                List.of(again.exit(), again.stderr()));

        // pinned: the pin holds it; attached: the map holds it
        Emulator.Result pinned = prog("load verdict sk_skb");
        int pfd = loadedFd(pinned);
        String pid = pinned.stdout().split(" ")[1];
        assertEquals(0, prog("pin id " + pid + " /sys/fs/bpf/v").exit());
        assertEquals(0, prog("close " + pfd).exit());
        assertTrue(prog("show pinned /sys/fs/bpf/v").stdout().startsWith(pid + ": sk_skb  name verdict"));
        assertEquals(0, sh.map("create /sys/fs/bpf/sm type sockmap key 4 value 4 entries 4 name sm").exit());
        Emulator.Result attached = prog("load verdict sk_skb");
        String aid = attached.stdout().split(" ")[1];
        assertEquals(0, prog("attach id " + aid + " stream_verdict pinned /sys/fs/bpf/sm").exit());
        assertEquals(0, prog("close " + loadedFd(attached)).exit());
        assertEquals(Integer.parseInt(aid), attachedId("/sys/fs/bpf/sm", ProgAttachAttr.SK_SKB_STREAM_VERDICT));
        assertEquals(0, prog("show id " + aid).exit(), "the attachment holds it");
    }

    @Test
    void closeTakesOnlyAProgramsFd() {
        assertEquals(0, sh.map("create /sys/fs/bpf/a type array key 4 value 4 entries 4 name a").exit());
        int mapFd = sh.bpf.bpf(BpfCmd.OBJ_GET, new org.bpfmaps.core.api.ObjAttr("/sys/fs/bpf/a", 0));
        Emulator.Result map = prog("close " + mapFd);
        assertEquals(255, map.exit());
        assertEquals("Error: fd " + mapFd + " is not a program\n  it is another object of the instance (bpf close fd="
                + mapFd + " closes any fd)\n", map.stderr());
        assertTrue(sh.bpf.fdinfo(mapFd) != null, "the map's fd is still open");
        Emulator.Result word = prog("close x");
        assertEquals(255, word.exit());
        assertTrue(word.stderr().startsWith("Error: invalid fd 'x'\n"), word.stderr());
        Emulator.Result none = prog("close");
        assertEquals(ProgCommand.USAGE, none.stderr());
        assertTrue(prog("help").stderr().contains("prog close FD"), "the usage names it");
    }

    /** Tab after {@code prog load}: the names bundles register now, then the type of the code of that name. */
    @Test
    void tabOffersTheNamesBundlesRegisterForLoad() {
        ProgramProvider verdict = provider("verdict", (SkSkbProgram) c -> SkAction.SK_PASS);
        sh.host.addProgram(verdict);
        sh.host.addProgram(provider("redirect", (SkMsgProgram) c -> SkAction.SK_PASS));
        Completion c = new Completion(sh.bpf, List::of, List::of, sh.host::programNames);
        assertEquals(List.of("redirect", "verdict"), c.candidates("prog load ", 10));
        assertEquals(List.of("verdict"), c.candidates("prog load v", 11));
        assertEquals(List.of("sk_msg"), c.candidates("prog load redirect ", 19));
        assertEquals(List.of("sk_skb"), c.candidates("prog load verdict s", 19));
        assertEquals(List.of("sk_msg", "sk_skb", "xdp"), c.candidates("prog load other ", 16), "a name nobody registers");
        assertEquals(List.of("map", "pinned"), c.candidates("prog load verdict sk_skb ", 25));
        assertEquals(List.of(), c.candidates("prog close ", 11));
        assertEquals(List.of("close"), c.candidates("prog cl", 7));
        sh.host.removeProgram(verdict);
        assertEquals(List.of("redirect"), c.candidates("prog load ", 10), "the bundle went");
    }

    @Test
    void tabOffersProgramIdsAndAttachTypeWords() {
        loadVerdict();
        Completion c = new Completion(sh.bpf, List::of, List::of);
        assertEquals(List.of(Integer.toString(progId)), c.candidates("prog attach id ", 15));
        assertEquals(List.of("sk_skb_stream_parser", "sk_skb_stream_verdict", "sk_skb_verdict"),
                c.candidates("prog attach id 1 sk_skb", 23));
        assertEquals(List.of("attach"), c.candidates("prog att", 8));
    }
}
