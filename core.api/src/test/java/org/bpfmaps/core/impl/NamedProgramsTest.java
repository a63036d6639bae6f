package org.bpfmaps.core.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfInstance;
import org.bpfmaps.core.api.BpfSettings;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.GetIdAttr;
import org.bpfmaps.core.api.ObjAttr;
import org.bpfmaps.core.api.ProgLoadAttr;
import org.bpfmaps.core.api.ProgType;
import org.bpfmaps.core.prog.ProgramCode;
import org.bpfmaps.core.prog.ProgramProvider;
import org.bpfmaps.core.prog.SkAction;
import org.bpfmaps.core.prog.SkMsgProgram;
import org.bpfmaps.core.prog.SkSkbProgram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Program code that bundles contribute by name, through the core's service tracking
 * ({@link CoreComponent}'s reference methods, as the framework calls them): a program outlives
 * the service that gave its code, as a map outlives its provider; it runs as no program (SK_PASS)
 * while the code is gone and runs the code of its name again when it returns.
 */
class NamedProgramsTest {
    private final CoreComponent core = new CoreComponent();
    private final BpfInstance bpf = core.newInstance(BpfSettings.defaults());

    @AfterEach
    void close() {
        bpf.close();
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

    private ProgObject prog(int fd) {
        return (ProgObject) ((Instance) bpf).table().get(fd);
    }

    @Test
    void aProgramOutlivesItsBundleAndIsBoundAgainWhenCodeOfItsNameReturns() {
        ProgLoadAttr a = new ProgLoadAttr(ProgType.SK_SKB, "dropper");
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_LOAD, a));
        assertTrue(a.errorMessage().contains("dropper"), a.errorMessage());

        ProgramProvider v1 = provider("dropper", (SkSkbProgram) ctx -> SkAction.SK_DROP);
        core.addProgram(v1);
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, a.name("dropper"));
        assertTrue(fd >= 3, a.errorMessage());
        ProgObject p = prog(fd);
        int id = p.id();
        assertEquals(0, bpf.bpf(BpfCmd.OBJ_PIN, new ObjAttr("/sys/fs/bpf/dropper", fd)));
        SkbRun ctx = new SkbRun(p, 0).set(10, 1);
        assertEquals(SkAction.SK_DROP, p.run(ctx));

        // the bundle goes: fd, id and pin stay; the program runs as none (traffic passes)
        core.removeProgram(v1);
        assertFalse(p.bound());
        assertEquals(SkAction.SK_PASS, p.run(ctx));
        assertEquals(1, p.unboundRuns());
        int byId = bpf.bpf(BpfCmd.PROG_GET_FD_BY_ID, new GetIdAttr(id));
        assertTrue(byId >= 3);
        assertTrue(bpf.bpf(BpfCmd.OBJ_GET, new ObjAttr("/sys/fs/bpf/dropper", 0)) >= 3);
        // nor can it be loaded by name any more
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.SK_SKB, "dropper")));

        // code of the same name but another type does not bind; another name does not either
        core.addProgram(provider("dropper", (SkMsgProgram) c -> SkAction.SK_DROP));
        core.addProgram(provider("other", (SkSkbProgram) c -> SkAction.SK_DROP));
        assertFalse(p.bound());

        // the bundle returns (an update: new code of the same name): bound again, same id
        ProgramProvider v2 = provider("dropper", (SkSkbProgram) c -> c.len() > 5 ? SkAction.SK_DROP : SkAction.SK_PASS);
        core.addProgram(v2);
        assertTrue(p.bound());
        assertEquals(id, p.id());
        assertEquals(SkAction.SK_DROP, p.run(ctx));
        assertEquals(SkAction.SK_PASS, p.run(ctx.set(1, 1)));
    }

    /** BpfRuntime.programNames: what PROG_LOAD by name finds now, with the type of the code it would load. */
    @Test
    void theRuntimeListsTheNamesCodeIsContributedUnder() {
        assertEquals(java.util.Map.of(), core.programNames());
        ProgramProvider skb = provider("verdict", (SkSkbProgram) c -> SkAction.SK_PASS);
        ProgramProvider msg = provider("verdict", (SkMsgProgram) c -> SkAction.SK_PASS);
        core.addProgram(skb);
        core.addProgram(msg);
        core.addProgram(provider("apply", (SkMsgProgram) c -> SkAction.SK_PASS));
        core.addProgram(provider("broken", new ProgramCode() {
            @Override
            public ProgType progType() {
                throw new IllegalStateException("a bundle's bug");
            }
        }));
        // sorted by name; of two of a name the first registered, which PROG_LOAD takes; a code whose
        // type cannot be asked is left out
        assertEquals(java.util.List.of("apply", "verdict"), java.util.List.copyOf(core.programNames().keySet()));
        assertEquals(ProgType.SK_MSG, core.programNames().get("apply"));
        assertEquals(ProgType.SK_SKB, core.programNames().get("verdict"));
        core.removeProgram(skb);
        assertEquals(ProgType.SK_MSG, core.programNames().get("verdict"), "the next of the name");
        core.removeProgram(msg);
        assertFalse(core.programNames().containsKey("verdict"));
    }

    @Test
    void whenTheWinningCodeGoesTheNextOfTheSameNameTakesOver() {
        ProgramProvider first = provider("verdict", (SkSkbProgram) c -> SkAction.SK_DROP);
        ProgramProvider second = provider("verdict", (SkSkbProgram) c -> 7);
        core.addProgram(first);
        core.addProgram(second);
        int fd = bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.SK_SKB, "verdict"));
        ProgObject p = prog(fd);
        SkbRun ctx = new SkbRun(p, 0);
        assertEquals(SkAction.SK_DROP, p.run(ctx));
        core.removeProgram(first);
        assertEquals(7, p.run(ctx));
        // removing code the program does not run changes nothing
        core.removeProgram(first);
        assertEquals(7, p.run(ctx));
    }

    @Test
    void aProviderThatThrowsContributesNothing() {
        core.addProgram(new ProgramProvider() {
            @Override
            public String name() {
                throw new IllegalStateException("broken bundle");
            }

            @Override
            public ProgramCode code() {
                return null;
            }
        });
        assertEquals(Errno.ENOENT.ret(), bpf.bpf(BpfCmd.PROG_LOAD, new ProgLoadAttr(ProgType.SK_SKB, "x")));
    }
}
