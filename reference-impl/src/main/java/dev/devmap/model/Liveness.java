package dev.devmap.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The spec's liveness facts, declared once: the actions {@code FairSpec} makes weakly fair and the
 * leads-to conditions {@code P ~> Q} of L1-L6. Every liveness check asks here: the Java liveness
 * checker (fair SCCs), the property tests' bounded drain, the harness's diagnosis and the TLA+
 * trace writer ({@link #fairTla()}). {@code FairnessTest} compares {@link #FAIR} with the
 * spec's {@code FairSpec}.
 */
public final class Liveness {
    private Liveness() {}

    /** What a fair action is quantified over in FairSpec. */
    public enum Over { NOTHING, IMPORTER, FILE, IMPORTER_FILE }

    /** One weakly fair action of FairSpec: the spec operator and what it is quantified over. */
    public record Fair(String operator, Over over) {
        /** Its instances under the constants c, importers outer and files inner. */
        public List<Action> instances(Constants c) {
            List<Action> out = new ArrayList<>();
            switch (over) {
                case NOTHING -> out.add(action(null, null));
                case IMPORTER -> c.importers().forEach(i -> out.add(action(i, null)));
                case FILE -> c.files().forEach(f -> out.add(action(null, f)));
                case IMPORTER_FILE -> c.importers().forEach(i -> c.files().forEach(f -> out.add(action(i, f))));
            }
            return out;
        }

        private Action action(String i, String f) {
            return switch (operator) {
                case "DmaEnd" -> new Action.DmaEnd(i);
                case "MapCommit" -> new Action.MapCommit(i);
                case "MapRetry" -> new Action.MapRetry(i);
                case "RevokeAck" -> new Action.RevokeAck(i);
                case "InvAck" -> new Action.InvAck(i, f);
                case "InvEnd" -> new Action.InvEnd(f);
                case "UnplugEnd" -> new Action.UnplugEnd();
                default -> throw new IllegalStateException("no Action for fair operator " + operator);
            };
        }

        /** The TLA+ disjunct of this action, quantified as in FairSpec. */
        String tla() {
            return switch (over) {
                case NOTHING -> operator;
                case IMPORTER -> "\\E i \\in Importers : " + operator + "(i)";
                case FILE -> "\\E f \\in Files : " + operator + "(f)";
                case IMPORTER_FILE -> "\\E i \\in Importers, f \\in Files : " + operator + "(i, f)";
            };
        }
    }

    /** FairSpec's weakly fair actions, in FairSpec's order: the system's own steps. */
    public static final List<Fair> FAIR = List.of(
            new Fair("DmaEnd", Over.IMPORTER),
            new Fair("MapCommit", Over.IMPORTER),
            new Fair("MapRetry", Over.IMPORTER),
            new Fair("RevokeAck", Over.IMPORTER),
            new Fair("InvAck", Over.IMPORTER_FILE),
            new Fair("InvEnd", Over.FILE),
            new Fair("UnplugEnd", Over.NOTHING));

    /**
     * Every instance of a fair action under c: per importer its actions in FairSpec's order (InvAck
     * for each file), then the per-file ones, then the unquantified ones (the order the explorers'
     * fair-action indices use).
     */
    public static List<Action> fairActions(Constants c) {
        List<Action> out = new ArrayList<>();
        for (String i : c.importers()) {
            for (Fair f : FAIR) {
                if (f.over() == Over.IMPORTER) out.add(f.action(i, null));
                if (f.over() == Over.IMPORTER_FILE) for (String file : c.files()) out.add(f.action(i, file));
            }
        }
        for (Fair f : FAIR) if (f.over() == Over.FILE) for (String file : c.files()) out.add(f.action(null, file));
        for (Fair f : FAIR) if (f.over() == Over.NOTHING) out.add(f.action(null, null));
        return List.copyOf(out);
    }

    /** Is a one of FairSpec's weakly fair actions? */
    public static boolean isFair(Action a) {
        for (Fair f : FAIR) if (f.operator().equals(a.name())) return true;
        return false;
    }

    /** The disjunction of the fair actions as a TLA+ expression (one disjunct a line, indented by indent). */
    public static String fairTla(String indent) {
        return FAIR.stream().map(f -> indent + "\\/ " + f.tla()).collect(Collectors.joining("\n"));
    }

    /** The spec's TruncRunning(f): an invalidation of f for truncate or punch runs. */
    static boolean truncRunning(DeviceMapModel m, State s, String f) {
        return m.inv(s, f).on() && (m.inv(s, f).cause() == Cause.TRUNCATE || m.inv(s, f).cause() == Cause.PUNCH);
    }

    /**
     * A leads-to property {@code P ~> Q} of the spec (each written there as {@code []<>Q} with Q = ~P), for each instance of its quantifier (a file, an
     * importer, or one instance): {@code p} and {@code q} take the model, the state and the instance.
     */
    public enum LeadsTo {
        L1_InvalidationEnds(Over.FILE, (m, s, f) -> m.inv(s, f).on(), (m, s, f) -> !m.inv(s, f).on()),
        L2_AccessCompletes(Over.IMPORTER, (m, s, i) -> m.hasDma(s, i), (m, s, i) -> !m.hasDma(s, i)),
        L3_RetryTerminates(Over.IMPORTER, (m, s, i) -> m.hasPend(s, i), (m, s, i) -> !m.hasPend(s, i)),
        L4_TruncateNotStarved(Over.FILE, Liveness::truncRunning, (m, s, f) -> !truncRunning(m, s, f)),
        L5_UnplugFinishes(Over.NOTHING, (m, s, x) -> s.exp() == Exp.REMOVING, (m, s, x) -> s.exp() != Exp.REMOVING),
        L6_UnmapReturnsBar(Over.NOTHING, (m, s, x) -> s.bar() > m.held(s), (m, s, x) -> s.bar() <= m.held(s));

        /** A condition of one instance. */
        public interface Cond { boolean test(DeviceMapModel m, State s, String instance); }

        private final Over over;
        private final Cond p;
        private final Cond q;

        LeadsTo(Over over, Cond p, Cond q) {
            this.over = over;
            this.p = p;
            this.q = q;
        }

        public boolean p(DeviceMapModel m, State s, String instance) { return p.test(m, s, instance); }

        public boolean q(DeviceMapModel m, State s, String instance) { return q.test(m, s, instance); }

        /** The instances under c: the files, the importers, or one named for what it is about. */
        public List<String> instances(Constants c) {
            return switch (over) {
                case FILE -> c.files();
                case IMPORTER -> c.importers();
                default -> List.of(this == L5_UnplugFinishes ? "exporter" : "bar");
            };
        }

        /** The short name, L1 .. L6. */
        public String id() { return name().substring(0, 2); }

        public static LeadsTo of(String name) {
            for (LeadsTo l : values()) if (l.name().equals(name) || l.id().equals(name)) return l;
            throw new IllegalArgumentException("unknown liveness property '" + name + "'");
        }
    }

    /** Where a leads-to property is still owed in s: the property and its instance. */
    public record Owed(LeadsTo property, String instance) {}

    /**
     * The first leads-to property still owed in a state where the system has stopped (P holds and Q
     * does not), the most specific first: a truncate or punch (L4) before any invalidation (L1), then
     * L2, L3, L5, L6; empty when none is.
     */
    public static Optional<Owed> firstOwed(DeviceMapModel m, State s) {
        for (String f : m.constants().files()) {
            for (LeadsTo l : List.of(LeadsTo.L4_TruncateNotStarved, LeadsTo.L1_InvalidationEnds)) {
                if (l.p(m, s, f) && !l.q(m, s, f)) return Optional.of(new Owed(l, f));
            }
        }
        for (LeadsTo l : List.of(LeadsTo.L2_AccessCompletes, LeadsTo.L3_RetryTerminates, LeadsTo.L5_UnplugFinishes,
                LeadsTo.L6_UnmapReturnsBar)) {
            for (String x : l.instances(m.constants())) if (l.p(m, s, x) && !l.q(m, s, x)) return Optional.of(new Owed(l, x));
        }
        return Optional.empty();
    }
}
