package dev.devmap.spec.mutate;

import dev.devmap.spec.tlc.ExprCoverage;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides without running TLC that a mutant behaves as the original on a model: the text it changes
 * lies inside an expression that TLC's {@code -coverage} of the original, on that model, counts as
 * evaluated zero times. TLC evaluates a spec deterministically, left to right, and stops a
 * conjunction at its first FALSE conjunct, a state predicate's disjunction at its first TRUE one, and
 * a CASE at its first true arm; a mutant differs from the original only inside the changed text, so
 * if the original never evaluates that text the mutant evaluates exactly what the original
 * evaluates, in every state of the same reachable graph: the same states, the same edges, the same
 * verdicts. Such a mutant passes that model's stage as the original does, and one that no model
 * evaluates is unreachable in these models without a TLC run.
 *
 * <p>TLC's report covers {@code Init}, the actions of {@code Next} and the invariants. It does not
 * cover what TLC evaluates only for a temporal or action property (their definitions are not
 * listed) nor a constant definition it evaluates once at start (its body is listed, never counted).
 * So a mutant in a definition that a property, a temporal formula (the fairness of {@code FairSpec})
 * or a constant-level definition reaches (through the definitions it names) is always run. Fairness needs no exception: {@code WF_vars(A)} asks
 * {@code ENABLED A} of a sub-action of {@code Next} in states where {@code Next} evaluates {@code A}
 * anyway.
 */
public final class Unevaluated {
    private static final Pattern WORD = Pattern.compile("[A-Za-z_]\\w*");
    private static final Pattern TEMPORAL = Pattern.compile("\\b[WS]F_|~>|<>");
    private static final Pattern VARIABLES = Pattern.compile("(?m)^VARIABLES?\\b");

    private final String text;
    private final int[] lineStarts;
    private final Set<String> alwaysRun;

    /**
     * @param text       the original spec
     * @param properties the temporal and action properties the models check (names of definitions)
     */
    public Unevaluated(String text, Collection<String> properties) {
        this.text = text;
        String code = Mutator.mask(text);
        List<Mutator.Def> defs = Mutator.definitions(code);
        Set<String> names = new HashSet<>();
        for (Mutator.Def d : defs) names.add(d.name());
        Set<String> vars = variables(code);
        Map<String, Set<String>> refs = new HashMap<>();
        Map<String, Boolean> direct = new HashMap<>();
        Map<String, Mutator.Def> byName = new HashMap<>();
        for (Mutator.Def d : defs) {
            byName.put(d.name(), d);
            Set<String> r = new HashSet<>();
            boolean v = false;
            Matcher w = WORD.matcher(code).region(d.bodyStart(), d.end());
            while (w.find()) {
                String t = w.group();
                if (names.contains(t) && !t.equals(d.name())) r.add(t);
                if (vars.contains(t)) v = true;
            }
            refs.put(d.name(), r);
            direct.put(d.name(), v);
        }
        // a definition is state-level if it names a variable or a state-level definition
        Set<String> stateLevel = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Mutator.Def d : defs) {
                if (stateLevel.contains(d.name())) continue;
                boolean s = direct.get(d.name());
                for (String r : refs.get(d.name())) s |= stateLevel.contains(r);
                if (s) grew = stateLevel.add(d.name());
            }
        }
        Deque<String> todo = new ArrayDeque<>();
        for (String p : properties) if (names.contains(p)) todo.add(p);

        for (Mutator.Def d : defs) {
            if (!d.params() && !stateLevel.contains(d.name())) todo.add(d.name());   // evaluated once at start
        }
        Set<String> reach = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            String n = todo.poll();
            if (reach.add(n)) todo.addAll(refs.getOrDefault(n, Set.of()));
        }
        // a temporal formula (FairSpec's fairness) is the liveness checker's: its own text always runs; the
        // actions it names are Next's (WF_vars(A) asks ENABLED A where Next evaluates A anyway)
        for (Mutator.Def d : defs) {
            if (TEMPORAL.matcher(code).region(d.bodyStart(), d.end()).find()) reach.add(d.name());
        }
        this.alwaysRun = Set.copyOf(reach);
        int[] ls = new int[text.length() + 2];
        int n = 0;
        ls[n++] = 0;
        for (int k = 0; k < text.length(); k++) if (text.charAt(k) == '\n') ls[n++] = k + 1;
        this.lineStarts = java.util.Arrays.copyOf(ls, n);
    }

    /** The definitions whose mutants always run (a property or a constant definition reaches them). */
    public Set<String> alwaysRun() {
        return new TreeSet<>(alwaysRun);
    }

    /**
     * False when the original, on the model whose coverage this is, never evaluates the text the
     * mutant changes: the mutant then behaves as the original there. True when it may differ.
     */
    public boolean mayMatter(Mutant m, ExprCoverage coverage) {
        if (alwaysRun.contains(m.definition()) || coverage.size() == 0) return true;
        ExprCoverage.Range r = changed(m);
        return coverage.enclosingCount(r) != 0;
    }

    /** The text the mutant changes (before and after with their common prefix and suffix cut), as TLC names a range. */
    ExprCoverage.Range changed(Mutant m) {
        String b = m.before();
        String a = m.after();
        int p = 0;
        while (p < b.length() && p < a.length() && b.charAt(p) == a.charAt(p)) p++;
        int s = 0;
        while (s < b.length() - p && s < a.length() - p
                && b.charAt(b.length() - 1 - s) == a.charAt(a.length() - 1 - s)) s++;
        int from = m.start() + p;
        int to = m.end() - s;   // exclusive
        if (to <= from) {   // a pure insertion: the whole replaced text
            from = m.start();
            to = m.end();
        }
        return new ExprCoverage.Range(line(from), col(from), line(to - 1), col(to - 1));
    }

    private int line(int offset) {
        int k = java.util.Arrays.binarySearch(lineStarts, offset);
        return (k >= 0 ? k : -k - 2) + 1;
    }

    private int col(int offset) {
        return offset - lineStarts[line(offset) - 1] + 1;
    }

    static Set<String> variables(String code) {
        Set<String> out = new HashSet<>();
        Matcher v = VARIABLES.matcher(code);
        while (v.find()) {
            int end = code.indexOf("\n\n", v.end());
            Matcher d = Pattern.compile("(?m)^\\S").matcher(code);
            int stop = d.find(v.end()) ? d.start() : code.length();
            if (end < 0 || end > stop) end = stop;
            Matcher w = WORD.matcher(code).region(v.end(), end);
            while (w.find()) out.add(w.group());
        }
        return out;
    }
}
