package dev.devmap.spec.mutate;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which variants (known mistakes and kernel choices, models.json "variants" and "choices") a mutant of
 * a definition that always runs (see {@link Unevaluated#alwaysRun}) can concern: those the definition
 * names by a string literal, itself or one of its members. The members of a combination are read from
 * the spec's {@code Combines} ({@code IF v = "fs-dax" THEN {"a", "b", ...}}); any other variant's only
 * member is itself. For a definition that does not always run TLC's coverage of the original on each
 * variant decides instead, so this is asked only where coverage cannot tell.
 */
final class VariantScope {
    private static final Pattern COMBINES = Pattern.compile("v\\s*=\\s*\"([^\"]+)\"\\s*THEN\\s*\\{([^}]*)\\}");
    private static final Pattern LITERAL = Pattern.compile("\"([^\"]*)\"");

    private static final Pattern WORD = Pattern.compile("[A-Za-z_]\\w*");
    private final Map<String, Set<String>> literals = new HashMap<>();
    private final Map<String, Set<String>> refs = new HashMap<>();
    private final Set<String> withParams = new java.util.HashSet<>();
    private final String text;
    private final Map<String, Set<String>> members = new HashMap<>();

    VariantScope(String text) {
        this.text = text;
        String code = Mutator.mask(text);
        for (Mutator.Def d : Mutator.definitions(code)) {
            Set<String> ls = new LinkedHashSet<>();
            int k = code.indexOf('"', d.bodyStart());
            while (k >= 0 && k < d.end()) {   // quotes survive the mask; their contents are the original's
                int close = code.indexOf('"', k + 1);
                if (close < 0 || close > d.end()) break;
                ls.add(text.substring(k + 1, close));
                k = code.indexOf('"', close + 1);
            }
            literals.put(d.name(), ls);
            refs.put(d.name(), words(code, d));
            if (d.params()) withParams.add(d.name());
            if (d.name().equals("Combines")) {
                Matcher c = COMBINES.matcher(text.substring(d.bodyStart(), d.end()));
                while (c.find()) {
                    Set<String> ms = new LinkedHashSet<>();
                    Matcher l = LITERAL.matcher(c.group(2));
                    while (l.find()) ms.add(l.group(1));
                    members.put(c.group(1), ms);
                }
            }
        }
        closeOverAliases(Unevaluated.variables(code));
    }

    /** The names a definition's body uses. */
    private static Set<String> words(String code, Mutator.Def d) {
        Set<String> out = new LinkedHashSet<>();
        Matcher w = WORD.matcher(code).region(d.bodyStart(), d.end());
        while (w.find()) out.add(w.group());
        return out;
    }

    /**
     * A definition's literals and those of the constant-level definitions without parameters it names,
     * transitively (an alias such as {@code MirrorsCache == Is("pagecache-mirror-maps-cache")} names the
     * variant for every definition that uses it); a definition that reads a variable or takes parameters
     * ({@code Is}, {@code Combines}, whose literals are every variant's) passes on nothing.
     */
    private void closeOverAliases(Set<String> variables) {
        Map<String, Set<String>> closed = new HashMap<>();
        for (String name : literals.keySet()) {
            Set<String> out = new LinkedHashSet<>(literals.get(name));
            java.util.Deque<String> todo = new java.util.ArrayDeque<>(refs.getOrDefault(name, Set.of()));
            Set<String> seen = new java.util.HashSet<>();
            while (!todo.isEmpty()) {
                String r = todo.pop();
                if (!seen.add(r) || !literals.containsKey(r) || r.equals(name) || withParams.contains(r)) continue;
                if (!java.util.Collections.disjoint(refs.getOrDefault(r, Set.of()), variables)) continue;
                out.addAll(literals.get(r));
                todo.addAll(refs.getOrDefault(r, Set.of()));
            }
            closed.put(name, out);
        }
        literals.putAll(closed);
    }

    /** The variant and, for a combination, its members. */
    Set<String> members(String variant) {
        Set<String> out = new LinkedHashSet<>(members.getOrDefault(variant, Set.of()));
        out.add(variant);
        return out;
    }

    /** The string literals on the lines that hold the text from {@code start} to {@code end}. */
    Set<String> namedNear(int start, int end) {
        int from = text.lastIndexOf('\n', Math.max(0, start - 1)) + 1;
        int to = text.indexOf('\n', end);
        Set<String> out = new LinkedHashSet<>();
        Matcher l = LITERAL.matcher(text.substring(from, to < 0 ? text.length() : to));
        while (l.find()) out.add(l.group(1));
        return out;
    }

    /** Whether the definition names the variant or one of its members by a string literal. */
    boolean concerns(String definition, String variant) {
        return names(literals.getOrDefault(definition, Set.of()), variant);
    }

    /** Whether the literals name the variant or one of its members. */
    boolean names(Set<String> literals, String variant) {
        return !java.util.Collections.disjoint(members(variant), literals);
    }
}
