package dev.devmap.harness.mutate;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import java.util.Locale;

/**
 * One systematic change to the reference device's answers, applied at the {@code occurrence}-th
 * place it fits in each scenario (counted from the reset): a field of one answer kind, or an event
 * kind dropped, duplicated, delayed to the next answer, reordered or forged.
 *
 * @param answer     for a field mutation: the answer kind whose field changes; else null
 * @param field      for a field mutation: the field; else null
 * @param event      for an event mutation: the event kind; else null
 * @param how        for an event mutation: what happens to it; else null
 * @param occurrence 1 = the first place it fits in a scenario, 2 = the second
 */
public record Mutation(Outcome.Answer answer, Field field, Event.Type event, EventChange how, int occurrence) {
    /** The fields of an answer. */
    public enum Field { RESULT, REASON, VALUE, PATH, NOTIFIED, BAR, ADDRS, BLOCKS, DMABUF }

    /** What happens to an event. */
    public enum EventChange { DROP, DUPLICATE, DELAY, REORDER, FORGE }

    public static Mutation field(Outcome.Answer k, Field f, int occurrence) { return new Mutation(k, f, null, null, occurrence); }

    public static Mutation event(Event.Type k, EventChange how, int occurrence) {
        return new Mutation(null, null, k, how, occurrence);
    }

    public boolean onEvent() { return event != null; }

    /** e.g. {@code granted.addrs@1} or {@code event.ack.delay@2}. */
    public String id() {
        return (onEvent() ? "event." + event.wire() + "." + how.name().toLowerCase(Locale.ROOT)
                : answer.wire() + "." + field.name().toLowerCase(Locale.ROOT)) + "@" + occurrence;
    }
}
