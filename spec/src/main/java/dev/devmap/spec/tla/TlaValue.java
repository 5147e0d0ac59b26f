package dev.devmap.spec.tla;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable TLA+ value as TLC prints it.
 *
 * <p>Values are kept in a canonical form so that two values TLC considers equal are
 * {@link Object#equals equal} here:
 * <ul>
 *   <li>a {@link Set} keeps its elements sorted by {@link #compareTo} without duplicates;</li>
 *   <li>a function whose domain is {@code 1..n} is a {@link Seq} (the empty function is the
 *       empty sequence);</li>
 *   <li>a function whose (non-empty) domain is all strings is a {@link Record};</li>
 *   <li>any other function is an {@link Fcn}, its pairs sorted by key.</li>
 * </ul>
 * Build functions with {@link #fcn(Map)}, which normalizes; the {@link Record} and {@link Fcn}
 * constructors reject non-canonical input.
 *
 * <p>{@link #compareTo} is a total order over all values: first by kind (in the order
 * Bool, Int, Str, ModelValue, Set, Seq, Record, Fcn), then within the kind: integers
 * numerically, strings and model values lexicographically, sets / sequences / records /
 * functions by size first, then element by element (like TLC).
 */
public sealed interface TlaValue extends Comparable<TlaValue>
        permits TlaValue.Bool, TlaValue.Int, TlaValue.Str, TlaValue.ModelValue,
                TlaValue.Set, TlaValue.Seq, TlaValue.Record, TlaValue.Fcn {

    /** Rank of the kind in the total order. */
    int kindRank();

    /** TLC-compatible text of this value (single line). */
    default String print() {
        return TlaValues.print(this);
    }

    @Override
    default int compareTo(TlaValue o) {
        return TlaOrder.compare(this, o);
    }

    // ---------------------------------------------------------------- factories

    static Bool bool(boolean b) {
        return b ? Bool.TRUE : Bool.FALSE;
    }

    static Int integer(long v) {
        return new Int(v);
    }

    static Str str(String s) {
        return new Str(s);
    }

    static ModelValue modelValue(String name) {
        return new ModelValue(name);
    }

    static Set set(TlaValue... elements) {
        return new Set(Arrays.asList(elements));
    }

    static Set set(Collection<? extends TlaValue> elements) {
        return new Set(new ArrayList<>(elements));
    }

    static Seq seq(TlaValue... elements) {
        return new Seq(Arrays.asList(elements));
    }

    static Seq seq(List<? extends TlaValue> elements) {
        return new Seq(new ArrayList<>(elements));
    }

    /** A record; an empty map gives the empty sequence (TLC's empty function). */
    static TlaValue record(Map<String, ? extends TlaValue> fields) {
        if (fields.isEmpty()) {
            return Seq.EMPTY;
        }
        return new Record(new TreeMap<>(fields));
    }

    /** A function, normalized to {@link Seq}, {@link Record} or {@link Fcn}. */
    static TlaValue fcn(Map<? extends TlaValue, ? extends TlaValue> pairs) {
        return TlaOrder.normalizeFunction(pairs);
    }

    // ---------------------------------------------------------------- kinds

    /** TRUE or FALSE. */
    record Bool(boolean value) implements TlaValue {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);

        @Override
        public int kindRank() {
            return 0;
        }

        @Override
        public String toString() {
            return value ? "TRUE" : "FALSE";
        }
    }

    /** An integer (TLC's integers are 32-bit; long is plenty). */
    record Int(long value) implements TlaValue {
        @Override
        public int kindRank() {
            return 1;
        }

        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** A string (unescaped content). */
    record Str(String value) implements TlaValue {
        public Str {
            if (value == null) {
                throw new IllegalArgumentException("string value is null");
            }
        }

        @Override
        public int kindRank() {
            return 2;
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A model value: an uninterpreted constant, printed as a bare identifier. */
    record ModelValue(String name) implements TlaValue {
        public ModelValue {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("model value needs a name");
            }
        }

        @Override
        public int kindRank() {
            return 3;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A finite set; elements sorted and without duplicates. */
    record Set(List<TlaValue> elements) implements TlaValue {
        public static final Set EMPTY = new Set(List.of());

        public Set {
            ArrayList<TlaValue> sorted = new ArrayList<>(elements);
            sorted.sort(null);
            ArrayList<TlaValue> unique = new ArrayList<>(sorted.size());
            for (TlaValue v : sorted) {
                if (v == null) {
                    throw new IllegalArgumentException("set element is null");
                }
                if (unique.isEmpty() || !unique.get(unique.size() - 1).equals(v)) {
                    unique.add(v);
                }
            }
            elements = Collections.unmodifiableList(unique);
        }

        public int size() {
            return elements.size();
        }

        public boolean contains(TlaValue v) {
            return Collections.binarySearch(elements, v) >= 0;
        }

        @Override
        public int kindRank() {
            return 4;
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A sequence (tuple), i.e. a function with domain 1..n. */
    record Seq(List<TlaValue> elements) implements TlaValue {
        public static final Seq EMPTY = new Seq(List.of());

        public Seq {
            for (TlaValue v : elements) {
                if (v == null) {
                    throw new IllegalArgumentException("sequence element is null");
                }
            }
            elements = List.copyOf(elements);
        }

        public int size() {
            return elements.size();
        }

        /** TLA+ indexing: {@code s[i]} for i in 1..Len(s). */
        public TlaValue get(int i) {
            return elements.get(i - 1);
        }

        @Override
        public int kindRank() {
            return 5;
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /** A record: a function with a non-empty domain of strings; fields sorted by name. */
    record Record(SortedMap<String, TlaValue> fields) implements TlaValue {
        public Record {
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("a record needs a field (the empty function is <<>>)");
            }
            TreeMap<String, TlaValue> copy = new TreeMap<>();
            for (Map.Entry<String, TlaValue> e : fields.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("record field or value is null");
                }
                copy.put(e.getKey(), e.getValue());
            }
            fields = Collections.unmodifiableSortedMap(copy);
        }

        public TlaValue get(String field) {
            return fields.get(field);
        }

        @Override
        public int kindRank() {
            return 6;
        }

        @Override
        public String toString() {
            return print();
        }
    }

    /**
     * A function that is neither a sequence nor a record. Pairs sorted by key, keys unique.
     * Use {@link TlaValue#fcn(Map)} to build one from arbitrary pairs.
     */
    record Fcn(SortedMap<TlaValue, TlaValue> pairs) implements TlaValue {
        public Fcn {
            TreeMap<TlaValue, TlaValue> copy = new TreeMap<>();
            for (Map.Entry<TlaValue, TlaValue> e : pairs.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("function key or value is null");
                }
                copy.put(e.getKey(), e.getValue());
            }
            if (TlaOrder.isSequenceDomain(copy.keySet()) || TlaOrder.isRecordDomain(copy.keySet())) {
                throw new IllegalArgumentException(
                        "not canonical: a function with domain 1..n or strings is a Seq or a Record;"
                                + " use TlaValue.fcn(...)");
            }
            pairs = Collections.unmodifiableSortedMap(copy);
        }

        public TlaValue apply(TlaValue key) {
            return pairs.get(key);
        }

        @Override
        public int kindRank() {
            return 7;
        }

        @Override
        public String toString() {
            return print();
        }
    }
}
