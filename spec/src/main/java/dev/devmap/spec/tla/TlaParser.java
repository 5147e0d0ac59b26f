package dev.devmap.spec.tla;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hand-written recursive-descent parser for values and states as TLC prints them. One pass,
 * no backtracking beyond one token of look-ahead. Not thread-safe; cheap to create.
 */
final class TlaParser {
    private final String src;
    private final int end;
    private int pos;
    /** Interns identifiers (field names, model values) so big state sets share the strings. */
    private final Map<String, String> names;

    TlaParser(String src) {
        this(src, new HashMap<>());
    }

    TlaParser(String src, Map<String, String> names) {
        this.src = src;
        this.end = src.length();
        this.names = names;
    }

    // ------------------------------------------------------------------ entry points

    TlaValue parseWholeValue() {
        skipWs();
        TlaValue v = value();
        skipWs();
        if (pos < end) {
            throw error("unexpected text after the value");
        }
        return v;
    }

    /**
     * A state: {@code /\ var = value} conjuncts (values may span lines), or the single-variable
     * form {@code var = value}. Variables keep their printed order.
     */
    LinkedHashMap<String, TlaValue> parseState() {
        LinkedHashMap<String, TlaValue> vars = new LinkedHashMap<>();
        skipWs();
        if (pos >= end) {
            return vars;
        }
        boolean conj = lookingAt("/\\");
        while (true) {
            skipWs();
            if (pos >= end) {
                break;
            }
            if (conj) {
                expect("/\\");
                skipWs();
            }
            int at = pos;
            String name = identifier("a variable name");
            skipWs();
            expect("=");
            skipWs();
            TlaValue v = value();
            if (vars.put(name, v) != null) {
                throw TlaParseException.at(src, at, "variable '" + name + "' appears twice in the state");
            }
            if (!conj) {
                skipWs();
                if (pos < end) {
                    throw error("unexpected text after the state (a state of several variables needs /\\ before each)");
                }
                break;
            }
        }
        return vars;
    }

    // ------------------------------------------------------------------ grammar

    private TlaValue value() {
        if (pos >= end) {
            throw error("expected a value but the text ended");
        }
        char c = src.charAt(pos);
        switch (c) {
            case '{':
                return set();
            case '<':
                return seq();
            case '[':
                return record();
            case '(':
                return function();
            case '"':
                return new TlaValue.Str(string());
            default:
                break;
        }
        if (c == '-' || isDigit(c)) {
            long n = integer();
            int save = pos;
            skipWs();
            if (lookingAt("..")) {
                pos += 2;
                skipWs();
                long hi = integer();
                if (hi - n >= 10_000_000L) {
                    throw TlaParseException.at(src, save, "interval " + n + ".." + hi + " is too large to enumerate");
                }
                List<TlaValue> elems = new ArrayList<>();
                for (long i = n; i <= hi; i++) {
                    elems.add(new TlaValue.Int(i));
                }
                return new TlaValue.Set(elems);
            }
            pos = save;
            return new TlaValue.Int(n);
        }
        if (isIdentStart(c)) {
            String id = identifier("a value");
            switch (id) {
                case "TRUE":
                    return TlaValue.Bool.TRUE;
                case "FALSE":
                    return TlaValue.Bool.FALSE;
                case "BOOLEAN":
                    return new TlaValue.Set(List.of(TlaValue.Bool.FALSE, TlaValue.Bool.TRUE));
                default:
                    return new TlaValue.ModelValue(id);
            }
        }
        throw error("expected a value (one of { << [ ( \" - digit identifier), found '" + c + "'");
    }

    private TlaValue set() {
        pos++; // {
        List<TlaValue> elems = new ArrayList<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return TlaValue.Set.EMPTY;
        }
        while (true) {
            skipWs();
            elems.add(value());
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return new TlaValue.Set(elems);
            } else {
                throw error("expected ',' or '}' in a set");
            }
        }
    }

    private TlaValue seq() {
        expect("<<");
        List<TlaValue> elems = new ArrayList<>();
        skipWs();
        if (lookingAt(">>")) {
            pos += 2;
            return TlaValue.Seq.EMPTY;
        }
        while (true) {
            skipWs();
            elems.add(value());
            skipWs();
            if (peek() == ',') {
                pos++;
            } else if (lookingAt(">>")) {
                pos += 2;
                return new TlaValue.Seq(elems);
            } else {
                throw error("expected ',' or '>>' in a sequence");
            }
        }
    }

    private TlaValue record() {
        pos++; // [
        TreeMap<String, TlaValue> fields = new TreeMap<>();
        while (true) {
            skipWs();
            int at = pos;
            String field = identifier("a record field name");
            skipWs();
            expect("|->");
            skipWs();
            TlaValue v = value();
            if (fields.put(field, v) != null) {
                throw TlaParseException.at(src, at, "record field '" + field + "' appears twice");
            }
            skipWs();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return new TlaValue.Record(fields);
            } else {
                throw error("expected ',' or ']' in a record");
            }
        }
    }

    /** {@code (k :> v @@ k2 :> v2)}; also a parenthesized value {@code (v)}. */
    private TlaValue function() {
        pos++; // (
        skipWs();
        TlaValue first = value();
        skipWs();
        if (peek() == ')') {
            pos++;
            return first;
        }
        LinkedHashMap<TlaValue, TlaValue> pairs = new LinkedHashMap<>();
        TlaValue key = first;
        while (true) {
            expect(":>");
            skipWs();
            int at = pos;
            TlaValue v = value();
            if (pairs.put(key, v) != null) {
                throw TlaParseException.at(src, at, "function key " + key.print() + " appears twice");
            }
            skipWs();
            if (peek() == ')') {
                pos++;
                return TlaOrder.normalizeFunction(pairs);
            }
            if (!lookingAt("@@")) {
                throw error("expected '@@' or ')' in a function");
            }
            pos += 2;
            skipWs();
            key = value();
            skipWs();
        }
    }

    private String string() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (pos < end) {
            char c = src.charAt(pos);
            if (c == '"') {
                String s = sb == null ? src.substring(runStart, pos) : sb.append(src, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(src, runStart, pos);
                if (pos + 1 >= end) {
                    break;
                }
                char e = src.charAt(pos + 1);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'f' -> sb.append('\f');
                    default -> throw error("unknown escape '\\" + e + "' in a string");
                }
                pos += 2;
                runStart = pos;
                continue;
            }
            if (c == '\n') {
                throw error("line break inside a string (missing closing quote?)");
            }
            pos++;
        }
        throw TlaParseException.at(src, start, "string is not closed");
    }

    private long integer() {
        int start = pos;
        boolean neg = false;
        if (peek() == '-') {
            neg = true;
            pos++;
        }
        int digitsStart = pos;
        long v = 0;
        while (pos < end && isDigit(src.charAt(pos))) {
            int d = src.charAt(pos) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                throw TlaParseException.at(src, start, "integer out of range");
            }
            v = v * 10 + d;
            pos++;
        }
        if (pos == digitsStart) {
            throw error("expected digits");
        }
        if (pos < end && isIdentPart(src.charAt(pos))) {
            // e.g. "12ab": TLA+ identifiers may start with digits; TLC never prints such values
            throw error("expected an integer, found an identifier starting with digits");
        }
        return neg ? -v : v;
    }

    private String identifier(String what) {
        int start = pos;
        while (pos < end && isIdentPart(src.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            throw error("expected " + what);
        }
        String id = src.substring(start, pos);
        String shared = names.putIfAbsent(id, id);
        return shared == null ? id : shared;
    }

    // ------------------------------------------------------------------ lexing helpers

    private void skipWs() {
        while (pos < end) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    private char peek() {
        return pos < end ? src.charAt(pos) : '\0';
    }

    private boolean lookingAt(String s) {
        return src.startsWith(s, pos);
    }

    private void expect(String s) {
        if (!lookingAt(s)) {
            throw error("expected '" + s + "'");
        }
        pos += s.length();
    }

    private TlaParseException error(String problem) {
        return TlaParseException.at(src, pos, problem);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }
}
