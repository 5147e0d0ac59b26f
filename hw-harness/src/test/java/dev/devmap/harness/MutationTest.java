package dev.devmap.harness;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.mutate.Campaign;
import dev.devmap.harness.mutate.Mutation;
import dev.devmap.harness.scenario.Scenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static dev.devmap.harness.mutate.Mutation.EventChange.*;
import static dev.devmap.harness.mutate.Mutation.Field.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixed sample of the mutation campaign that runs in mvn verify: each mutation is caught by the
 * default suite and named after the row it breaks. The full campaign: {@code dmap conform --mutate}.
 */
class MutationTest {
    static List<Scenario> suite;

    @BeforeAll
    static void suite() { suite = Campaign.suite(); }

    record Case(Mutation m, String row) {
        @Override
        public String toString() { return m.id() + " -> " + row; }
    }

    /**
     * The fixed sample: one mutation per way of naming a row (a skipped refusal, a refusal's order,
     * a guard the device went past, a path, a hidden importer, an event's guard, a forged event set
     * aside, a liveness debt, a harness-only check) and two "Reference" rows with their reason.
     */
    static Stream<Case> sample() {
        return Stream.of(
                new Case(Mutation.field(Outcome.Answer.VALUE, VALUE, 2), "S5_CacheExclusion"),
                new Case(Mutation.field(Outcome.Answer.GRANTED, ADDRS, 1), "S9_BarAccounting"),
                new Case(Mutation.field(Outcome.Answer.GRANTED, DMABUF, 1), "S11_PinLifetime"),
                new Case(Mutation.field(Outcome.Answer.REFUSED, RESULT, 1), "S10_Capability"),
                new Case(Mutation.field(Outcome.Answer.REFUSED, REASON, 1), "S14_RefusalOrder"),
                new Case(Mutation.field(Outcome.Answer.GRANTED, RESULT, 1), "S14_RefusalOrder"),
                // evict of a dirty page is advice (done), so the first busy answer is an ack waiting for a DMA
                new Case(Mutation.field(Outcome.Answer.BUSY, RESULT, 1), "S1_NoStaleBlock"),
                new Case(Mutation.field(Outcome.Answer.BUSY, RESULT, 2), "S7_PinFreeze"),
                new Case(Mutation.field(Outcome.Answer.RETRY, RESULT, 1), "S3_NoEstablishDuringInvalidate"),
                new Case(Mutation.field(Outcome.Answer.DONE, PATH, 1), "S5_CacheExclusion"),
                new Case(Mutation.field(Outcome.Answer.STARTED, NOTIFIED, 1), "S5_CacheExclusion"),
                new Case(Mutation.event(Event.Type.INV_END, DROP, 1), "S3_NoEstablishDuringInvalidate"),
                new Case(Mutation.event(Event.Type.DMA_END, DELAY, 1), "S1_NoStaleBlock"),
                new Case(Mutation.event(Event.Type.ACK, FORGE, 2), "S4_AckBeforeProceed"),
                new Case(Mutation.event(Event.Type.MAP_RETRY, DROP, 1), "L3_RetryTerminates"),
                new Case(Mutation.event(Event.Type.ACK, DUPLICATE, 1), "Reference"),
                new Case(Mutation.field(Outcome.Answer.DONE, RESULT, 1), "Reference"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void theDefaultSuiteCatchesTheMutationWithItsRow(Case c) {
        Campaign.Result r = Campaign.run(c.m(), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.CAUGHT);
        assertThat(r.row()).as(r.show()).isEqualTo(c.row());
        assertThat(r.traceLength()).isPositive();
        // "Reference" only with the stated reason why no S or L row applies
        if (c.row().equals("Reference")) assertThat(r.show()).contains("no S or L row: ");
    }

    @Test
    void theInformationalBlocksAreShownEquivalent() {
        Campaign.Result r = Campaign.run(Mutation.field(Outcome.Answer.GRANTED, BLOCKS, 1), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.EQUIVALENT);
    }
}
