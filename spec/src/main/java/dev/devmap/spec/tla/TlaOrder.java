package dev.devmap.spec.tla;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** The total order on values and the normalization of functions. */
final class TlaOrder {
    private TlaOrder() {
    }

    static int compare(TlaValue a, TlaValue b) {
        if (a == b) {
            return 0;
        }
        int k = Integer.compare(a.kindRank(), b.kindRank());
        if (k != 0) {
            return k;
        }
        if (a instanceof TlaValue.Bool x) {
            return Boolean.compare(x.value(), ((TlaValue.Bool) b).value());
        } else if (a instanceof TlaValue.Int x) {
            return Long.compare(x.value(), ((TlaValue.Int) b).value());
        } else if (a instanceof TlaValue.Str x) {
            return x.value().compareTo(((TlaValue.Str) b).value());
        } else if (a instanceof TlaValue.ModelValue x) {
            return x.name().compareTo(((TlaValue.ModelValue) b).name());
        } else if (a instanceof TlaValue.Set x) {
            return compareLists(x.elements(), ((TlaValue.Set) b).elements());
        } else if (a instanceof TlaValue.Seq x) {
            return compareLists(x.elements(), ((TlaValue.Seq) b).elements());
        } else if (a instanceof TlaValue.Record x) {
            return compareMaps(x.fields(), ((TlaValue.Record) b).fields());
        } else {
            return compareMaps(((TlaValue.Fcn) a).pairs(), ((TlaValue.Fcn) b).pairs());
        }
    }

    private static int compareLists(List<TlaValue> a, List<TlaValue> b) {
        int c = Integer.compare(a.size(), b.size());
        for (int i = 0; c == 0 && i < a.size(); i++) {
            c = compare(a.get(i), b.get(i));
        }
        return c;
    }

    private static <K extends Comparable<K>> int compareMaps(SortedMap<K, TlaValue> a, SortedMap<K, TlaValue> b) {
        int c = Integer.compare(a.size(), b.size());
        if (c != 0) {
            return c;
        }
        Iterator<Map.Entry<K, TlaValue>> ia = a.entrySet().iterator();
        Iterator<Map.Entry<K, TlaValue>> ib = b.entrySet().iterator();
        while (ia.hasNext()) {
            Map.Entry<K, TlaValue> ea = ia.next();
            Map.Entry<K, TlaValue> eb = ib.next();
            c = ea.getKey().compareTo(eb.getKey());
            if (c != 0) {
                return c;
            }
        }
        ia = a.entrySet().iterator();
        ib = b.entrySet().iterator();
        while (ia.hasNext()) {
            c = compare(ia.next().getValue(), ib.next().getValue());
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** True when the (sorted) keys are exactly 1..n, n >= 0. */
    static boolean isSequenceDomain(Collection<TlaValue> sortedKeys) {
        long expect = 1;
        for (TlaValue k : sortedKeys) {
            if (!(k instanceof TlaValue.Int i) || i.value() != expect) {
                return false;
            }
            expect++;
        }
        return true;
    }

    /** True when there is at least one key and all keys are strings. */
    static boolean isRecordDomain(Collection<TlaValue> keys) {
        if (keys.isEmpty()) {
            return false;
        }
        for (TlaValue k : keys) {
            if (!(k instanceof TlaValue.Str)) {
                return false;
            }
        }
        return true;
    }

    static TlaValue normalizeFunction(Map<? extends TlaValue, ? extends TlaValue> pairs) {
        TreeMap<TlaValue, TlaValue> sorted = new TreeMap<>();
        for (Map.Entry<? extends TlaValue, ? extends TlaValue> e : pairs.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("function key or value is null");
            }
            sorted.put(e.getKey(), e.getValue());
        }
        if (isSequenceDomain(sorted.keySet())) {
            return new TlaValue.Seq(List.copyOf(sorted.values()));
        }
        if (isRecordDomain(sorted.keySet())) {
            TreeMap<String, TlaValue> fields = new TreeMap<>();
            for (Map.Entry<TlaValue, TlaValue> e : sorted.entrySet()) {
                fields.put(((TlaValue.Str) e.getKey()).value(), e.getValue());
            }
            return new TlaValue.Record(fields);
        }
        return new TlaValue.Fcn(sorted);
    }
}
