package dev.devmap.harness.oracle;

import dev.devmap.model.Action;
import dev.devmap.model.Reason;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the checked observations exercised: the spec's actions taken, the refusal reasons seen,
 * and how device accesses went (direct path versus fallback).
 */
public final class Coverage {
    private final Map<String, Long> actions = new HashMap<>();
    private final Map<String, Long> refusals = new HashMap<>();
    private final Map<String, Long> paths = new HashMap<>();
    private long ops;
    private long busy;
    private Coverage decided;

    /** What the answers the kernel decided ({@code "by":"kernel"}) exercised (created on first use). */
    public Coverage decided() {
        if (decided == null) decided = new Coverage();
        return decided;
    }

    /** EBUSY answers (a truncate or punch refused over a pin). */
    public long busy() { return busy; }

    void busyAnswer() { busy++; }

    void action(String name) { actions.merge(name, 1L, Long::sum); }

    void refusal(String reason) { refusals.merge(reason, 1L, Long::sum); }

    void path(String p) { paths.merge(p, 1L, Long::sum); }

    void op() { ops++; }

    public Map<String, Long> actions() { return new TreeMap<>(actions); }

    public Map<String, Long> refusals() { return new TreeMap<>(refusals); }

    public Map<String, Long> paths() { return new TreeMap<>(paths); }

    public long ops() { return ops; }

    public long direct() { return paths.getOrDefault("direct", 0L); }

    public long fallback() { return paths.getOrDefault("page-cache", 0L) + paths.getOrDefault("block", 0L); }

    public void add(Coverage o) {
        o.actions.forEach((k, v) -> actions.merge(k, v, Long::sum));
        o.refusals.forEach((k, v) -> refusals.merge(k, v, Long::sum));
        o.paths.forEach((k, v) -> paths.merge(k, v, Long::sum));
        ops += o.ops;
        busy += o.busy;
        if (o.decided != null) decided().add(o.decided);
    }

    public List<String> missingActions() {
        List<String> out = new ArrayList<>();
        for (String a : Action.NAMES) if (!actions.containsKey(a)) out.add(a);
        return out;
    }

    public List<String> missingReasons() {
        List<String> out = new ArrayList<>();
        for (Reason r : Reason.values()) if (!refusals.containsKey(r.tla())) out.add(r.tla());
        return out;
    }

    /** One line: {@code actions 27/27, refusal reasons 9/9}, with what is missing. */
    public String summary() {
        int na = Action.NAMES.size();
        int nr = Reason.values().length;
        List<String> ma = missingActions();
        List<String> mr = missingReasons();
        StringBuilder sb = new StringBuilder();
        sb.append("actions ").append(na - ma.size()).append('/').append(na);
        if (!ma.isEmpty()) sb.append(" (missing ").append(String.join(", ", ma)).append(')');
        sb.append(", refusal reasons ").append(nr - mr.size()).append('/').append(nr);
        if (!mr.isEmpty()) sb.append(" (missing ").append(String.join(", ", mr)).append(')');
        return sb.toString();
    }
}
