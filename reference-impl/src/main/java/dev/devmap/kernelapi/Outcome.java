package dev.devmap.kernelapi;

import java.util.Set;
import java.util.TreeSet;

/**
 * What an operation visibly did: the part of the result an observer (a program, a device, an agent)
 * can see and the oracle compares. Details that are not compared (block numbers, DMA addresses,
 * errno, messages) travel beside it in {@link Semantics.Result} and in the harness's responses.
 *
 * @param kind     the kind of result
 * @param reason   REFUSED: the refusal reason (the spec's {@code Reasons}); else null
 * @param value    a value read (VALUE) or written (DONE of a write); else null
 * @param path     for accesses: the path taken; else null
 * @param notified DONE/STARTED of an operation that invalidates (or unplugs): the importers told to
 *                 invalidate (or to give their mappings back); else null
 * @param bar      BAR pages the exporter accounts as used after the operation; null when not observed
 */
public record Outcome(Answer kind, String reason, Integer value, Path path, Set<String> notified, Integer bar) {
    public enum Answer {
        /** The operation took effect (an invalidating one: its change is applied). */
        DONE("done"),
        /** An invalidation started; the change waits for the acknowledgements of {@code notified}. */
        STARTED("started"),
        /** An invalidation of the range is running: the operation must wait; nothing changed. */
        WAIT("wait"),
        /** EBUSY: a pin, a prepared map or a DMA in flight is in the way; nothing changed. */
        BUSY("busy"),
        /** A value was read. */
        VALUE("value"),
        /** device_map granted; the driver holds the result until it commits. */
        PREPARED("prepared"),
        /** The mapping is live (committed). */
        GRANTED("granted"),
        /** device_map refused with a reason. */
        REFUSED("refused"),
        /** The sequence count moved since device_map: the driver dropped the result. */
        RETRY("retry"),
        /** The operation failed (errno); nothing changed. */
        ERROR("error"),
        /** The system has nothing left to do by itself. */
        IDLE("idle");

        private final String wire;

        Answer(String wire) { this.wire = wire; }

        public String wire() { return wire; }

        public static Answer of(String wire) {
            for (Answer k : values()) if (k.wire.equals(wire)) return k;
            throw new IllegalArgumentException("unknown result '" + wire + "'");
        }
    }

    /** The path of an access: through a direct mapping, or the fallback through the page cache or a pinned block. */
    public enum Path {
        DIRECT("direct"), PAGE_CACHE("page-cache"), BLOCK("block");

        private final String wire;

        Path(String wire) { this.wire = wire; }

        public String wire() { return wire; }

        public boolean direct() { return this == DIRECT; }

        public static Path of(String wire) {
            for (Path p : values()) if (p.wire.equals(wire)) return p;
            throw new IllegalArgumentException("unknown path '" + wire + "'");
        }
    }

    public Outcome {
        notified = notified == null ? null : dev.devmap.model.Canonical.strings(notified);
    }

    public static Outcome of(Answer k) { return new Outcome(k, null, null, null, null, null); }

    public Outcome withBar(Integer b) { return new Outcome(kind, reason, value, path, notified, b); }

    public Outcome withValue(Integer v) { return new Outcome(kind, reason, value == null && v == null ? null : v, path, notified, bar); }

    public Outcome withPath(Path p) { return new Outcome(kind, reason, value, p, notified, bar); }

    public Outcome withNotified(Set<String> n) { return new Outcome(kind, reason, value, path, n, bar); }

    public Outcome withReason(String r) { return new Outcome(kind, r, value, path, notified, bar); }

    public String show() {
        StringBuilder sb = new StringBuilder(kind.wire());
        if (reason != null) sb.append(' ').append(reason);
        if (value != null) sb.append(" value=").append(value);
        if (path != null) sb.append(" path=").append(path.wire());
        if (notified != null && !notified.isEmpty()) sb.append(" notified=").append(new TreeSet<>(notified));
        if (bar != null) sb.append(" bar=").append(bar);
        return sb.toString();
    }

    @Override
    public String toString() { return show(); }
}
