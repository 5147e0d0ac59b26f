package dev.devmap.spec.tla;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Parsing and printing of TLA+ values in TLC's syntax. */
public final class TlaValues {
    private TlaValues() {
    }

    /**
     * Parses one value as TLC prints it: functions {@code (a :> v @@ b :> w)}, records
     * {@code [f |-> v]}, sets {@code {...}}, sequences {@code <<...>>}, strings with escapes,
     * integers (also negative, and intervals {@code a..b}), {@code TRUE}/{@code FALSE}, and
     * bare identifiers as model values. Whitespace, including line breaks, may appear between
     * tokens.
     *
     * @throws TlaParseException if the text is not exactly one value
     */
    public static TlaValue parse(String text) {
        return new TlaParser(text).parseWholeValue();
    }

    /** TLC-compatible single-line text of a value; {@code parse(print(v)).equals(v)} holds. */
    public static String print(TlaValue v) {
        StringBuilder sb = new StringBuilder();
        print(v, sb);
        return sb.toString();
    }

    public static void print(TlaValue v, StringBuilder sb) {
        if (v instanceof TlaValue.Bool b) {
            sb.append(b.value() ? "TRUE" : "FALSE");
        } else if (v instanceof TlaValue.Int i) {
            sb.append(i.value());
        } else if (v instanceof TlaValue.Str s) {
            quote(s.value(), sb);
        } else if (v instanceof TlaValue.ModelValue m) {
            sb.append(m.name());
        } else if (v instanceof TlaValue.Set s) {
            sb.append('{');
            list(s.elements(), sb);
            sb.append('}');
        } else if (v instanceof TlaValue.Seq s) {
            sb.append("<<");
            list(s.elements(), sb);
            sb.append(">>");
        } else if (v instanceof TlaValue.Record r) {
            if (r.fields().keySet().stream().allMatch(TlaValues::isIdentifier)) {
                sb.append('[');
                boolean first = true;
                for (Map.Entry<String, TlaValue> e : r.fields().entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    sb.append(e.getKey()).append(" |-> ");
                    print(e.getValue(), sb);
                }
                sb.append(']');
            } else {
                // field names that are no identifiers: print as a function of strings
                sb.append('(');
                boolean first = true;
                for (Map.Entry<String, TlaValue> e : r.fields().entrySet()) {
                    if (!first) {
                        sb.append(" @@ ");
                    }
                    first = false;
                    quote(e.getKey(), sb);
                    sb.append(" :> ");
                    print(e.getValue(), sb);
                }
                sb.append(')');
            }
        } else {
            TlaValue.Fcn f = (TlaValue.Fcn) v;
            sb.append('(');
            Iterator<Map.Entry<TlaValue, TlaValue>> it = f.pairs().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<TlaValue, TlaValue> e = it.next();
                print(e.getKey(), sb);
                sb.append(" :> ");
                print(e.getValue(), sb);
                if (it.hasNext()) {
                    sb.append(" @@ ");
                }
            }
            sb.append(')');
        }
    }

    /** A TLA+ string literal with TLC's escapes. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        quote(s, sb);
        return sb.toString();
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\f' -> sb.append("\\f");
                default -> sb.append(c);
            }
        }
        sb.append('"');
    }

    private static void list(List<TlaValue> elems, StringBuilder sb) {
        for (int i = 0; i < elems.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            print(elems.get(i), sb);
        }
    }

    /** A TLA+ identifier: letters, digits and '_', at least one letter, not a reserved value word. */
    public static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letter = true;
            } else if (!(c == '_' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return letter && !s.equals("TRUE") && !s.equals("FALSE") && !s.equals("BOOLEAN")
                && !(s.charAt(0) >= '0' && s.charAt(0) <= '9');
    }
}
