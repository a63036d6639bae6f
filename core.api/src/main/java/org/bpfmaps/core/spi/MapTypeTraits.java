package org.bpfmaps.core.spi;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.bpfmaps.core.api.BpfCmd;
import org.bpfmaps.core.api.BpfFlags;
import org.bpfmaps.core.api.Errno;
import org.bpfmaps.core.api.MapType;
import org.bpfmaps.core.sock.SocketRule;

/**
 * The rules of one map type, as data that the core applies at MAP_CREATE and before every
 * command, in the kernel's order: the create flag mask ({@code XXX_CREATE_FLAG_MASK}), the
 * key / value / max_entries limits and the errno each breaks with, whether values are per-CPU,
 * and which commands the type has ops for (the kernel's NULL ops answer ENOTSUPP).
 *
 * <p>Made with {@link #of(MapType)}; unset limits are the widest the kernel's u32 fields allow.
 */
public final class MapTypeTraits {
    /** PCPU_MIN_UNIT_SIZE: the largest rounded per-CPU value. */
    public static final int PERCPU_VALUE_MAX = 32768;

    private final MapType type;
    private final int flagMask;
    private final long keySizeMin;
    private final long keySizeMax;
    private final Errno keySizeTooBig;
    private final long valueSizeMin;
    private final long valueSizeMax;
    private final Errno valueSizeTooBig;
    private final long maxEntriesMin;
    private final boolean perCpuLimitLast;
    private final boolean numaAllowed;
    private final boolean updateFlagsLast;
    private final SocketRule socketValue;
    private final Set<BpfCmd> commands;

    private MapTypeTraits(Builder b) {
        type = b.type;
        flagMask = b.flagMask;
        keySizeMin = b.keySizeMin;
        keySizeMax = b.keySizeMax;
        keySizeTooBig = b.keySizeTooBig;
        valueSizeMin = b.valueSizeMin;
        valueSizeMax = b.valueSizeMax;
        valueSizeTooBig = b.valueSizeTooBig;
        maxEntriesMin = b.maxEntriesMin;
        perCpuLimitLast = b.perCpuLimitLast;
        numaAllowed = b.numaAllowed;
        updateFlagsLast = b.updateFlagsLast;
        socketValue = b.socketValue;
        commands = EnumSet.copyOf(b.commands);
    }

    public static Builder of(MapType type) {
        return new Builder(type);
    }

    public MapType type() {
        return type;
    }

    /** The map_flags the type accepts; any other bit is EINVAL. */
    public int flagMask() {
        return flagMask;
    }

    public long keySizeMin() {
        return keySizeMin;
    }

    public long keySizeMax() {
        return keySizeMax;
    }

    public Errno keySizeTooBig() {
        return keySizeTooBig;
    }

    public long valueSizeMin() {
        return valueSizeMin;
    }

    public long valueSizeMax() {
        return valueSizeMax;
    }

    public Errno valueSizeTooBig() {
        return valueSizeTooBig;
    }

    public long maxEntriesMin() {
        return maxEntriesMin;
    }

    /**
     * Values are per-CPU: user space passes {@code round_up(value_size, 8) * possible CPUs} bytes.
     * The type's {@link MapType#perCpu()}, the one place that says which types are.
     */
    public boolean perCpu() {
        return type.perCpu();
    }

    /**
     * Whether the per-CPU value limits (the {@link #PERCPU_VALUE_MAX} cap, and the value buffer
     * fitting one Java buffer) run after the provider's {@link MapProvider#allocCheck} instead of
     * with the table's rules.
     */
    public boolean perCpuLimitLast() {
        return perCpuLimitLast;
    }

    /** Whether BPF_F_NUMA_NODE may be combined with this type. */
    public boolean numaAllowed() {
        return numaAllowed;
    }

    /**
     * Whether the type's update op checks the flags ({@code flags > BPF_EXIST}: EINVAL) itself,
     * after checks of its own, instead of the core before calling it.
     *
     * @since 2.2
     */
    public boolean updateFlagsLast() {
        return updateFlagsLast;
    }

    /**
     * For a type whose update values are socket fds, the sockets it takes and how a value names
     * one: the checks its update makes before the flags, as data, which the core also applies for
     * a map of the type whose provider has gone, so that the map answers them as the provider
     * would; null for other types.
     *
     * @since 2.3
     */
    public SocketRule socketValue() {
        return socketValue;
    }

    /** Whether the type has ops for this command; if not, the command answers ENOTSUPP. */
    public boolean supports(BpfCmd cmd) {
        return commands.contains(cmd);
    }

    public Set<BpfCmd> commands() {
        return EnumSet.copyOf(commands);
    }

    /** Builds a {@link MapTypeTraits}. */
    public static final class Builder {
        private final MapType type;
        private int flagMask = BpfFlags.F_NUMA_NODE | BpfFlags.F_ACCESS_MASK;
        private long keySizeMin = 1;
        private long keySizeMax = 0xffff_ffffL;
        private Errno keySizeTooBig = Errno.EINVAL;
        private long valueSizeMin = 1;
        private long valueSizeMax = 0xffff_ffffL;
        private Errno valueSizeTooBig = Errno.E2BIG;
        private long maxEntriesMin = 1;
        private boolean perCpuLimitLast;
        private boolean numaAllowed = true;
        private boolean updateFlagsLast;
        private SocketRule socketValue;
        private final Set<BpfCmd> commands = EnumSet.noneOf(BpfCmd.class);

        private Builder(MapType type) {
            this.type = type;
        }

        public Builder flagMask(int mask) {
            this.flagMask = mask;
            return this;
        }

        /** Key sizes outside {@code [min, max]} are EINVAL. */
        public Builder keySize(long min, long max) {
            return keySize(min, max, Errno.EINVAL);
        }

        /** Key sizes below min are EINVAL, above max {@code tooBig}. */
        public Builder keySize(long min, long max, Errno tooBig) {
            this.keySizeMin = min;
            this.keySizeMax = max;
            this.keySizeTooBig = tooBig;
            return this;
        }

        /** Value sizes below min are EINVAL, above max {@code tooBig}. */
        public Builder valueSize(long min, long max, Errno tooBig) {
            this.valueSizeMin = min;
            this.valueSizeMax = max;
            this.valueSizeTooBig = tooBig;
            return this;
        }

        public Builder maxEntriesMin(long min) {
            this.maxEntriesMin = min;
            return this;
        }

        /**
         * Per-CPU values. Whether a type's values are per-CPU is {@link MapType#perCpu()}'s to say
         * (a per-CPU type's rounded value size is capped at {@link #PERCPU_VALUE_MAX}, E2BIG,
         * whether or not this is called); this only checks that the type agrees.
         *
         * @throws IllegalArgumentException for a type whose values are not per-CPU
         * @deprecated not needed: {@link MapType#perCpu()} says it
         */
        @Deprecated(since = "2.0.0")
        public Builder perCpu() {
            requirePerCpu("perCpu()");
            return this;
        }

        /**
         * Per-CPU values whose cap runs after the provider's {@link MapProvider#allocCheck}: for
         * types whose {@code map_alloc_check} makes checks of its own before its
         * {@code PCPU_MIN_UNIT_SIZE} test ({@code htab_map_alloc_check}), so that an attr that
         * breaks both gets the kernel's errno. The provider's check then must not rely on
         * {@link MapDef#valueBufSize}, which is capped at {@code Integer.MAX_VALUE} when it sees it.
         */
        public Builder perCpuLimitLast() {
            requirePerCpu("perCpuLimitLast()");
            this.perCpuLimitLast = true;
            return this;
        }

        private void requirePerCpu(String what) {
            if (!type.perCpu()) {
                throw new IllegalArgumentException(what + ": " + type + " does not have per-CPU values "
                        + "(MapType.perCpu())");
            }
        }

        public Builder noNuma() {
            this.numaAllowed = false;
            return this;
        }

        /**
         * The update op checks {@code flags > BPF_EXIST} itself (EINVAL), after checks of its own
         * that the kernel makes first: {@code sock_map_update_elem_sys} looks up the socket fd of
         * the value before its flags, so a bad fd with flags 3 is EBADF. BPF_F_LOCK is still
         * refused by the core first, as the syscall does.
         *
         * @since 2.2
         */
        public Builder updateFlagsLast() {
            this.updateFlagsLast = true;
            return this;
        }

        /**
         * The update's value is a socket fd, checked by {@code rule} before the flags (so this
         * implies {@link #updateFlagsLast()}): SOCKMAP and SOCKHASH. The provider applies the rule
         * itself ({@link SocketRule#socket}); the core applies it where no provider can, to a
         * detached map, and then the flags, before answering ENODEV for what needs the provider.
         *
         * @since 2.3
         */
        public Builder socketValue(SocketRule rule) {
            this.socketValue = Objects.requireNonNull(rule, "rule");
            this.updateFlagsLast = true;
            return this;
        }

        public Builder commands(BpfCmd... cmds) {
            for (BpfCmd c : cmds) {
                commands.add(c);
            }
            return this;
        }

        public MapTypeTraits build() {
            return new MapTypeTraits(this);
        }
    }
}
