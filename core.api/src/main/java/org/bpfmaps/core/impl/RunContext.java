package org.bpfmaps.core.impl;

import java.nio.ByteBuffer;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.prog.ProgContext;

/**
 * The part of every program context the core gives: the CPU of the run and the map helpers over
 * the maps the program holds, through {@link ProgMapAccess} (the verifier's access rules, the
 * buffer checks, the provider's program-side ops). A context is for one program; the data path
 * makes one per run or reuses one on its thread.
 */
public abstract class RunContext implements ProgContext {
    final ProgObject prog;
    private int cpu;

    protected RunContext(ProgObject prog, int cpu) {
        this.prog = java.util.Objects.requireNonNull(prog, "prog");
        cpu(cpu);
    }

    /** Sets the CPU the next run stands for. */
    public final void cpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("cpu " + cpu + ": CPUs are numbered from 0");
        }
        this.cpu = cpu;
    }

    @Override
    public final int cpu() {
        return cpu;
    }

    @Override
    public final int mapCount() {
        return prog.mapCount();
    }

    @Override
    public final int mapLookupElem(int map, ByteBuffer key, ByteBuffer value) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.lookupElem(key, value);
    }

    @Override
    public final int mapUpdateElem(int map, ByteBuffer key, ByteBuffer value, long flags) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.updateElem(key, value, flags);
    }

    @Override
    public final int mapDeleteElem(int map, ByteBuffer key) {
        ProgMapAccess m = prog.map(map);
        return m == null ? Errno.EINVAL.ret() : m.deleteElem(key);
    }
}
