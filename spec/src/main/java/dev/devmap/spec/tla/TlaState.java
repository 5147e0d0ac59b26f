package dev.devmap.spec.tla;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One state: variable name to value, in the order TLC printed them. Equality ignores the
 * order (two states are equal when they map the same variables to equal values).
 */
public final class TlaState {
    private final Map<String, TlaValue> vars;

    public TlaState(Map<String, ? extends TlaValue> vars) {
        LinkedHashMap<String, TlaValue> copy = new LinkedHashMap<>();
        vars.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v, k)));
        this.vars = Collections.unmodifiableMap(copy);
    }

    /**
     * Parses TLC's printed state: {@code /\ var = value} conjuncts, one per variable; a value
     * may span several lines. Also the single-variable form {@code var = value}.
     *
     * @throws TlaParseException when the text is not a state
     */
    public static TlaState parse(String text) {
        return new TlaState(new TlaParser(text).parseState(), true);
    }

    private TlaState(LinkedHashMap<String, TlaValue> owned, boolean trusted) {
        this.vars = Collections.unmodifiableMap(owned);
    }

    /** Variables in printed order (unmodifiable). */
    public Map<String, TlaValue> vars() {
        return vars;
    }

    public TlaValue get(String var) {
        return vars.get(var);
    }

    /** The value of a variable; throws if the state has no such variable. */
    public TlaValue require(String var) {
        TlaValue v = vars.get(var);
        if (v == null) {
            throw new IllegalArgumentException("state has no variable '" + var + "' (has " + vars.keySet() + ")");
        }
        return v;
    }

    /** TLC's printed form: one {@code /\ var = value} line per variable. */
    public String print() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, TlaValue> e : vars.entrySet()) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            sb.append("/\\ ").append(e.getKey()).append(" = ");
            TlaValues.print(e.getValue(), sb);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlaState s && s.vars.equals(vars);
    }

    @Override
    public int hashCode() {
        return vars.hashCode();
    }

    @Override
    public String toString() {
        return print();
    }
}
