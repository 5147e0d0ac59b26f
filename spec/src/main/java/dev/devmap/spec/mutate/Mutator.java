package dev.devmap.spec.mutate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates mutants of a TLA+ spec mechanically from its syntax, for the layout the spec keeps
 * (one definition per top-level {@code Name(args) ==}, conjunction and disjunction lists as
 * aligned bullets, CASE arms one per line). A small purpose-built parser, not SANY: it only has to
 * find the pieces a mutation replaces; a mutant that does not parse is reported as such by TLC.
 *
 * <p>Operators: drop a conjunct (its bullet becomes {@code /\ TRUE}), a guard to FALSE, drop a
 * disjunct ({@code \/ FALSE}), a CASE arm's condition to FALSE or TRUE, a range end shifted by one
 * ({@code lo..hi} to {@code lo..(hi - 1)}), {@code \cup} and {@code \} swapped, an IF flipped
 * ({@code IF ~(c)}), a variable dropped from an UNCHANGED, an EXCEPT update dropped
 * ({@code [x EXCEPT ...]} to {@code x}). Only the protocol's definitions are mutated: not the
 * properties, not TypeOK, not the type sets.
 */
public final class Mutator {
    /** Definitions that are not protocol: type sets, the tuple of variables, TypeOK, Spec. */
    static final Set<String> EXCLUDED = Set.of("vars", "Offsets", "Blocks", "Vals", "Kinds", "Causes", "Reasons",
            "Ranges", "Idle", "Grants", "Pending", "Dmas", "TypeOK", "Spec", "Flags", "Absent", "Hole");
    /** The part of the spec from which on nothing is mutated (the properties). */
    static final Pattern PROPERTIES_START = Pattern.compile("(?m)^\\(\\* Safety properties");
    private static final Pattern DEF = Pattern.compile("(?m)^([A-Za-z_]\\w*)\\s*(\\([^)\\n]*\\))?\\s*==");
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^(-{4,}|={4,})");

    private final String text;
    private final String code;   // text with comments and string contents blanked (same length)
    private final List<Mutant> out = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private Set<String> actionish = Set.of();

    private Mutator(String text) {
        this.text = text;
        this.code = mask(text);
    }

    /** Every mutant of the spec text, numbered from 1 in the order of the text. */
    public static List<Mutant> generate(String text) {
        Mutator m = new Mutator(text);
        m.run();
        return m.out;
    }

    /**
     * A top-level definition: its name, whether it takes parameters, where it starts, where its body
     * starts and ends (the text's offsets).
     */
    record Def(String name, boolean params, int start, int bodyStart, int end) {}

    /** The top-level definitions of a masked spec text ({@link #mask}), in the order of the text. */
    static List<Def> definitions(String code) {
        List<Def> defs = new ArrayList<>();
        Matcher d = DEF.matcher(code);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Boolean> params = new ArrayList<>();
        while (d.find()) {
            starts.add(new int[] {d.start(), d.end()});
            names.add(d.group(1));
            params.add(d.group(2) != null);
        }
        for (int k = 0; k < starts.size(); k++) {
            int s = starts.get(k)[0];
            int e = k + 1 < starts.size() ? starts.get(k + 1)[0] : code.length();
            Matcher sep = SEPARATOR.matcher(code).region(starts.get(k)[1], e);
            if (sep.find()) e = sep.start();
            defs.add(new Def(names.get(k), params.get(k), s, starts.get(k)[1], e));
        }
        return defs;
    }

    private void run() {
        Matcher ps = PROPERTIES_START.matcher(text);
        int stop = ps.find() ? ps.start() : code.length();
        List<Def> defs = definitions(code);
        // action-like definitions: they prime a variable or call one that does
        Map<String, Def> byName = new LinkedHashMap<>();
        for (Def def : defs) byName.put(def.name(), def);
        Set<String> act = new HashSet<>();
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Def def : defs) {
                if (act.contains(def.name())) continue;
                String body = code.substring(def.bodyStart(), def.end());
                boolean is = body.contains("'") || body.contains("UNCHANGED");
                for (String a : act) if (!is && Pattern.compile("\\b" + a + "\\b").matcher(body).find()) is = true;
                if (is) {
                    act.add(def.name());
                    grew = true;
                }
            }
        }
        actionish = act;
        List<Def> mutated = new ArrayList<>();
        for (Def def : defs) {
            if (def.start() >= stop || EXCLUDED.contains(def.name())) continue;
            mutated.add(def);
            mutate(def);
        }
        // added after the others, so that the numbers of the others stay what earlier tables name
        for (Def def : mutated) inlineConjuncts(def, def.bodyStart(), def.end());
    }

    private void mutate(Def def) {
        int from = def.bodyStart();
        int to = def.end();
        bullets(def, from, to);
        caseArms(def, from, to);
        ranges(def, from, to);
        setOps(def, from, to);
        ifs(def, from, to);
        unchanged(def, from, to);
        excepts(def, from, to);
    }

    private void add(String kind, Def def, int start, int end, String after) {
        String before = text.substring(start, end);
        if (before.equals(after)) return;
        String key = start + ":" + end + ":" + after;
        if (!seen.add(key)) return;
        int line = 1;
        for (int k = 0; k < start; k++) if (text.charAt(k) == '\n') line++;
        out.add(new Mutant(out.size() + 1, kind, def.name(), line, start, end, before, after));
    }

    // ------------------------------------------------------------------ the operators

    private static final Pattern BULLET = Pattern.compile("/\\\\|\\\\/");
    private static final Pattern BEFORE_BULLET = Pattern.compile("(?:^|\\b(?:THEN|ELSE|IN|LET)|==|->|:)\\s*$");

    private void bullets(Def def, int from, int to) {
        Matcher b = BULLET.matcher(code).region(from, to);
        while (b.find()) {
            int p = b.start();
            int lineStart = code.lastIndexOf('\n', p - 1) + 1;
            String prefix = code.substring(lineStart, p);
            if (!prefix.isBlank() && !BEFORE_BULLET.matcher(prefix).find()) continue;
            int col = p - lineStart;
            int end = itemEnd(p + 2, col, to);
            boolean conj = code.startsWith("/\\", p);
            String item = code.substring(p + 2, end);
            if (conj) {
                add("drop-conjunct", def, p, end, "/\\ TRUE");
                if (isGuard(item)) add("guard-false", def, p, end, "/\\ FALSE");
            } else {
                add("drop-disjunct", def, p, end, "\\/ FALSE");
            }
        }
    }

    private boolean isGuard(String item) {
        if (item.contains("'") || item.contains("UNCHANGED")) return false;
        for (String a : actionish) if (Pattern.compile("\\b" + a + "\\b").matcher(item).find()) return false;
        return true;
    }

    /** End of a bullet's item: its line and the lines indented deeper, cut at a top-level -> or [] or closer. */
    private int itemEnd(int p, int col, int limit) {
        int end = code.indexOf('\n', p);
        if (end < 0 || end > limit) end = limit;
        while (end < limit) {
            int next = end + 1;
            int nl = code.indexOf('\n', next);
            if (nl < 0 || nl > limit) nl = limit;
            String line = code.substring(next, nl);
            int indent = line.length() - line.stripLeading().length();
            if (line.isBlank() || indent <= col) break;
            end = nl;
        }
        int depth = 0;
        boolean inCase = false;   // an item that holds a CASE: its -> and [] are its own
        for (int k = p; k < end; k++) {
            char ch = code.charAt(k);
            if (code.startsWith("CASE", k)) inCase = true;
            if (ch == '(' || ch == '[' || ch == '{' || (ch == '<' && code.startsWith("<<", k))) {
                depth++;
                if (ch == '<') k++;
            } else if (ch == ')' || ch == ']' || ch == '}' || (ch == '>' && code.startsWith(">>", k))) {
                if (depth == 0) return trimEnd(p, k);
                depth--;
                if (ch == '>') k++;
            } else if (depth == 0 && !inCase && (code.startsWith("->", k) || code.startsWith("[]", k))) {
                return trimEnd(p, k);
            }
        }
        return trimEnd(p, end);
    }

    private int trimEnd(int p, int end) {
        while (end > p && Character.isWhitespace(code.charAt(end - 1))) end--;
        return end;
    }

    /** Tokens that end an operand of an infix {@code /\\} (lower precedence, or a separator). */
    private static final String[] DELIMS = {"/\\", "\\/", "=>", "==", "->", "[]", ",", ":"};
    private static final String[] WORDS = {"THEN", "ELSE", "IF", "IN", "LET", "CASE", "OTHER"};

    /**
     * An infix conjunction inside an expression ({@code r.lo <= o /\ o <= r.hi}, a conjunction in a
     * quantifier's body or an IF's condition): each operand to TRUE. An operand runs, at the same
     * bracket depth, to the nearest operator of lower precedence or separator, or to the line's end.
     */
    private void inlineConjuncts(Def def, int from, int to) {
        Matcher b = Pattern.compile("/\\\\").matcher(code).region(from, to);
        while (b.find()) {
            int p = b.start();
            int lineStart = code.lastIndexOf('\n', p - 1) + 1;
            String prefix = code.substring(lineStart, p);
            if (prefix.isBlank() || BEFORE_BULLET.matcher(prefix).find()) continue;   // a bullet, not infix
            int ls = operandStart(p, Math.max(from, lineStart));
            int le = trimEnd(ls, p);
            int rs = p + 2;
            while (rs < to && code.charAt(rs) == ' ') rs++;
            int re = operandEnd(rs, to);
            if (ls < le) add("drop-inline-conjunct", def, ls, le, "TRUE");
            if (rs < re) add("drop-inline-conjunct", def, rs, re, "TRUE");
        }
    }

    private int operandStart(int p, int limit) {
        int depth = 0;
        int k = p - 1;
        for (; k >= limit; k--) {
            char ch = code.charAt(k);
            if (ch == ')' || ch == ']' || ch == '}' || (ch == '>' && k > 0 && code.charAt(k - 1) == '>')) {
                if (!(ch == ']' && k > 0 && code.charAt(k - 1) == '[')) {   // [] is a CASE separator
                    depth++;
                    if (ch == '>') k--;
                    continue;
                }
            }
            boolean caseSeparator = ch == '[' && k + 1 < code.length() && code.charAt(k + 1) == ']';
            if (ch == '(' || (ch == '[' && !caseSeparator) || ch == '{' || (ch == '<' && k > 0 && code.charAt(k - 1) == '<')) {
                if (depth == 0) break;
                depth--;
                if (ch == '<') k--;
                continue;
            }
            if (depth == 0 && delimiterAt(k)) {
                k += delimiterLength(k) - 1;
                break;
            }
        }
        int s = k + 1;
        while (s < p && Character.isWhitespace(code.charAt(s))) s++;
        return s;
    }

    private int operandEnd(int p, int limit) {
        int depth = 0;
        int k = p;
        // a quantifier's body reaches as far as it can: only the line's end or a closing bracket ends it
        boolean quantifier = code.startsWith("\\E", p) || code.startsWith("\\A", p) || code.startsWith("CHOOSE", p);
        for (; k < limit; k++) {
            char ch = code.charAt(k);
            if (ch == '\n' && depth == 0) break;
            if (ch == '(' || (ch == '[' && !code.startsWith("[]", k)) || ch == '{' || code.startsWith("<<", k)) {
                depth++;
                if (ch == '<') k++;
                continue;
            }
            if (ch == ')' || ch == ']' || ch == '}' || code.startsWith(">>", k)) {
                if (depth == 0) break;
                depth--;
                if (ch == '>') k++;
                continue;
            }
            if (depth == 0 && !quantifier && delimiterAt(k)) break;
        }
        return trimEnd(p, k);
    }

    /** A delimiter token starts at k (words on word boundaries; not the -> of |->). */
    private boolean delimiterAt(int k) {
        return delimiterLength(k) > 0;
    }

    private int delimiterLength(int k) {
        for (String d : DELIMS) {
            if (!code.startsWith(d, k)) continue;
            if (d.equals("->") && k > 0 && code.charAt(k - 1) == '|') continue;
            if (d.equals("=>") && k > 0 && (code.charAt(k - 1) == '<' || code.charAt(k - 1) == '=')) continue;
            if (d.equals("==") && k > 0 && code.charAt(k - 1) == '=') continue;
            return d.length();
        }
        for (String w : WORDS) {
            if (code.startsWith(w, k) && (k == 0 || !Character.isJavaIdentifierPart(code.charAt(k - 1)))
                    && (k + w.length() >= code.length() || !Character.isJavaIdentifierPart(code.charAt(k + w.length())))) {
                return w.length();
            }
        }
        return 0;
    }

    private static final Pattern CASE_ARM = Pattern.compile("\\bCASE\\b|\\[\\]");

    private void caseArms(Def def, int from, int to) {
        Matcher m = CASE_ARM.matcher(code).region(from, to);
        while (m.find()) {
            int c = m.end();
            int arrow = topLevel(c, to, "->");
            if (arrow < 0) continue;
            int s = c;
            while (Character.isWhitespace(code.charAt(s))) s++;
            int e = trimEnd(s, arrow);
            if (code.substring(s, e).equals("OTHER")) continue;
            add("case-arm-false", def, s, e, "FALSE");
            add("case-arm-true", def, s, e, "TRUE");
        }
    }

    /** The first occurrence of token at bracket depth 0 from p, or -1. */
    private int topLevel(int p, int limit, String token) {
        int depth = 0;
        for (int k = p; k < limit; k++) {
            char ch = code.charAt(k);
            if (code.startsWith(token, k) && depth == 0) return k;
            if (ch == '(' || ch == '[' || ch == '{') depth++;
            else if (ch == ')' || ch == ']' || ch == '}') {
                if (depth == 0) return -1;
                depth--;
            }
        }
        return -1;
    }

    private static final Pattern RANGE = Pattern.compile("\\.\\.");
    private static final Pattern OPERAND = Pattern.compile("\\s*([A-Za-z_0-9]+(?:\\.[A-Za-z_]+)*)");

    private void ranges(Def def, int from, int to) {
        Matcher m = RANGE.matcher(code).region(from, to);
        while (m.find()) {
            int s = m.end();
            int e;
            if (code.charAt(s) == '(') {
                e = match(s, to);
                if (e < 0) continue;
                e++;
            } else {
                Matcher o = OPERAND.matcher(code).region(s, to);
                if (!o.lookingAt()) continue;
                e = o.end();
                if (e < to && code.charAt(e) == '(') {
                    int c = match(e, to);
                    if (c < 0) continue;
                    e = c + 1;
                }
            }
            add("range-end-minus-one", def, s, e, "(" + text.substring(s, e).strip() + " - 1)");
        }
    }

    /** Index of the bracket closing the one at p. */
    private int match(int p, int limit) {
        int depth = 0;
        for (int k = p; k < limit; k++) {
            char ch = code.charAt(k);
            if (ch == '(' || ch == '[' || ch == '{') depth++;
            else if (ch == ')' || ch == ']' || ch == '}') {
                if (--depth == 0) return k;
            }
        }
        return -1;
    }

    private static final Pattern CUP = Pattern.compile("\\\\cup\\b");
    private static final Pattern MINUS = Pattern.compile("(?<= )\\\\(?= )");

    private void setOps(Def def, int from, int to) {
        Matcher m = CUP.matcher(code).region(from, to);
        while (m.find()) add("cup-to-minus", def, m.start(), m.end(), "\\");
        m = MINUS.matcher(code).region(from, to);
        while (m.find()) add("minus-to-cup", def, m.start(), m.end(), "\\cup");
    }

    private static final Pattern IF = Pattern.compile("\\bIF\\b");
    private static final Pattern THEN = Pattern.compile("\\bTHEN\\b");

    private void ifs(Def def, int from, int to) {
        Matcher m = IF.matcher(code).region(from, to);
        while (m.find()) {
            Matcher t = THEN.matcher(code).region(m.end(), to);
            if (!t.find()) continue;
            int s = m.end();
            while (Character.isWhitespace(code.charAt(s))) s++;
            int e = trimEnd(s, t.start());
            add("flip-if", def, s, e, "~(" + text.substring(s, e) + ")");
        }
    }

    private static final Pattern UNCHANGED = Pattern.compile("\\bUNCHANGED\\s*(<<([^>]*)>>|[A-Za-z_]\\w*)");

    private void unchanged(Def def, int from, int to) {
        Matcher m = UNCHANGED.matcher(code).region(from, to);
        while (m.find()) {
            if (m.group(2) == null) {
                add("unchanged-drop-var", def, m.start(), m.end(), "TRUE");
                continue;
            }
            String[] vs = m.group(2).split(",");
            for (int k = 0; k < vs.length; k++) {
                List<String> rest = new ArrayList<>();
                for (int j = 0; j < vs.length; j++) if (j != k) rest.add(vs[j].strip());
                add("unchanged-drop-var", def, m.start(), m.end(),
                        rest.isEmpty() ? "TRUE" : "UNCHANGED <<" + String.join(", ", rest) + ">>");
            }
        }
    }

    private static final Pattern EXCEPT = Pattern.compile("\\[\\s*([A-Za-z_@][\\w.\\[\\]]*)\\s+EXCEPT\\b");

    private void excepts(Def def, int from, int to) {
        Matcher m = EXCEPT.matcher(code).region(from, to);
        while (m.find()) {
            int close = match(m.start(), to);
            if (close < 0) continue;
            add("except-drop-update", def, m.start(), close + 1, m.group(1));
        }
    }

    // ------------------------------------------------------------------ masking

    /** Comments and the contents of strings replaced by spaces (newlines kept), so tokens are found only in code. */
    static String mask(String t) {
        char[] c = t.toCharArray();
        int k = 0;
        int depth = 0;
        while (k < c.length) {
            if (depth > 0) {
                if (t.startsWith("*)", k)) {
                    c[k] = ' ';
                    c[k + 1] = ' ';
                    depth--;
                    k += 2;
                } else if (t.startsWith("(*", k)) {
                    c[k] = ' ';
                    c[k + 1] = ' ';
                    depth++;
                    k += 2;
                } else {
                    if (c[k] != '\n') c[k] = ' ';
                    k++;
                }
            } else if (t.startsWith("(*", k)) {
                c[k] = ' ';
                c[k + 1] = ' ';
                depth = 1;
                k += 2;
            } else if (t.startsWith("\\*", k)) {
                while (k < c.length && c[k] != '\n') c[k++] = ' ';
            } else if (c[k] == '"') {
                k++;
                while (k < c.length && c[k] != '"') {
                    if (c[k] == '\\' && k + 1 < c.length) c[k++] = 'x';
                    c[k] = 'x';
                    k++;
                }
                k++;
            } else {
                k++;
            }
        }
        return new String(c);
    }
}
