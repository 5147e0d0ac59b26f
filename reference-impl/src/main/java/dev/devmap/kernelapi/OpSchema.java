package dev.devmap.kernelapi;

import dev.devmap.model.DmaOp;
import dev.devmap.spec.tla.TlaValues;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operation schema: one row per {@link Op}, the only place that says an operation's name in
 * the agent line protocol, how each of its arguments travels there (its key and type), which spec
 * action(s) it takes (the formula a TLA+ trace asks {@code ENABLED} of) and its short human form.
 * {@link Op#wire()}, {@link Op#show()}, the wire codec (encoder and parser, hw-harness {@code Wire}),
 * the trace writer ({@code TlaTrace}) and the C agent's op table test read it; the table's order is
 * the protocol's (a hello lists the ops in it).
 *
 * <p>A row's arguments are the record's components, in order (checked when the class loads). In the
 * {@code tla} and {@code show} templates, {@code {name}} is that component's value: in {@code tla} as
 * a TLA+ value (a string quoted, a boolean TRUE/FALSE, a DMA direction as its string), in
 * {@code show} as plain text.
 */
public final class OpSchema {
    private OpSchema() { }

    /** How an argument travels on the wire. */
    public enum Type {
        /** A JSON string (a file or importer name). */
        TEXT,
        /** A JSON integer (a page, a count). */
        INT,
        /** A boolean carried as the presence of its name in the {@code "flags"} array. */
        FLAG,
        /** A JSON boolean, true when absent. */
        BOOL,
        /** A DMA direction, {@code "read"} or {@code "write"}. */
        DIR
    }

    /** The key of the array that carries the FLAG arguments. */
    public static final String FLAGS = "flags";

    /**
     * One argument: the record component it is, its wire key (for a FLAG: its name in {@code "flags"})
     * and its type.
     */
    public record Arg(String component, String key, Type type) {}

    /** One operation of the schema. */
    public static final class Entry {
        private final String wire;
        private final Class<? extends Op> type;
        private final List<Arg> args;
        private final String tla;
        private final String show;
        private final Method[] get;
        private final Constructor<? extends Op> make;

        Entry(String wire, Class<? extends Op> type, String tla, String show, Arg... args) {
            this.wire = wire;
            this.type = type;
            this.args = List.of(args);
            this.tla = tla;
            this.show = show;
            RecordComponent[] rc = type.getRecordComponents();
            if (rc.length != args.length) {
                throw new IllegalStateException(wire + ": " + args.length + " arguments for " + rc.length + " components");
            }
            this.get = new Method[rc.length];
            Class<?>[] types = new Class<?>[rc.length];
            for (int k = 0; k < rc.length; k++) {
                if (!rc[k].getName().equals(args[k].component())) {
                    throw new IllegalStateException(wire + ": argument " + k + " is " + args[k].component()
                            + ", the record's component is " + rc[k].getName());
                }
                get[k] = rc[k].getAccessor();
                types[k] = rc[k].getType();
            }
            try {
                this.make = type.getDeclaredConstructor(types);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(wire + ": no canonical constructor", e);
            }
        }

        /** The name in the agent line protocol. */
        public String wire() { return wire; }

        public Class<? extends Op> type() { return type; }

        /** The arguments, in the record's component order (the order of their keys on the wire). */
        public List<Arg> args() { return args; }

        /** The op's argument values, in {@link #args()} order. */
        public List<Object> values(Op op) {
            List<Object> out = new ArrayList<>(get.length);
            for (Method m : get) {
                try {
                    out.add(m.invoke(op));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException(wire + ": " + m.getName(), e);
                }
            }
            return out;
        }

        /** The op with these argument values, in {@link #args()} order. */
        public Op make(List<Object> values) {
            try {
                return make.newInstance(values.toArray());
            } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(wire + ": cannot construct from " + values, e);
            }
        }

        /** The spec action(s) the op takes, as a TLA+ formula (for ENABLED). */
        public String tla(Op op) { return fill(tla, op, true); }

        /** The op's short human form. */
        public String show(Op op) { return fill(show, op, false); }

        private static final Pattern HOLE = Pattern.compile("\\{(\\w+)\\}");

        private String fill(String template, Op op, boolean asTla) {
            Map<String, Object> v = new HashMap<>();
            List<Object> vs = values(op);
            for (int k = 0; k < args.size(); k++) v.put(args.get(k).component(), vs.get(k));
            Matcher m = HOLE.matcher(template);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                if (!v.containsKey(m.group(1))) throw new IllegalStateException(wire + ": no argument {" + m.group(1) + "}");
                m.appendReplacement(sb, Matcher.quoteReplacement(format(v.get(m.group(1)), asTla)));
            }
            return m.appendTail(sb).toString();
        }

        private static String format(Object x, boolean asTla) {
            if (x instanceof DmaOp d) return asTla ? TlaValues.quote(d.tla()) : d.tla();
            if (x instanceof String s) return asTla ? TlaValues.quote(s) : s;
            if (x instanceof Boolean b) return asTla ? (b ? "TRUE" : "FALSE") : b.toString();
            return String.valueOf(x);
        }
    }

    private static Arg text(String component, String key) { return new Arg(component, key, Type.TEXT); }

    private static Arg file() { return text("f", "file"); }

    private static Arg imp() { return text("i", "imp"); }

    private static Arg integer(String component, String key) { return new Arg(component, key, Type.INT); }

    private static Arg off() { return integer("o", "off"); }

    private static Arg lo() { return integer("lo", "lo"); }

    private static Arg flag(String component, String name) { return new Arg(component, name, Type.FLAG); }

    private static Entry op(String wire, Class<? extends Op> type, String tla, String show, Arg... args) {
        return new Entry(wire, type, tla, show, args);
    }

    private static final String FALLBACK = "Direct({i}, {f}, {o}, \"%s\") \\/ DevFallback%s({i}, {f}, {o})";

    /** The table, in the protocol's order. */
    public static final List<Entry> TABLE = List.of(
            // the program (and the filesystem on its behalf)
            op("mmap", Op.MmapCall.class, "Mmap({f})", "mmap {f}", file()),
            op("munmap", Op.MunmapCall.class, "Munmap({f})", "munmap {f}", file()),
            op("cpu_write", Op.WriteCall.class, "CpuWrite({f}, {o})", "cpu_write {f} {o}", file(), off()),
            op("cpu_read", Op.ReadCall.class, "CpuRead({f}, {o})", "cpu_read {f} {o}", file(), off()),
            op("truncate", Op.TruncateCall.class, "Truncate({f}, {n})", "truncate {f} {n}", file(), integer("n", "pages")),
            op("punch", Op.PunchHoleCall.class, "PunchHole({f}, {lo}, {hi})", "punch {f} {lo}..{hi}", file(), lo(),
                    integer("hi", "hi")),
            op("fallocate", Op.FallocateCall.class, "Fallocate({f}, {o})", "fallocate {f} {o}", file(), off()),
            op("reflink", Op.ReflinkCall.class, "Reflink({f}, {o}, {p})", "reflink {f} {o}->{p}", file(), off(),
                    integer("p", "to")),
            op("writeback", Op.WritebackCall.class, "Writeback({f}, {o})", "writeback {f} {o}", file(), off()),
            op("evict", Op.EvictCall.class, "Evict({f}, {o})", "evict {f} {o}", file(), off()),
            op("relocate", Op.RelocateCall.class, "Relocate({f}, {o})", "relocate {f} {o}", file(), off()),
            op("unshare", Op.UnshareCall.class, "Unshare({f}, {o})", "unshare {f} {o}", file(), off()),
            // importers: device_map and its driver (device_map's show adds its flags: Op.DeviceMapCall#show)
            op("device_map", Op.DeviceMapCall.class, "MapPrepare({i}, {f}, {lo}, {hi}, {pin}, {w}, {at})",
                    "device_map {i} {f} {lo}..{hi}", imp(), file(), lo(), integer("hi", "hi"), flag("pin", "PIN"),
                    flag("w", "WRITE"), flag("at", "ATOMIC"), new Arg("commit", "commit", Type.BOOL)),
            op("map_commit", Op.MapCommitCall.class, "MapCommit({i}) \\/ MapRetry({i})", "map_commit {i}", imp()),
            op("device_unmap", Op.DeviceUnmapCall.class, "DeviceUnmap({i}, {f}, {lo})", "device_unmap {i} {f} {lo}", imp(),
                    file(), lo()),
            op("dmabuf_release", Op.UnpinCall.class, "DmaBufRelease({i}, {f}, {lo})", "dmabuf_release {i} {f} {lo}", imp(),
                    file(), lo()),
            op("dma_start", Op.DmaStartCall.class, "Direct({i}, {f}, {o}, {op})", "dma_start {i} {f} {o} {op}", imp(), file(),
                    off(), new Arg("op", "dir", Type.DIR)),
            op("dma_end", Op.DmaEndCall.class, "DmaEnd({i})", "dma_end {i}", imp()),
            op("dev_read", Op.DevReadCall.class, String.format(FALLBACK, "read", "Read"), "dev_read {i} {f} {o}", imp(), file(),
                    off()),
            op("dev_write", Op.DevWriteCall.class, String.format(FALLBACK, "write", "Write"), "dev_write {i} {f} {o}", imp(),
                    file(), off()),
            op("inv_ack", Op.InvAckCall.class, "InvAck({i}, {f})", "inv_ack {i} {f}", imp(), file()),
            op("revoke_ack", Op.RevokeAckCall.class, "RevokeAck({i})", "revoke_ack {i}", imp()),
            // the block device (exporter)
            op("bar_reclaim", Op.BarReclaimCall.class, "BarReclaim({i}, {f}, {lo})", "bar_reclaim {i} {f} {lo}", imp(), file(),
                    lo()),
            op("unplug", Op.UnplugCall.class, "UnplugStart", "unplug"),
            // the program stops: the system's own steps (TlaTrace defines Internal from Liveness.FAIR)
            op("settle", Op.SettleCall.class, "Internal", "settle"));

    private static final Map<String, Entry> BY_WIRE = new LinkedHashMap<>();
    private static final Map<Class<?>, Entry> BY_TYPE = new HashMap<>();

    static {
        for (Entry e : TABLE) {
            if (BY_WIRE.put(e.wire(), e) != null) throw new IllegalStateException("op " + e.wire() + " twice");
            if (BY_TYPE.put(e.type(), e) != null) throw new IllegalStateException(e.type() + " twice");
        }
        for (Class<?> c : Op.class.getPermittedSubclasses()) {
            if (!BY_TYPE.containsKey(c)) throw new IllegalStateException("no schema row for " + c.getSimpleName());
        }
    }

    /** Every wire name, in the table's order. */
    public static final List<String> WIRE_NAMES = List.copyOf(BY_WIRE.keySet());

    /** The row of an op. */
    public static Entry of(Op op) { return BY_TYPE.get(op.getClass()); }

    /** The row of a wire name; null when the protocol has no such op. */
    public static Entry of(String wire) { return BY_WIRE.get(wire); }
}
