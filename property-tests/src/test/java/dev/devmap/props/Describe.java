package dev.devmap.props;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.Grant;
import dev.devmap.model.State;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tla.TlaValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Readable text for actions and for what a step changed (used in counterexamples). */
public final class Describe {
    private Describe() {
    }

    public static String grant(Grant g) {
        return g.i() + ":" + g.f() + "[" + range(g.lo(), g.hi()) + "]->blk" + g.bs()
                + flags(g.pin(), g.w(), g.at());
    }

    private static String range(int lo, int hi) {
        return lo == hi ? Integer.toString(lo) : lo + ".." + hi;
    }

    private static String flags(boolean pin, boolean w, boolean at) {
        List<String> fl = new ArrayList<>();
        if (pin) fl.add("PIN");
        if (w) fl.add("WRITE");
        if (at) fl.add("ATOMIC");
        return fl.isEmpty() ? "" : " " + String.join("|", fl);
    }

    /** The action with its parameters, e.g. {@code MapPrepare(gpu, f1[1..2] PIN|WRITE)}. */
    public static String action(Action a) {
        if (a instanceof Action.MapPrepare m) {
            return "MapPrepare(" + m.i() + ", " + m.f() + "[" + range(m.lo(), m.hi()) + "]" + flags(m.pin(), m.w(), m.at()) + ")";
        }
        if (a instanceof Action.DmaStart d) {
            return "DmaStart(" + d.i() + " " + d.op().tla() + "s " + d.f() + "[" + d.o() + "] via its grant at " + d.lo() + ")";
        }
        String s = a.toString();                       // e.g. Truncate[f=f1, n=0]
        int open = s.indexOf('[');
        if (open < 0 || !s.endsWith("]")) return s;
        String args = s.substring(open + 1, s.length() - 1).replaceAll("\\b[a-z]+=", "");
        return a.name() + "(" + args + ")";
    }

    /**
     * The variables a step changed, one per line, as {@code var.path: old -> new}: records and
     * sequences are compared field by field, so only what changed is shown.
     */
    public static List<String> changes(Constants c, State before, State after) {
        TlaBridge bridge = new TlaBridge(c);
        Map<String, TlaValue> b = bridge.toTla(before).vars();
        Map<String, TlaValue> a = bridge.toTla(after).vars();
        List<String> out = new ArrayList<>();
        for (String var : State.VARIABLES) {
            diff(var, b.get(var), a.get(var), out);
        }
        return out;
    }

    private static void diff(String path, TlaValue x, TlaValue y, List<String> out) {
        if (x.equals(y)) return;
        if (x instanceof TlaValue.Record rx && y instanceof TlaValue.Record ry
                && rx.fields().keySet().equals(ry.fields().keySet())) {
            for (String k : new TreeSet<>(rx.fields().keySet())) diff(path + "." + k, rx.get(k), ry.get(k), out);
            return;
        }
        if (x instanceof TlaValue.Seq sx && y instanceof TlaValue.Seq sy && sx.size() == sy.size()) {
            for (int k = 1; k <= sx.size(); k++) diff(path + "[" + k + "]", sx.get(k), sy.get(k), out);
            return;
        }
        out.add(path + ": " + TlaValues.print(x) + " -> " + TlaValues.print(y));
    }
}
