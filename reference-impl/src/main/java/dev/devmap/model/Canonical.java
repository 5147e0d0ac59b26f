package dev.devmap.model;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The canonical order of a state's sets, as TLC enumerates a set in its canonical order: strings
 * by their characters, records field by field in the spec's field order. A {@link State} keeps its
 * sets in this order, so anything that picks "the first" or "the k-th" element (the harness's
 * seeded random operations, the order of successors and events) is the same in every JVM; the
 * JDK's {@code Set.copyOf} iterates in an order salted per JVM start, and an enum's hash code is an
 * identity hash.
 */
public final class Canonical {
    private Canonical() { }

    private static final Comparator<List<Integer>> BLOCKS = (a, b) -> {
        for (int k = 0; k < Math.min(a.size(), b.size()); k++) {
            int c = Integer.compare(a.get(k), b.get(k));
            if (c != 0) return c;
        }
        return Integer.compare(a.size(), b.size());
    };

    public static final Comparator<Grant> GRANT = Comparator.comparing(Grant::i).thenComparing(Grant::f)
            .thenComparingInt(Grant::lo).thenComparingInt(Grant::hi).thenComparing(Grant::bs, BLOCKS)
            .thenComparing(Grant::w).thenComparing(Grant::at).thenComparing(Grant::pin);

    public static final Comparator<Pending> PENDING = Comparator.comparing(Pending::i).thenComparing(Pending::f)
            .thenComparingInt(Pending::lo).thenComparingInt(Pending::hi).thenComparing(Pending::bs, BLOCKS)
            .thenComparing(Pending::w).thenComparing(Pending::at).thenComparing(Pending::pin)
            .thenComparing(Pending::retry);

    public static final Comparator<Dma> DMA = Comparator.comparing(Dma::i).thenComparing(Dma::f)
            .thenComparingInt(Dma::o).thenComparingInt(Dma::b).thenComparing(d -> d.op().name())
            .thenComparingInt(Dma::v);

    /** An immutable set of these elements that iterates in the given order. */
    public static <T> Set<T> set(Collection<? extends T> elements, Comparator<? super T> order) {
        if (elements instanceof Sorted<?> s && s.order == order) {
            @SuppressWarnings("unchecked") Set<T> same = (Set<T>) s;
            return same;
        }
        switch (elements.size()) {
            case 0: return Set.of();
            case 1: return Set.of(elements.iterator().next());
            default:
                Object[] a = elements.stream().distinct().toArray();
                @SuppressWarnings("unchecked") Comparator<Object> c = (Comparator<Object>) order;
                Arrays.sort(a, c);
                return new Sorted<>(a, order);
        }
    }

    /** Strings in their natural order. */
    public static Set<String> strings(Collection<String> elements) {
        return set(elements, Comparator.<String>naturalOrder());
    }

    /** A small sorted array: contains is a scan (a state's sets hold a handful of elements). */
    private static final class Sorted<T> extends AbstractSet<T> {
        private final Object[] a;
        private final Comparator<?> order;
        private final int hash;

        Sorted(Object[] a, Comparator<?> order) {
            this.a = a;
            this.order = order;
            int h = 0;
            for (Object o : a) h += o.hashCode();
            this.hash = h;
        }

        @Override
        public int size() { return a.length; }

        @Override
        public boolean contains(Object o) {
            for (Object x : a) if (x.equals(o)) return true;
            return false;
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public Iterator<T> iterator() {
            return new Iterator<>() {
                private int k;

                @Override
                public boolean hasNext() { return k < a.length; }

                @Override
                @SuppressWarnings("unchecked")
                public T next() {
                    if (k >= a.length) throw new NoSuchElementException();
                    return (T) a[k++];
                }
            };
        }
    }
}
