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

    static Stream<Case> sample() {
        return Stream.of(
                new Case(Mutation.field(Outcome.Answer.VALUE, VALUE, 2), "S5_CacheExclusion"),
                new Case(Mutation.field(Outcome.Answer.GRANTED, ADDRS, 1), "S9_BarAccounting"),
                new Case(Mutation.field(Outcome.Answer.GRANTED, DMABUF, 1), null),
                new Case(Mutation.field(Outcome.Answer.REFUSED, RESULT, 1), "S10_Capability"),
                new Case(Mutation.field(Outcome.Answer.BUSY, RESULT, 1), null),
                new Case(Mutation.field(Outcome.Answer.STARTED, NOTIFIED, 1), "S5_CacheExclusion"),
                new Case(Mutation.event(Event.Type.INV_END, DROP, 1), null),
                new Case(Mutation.event(Event.Type.DMA_END, DELAY, 1), null),
                new Case(Mutation.event(Event.Type.ACK, FORGE, 2), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void theDefaultSuiteCatchesTheMutationWithItsRow(Case c) {
        Campaign.Result r = Campaign.run(c.m(), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.CAUGHT);
        if (c.row() != null) assertThat(r.row()).as(r.show()).isEqualTo(c.row());
        assertThat(r.traceLength()).isPositive();
    }

    @Test
    void theInformationalBlocksAreShownEquivalent() {
        Campaign.Result r = Campaign.run(Mutation.field(Outcome.Answer.GRANTED, BLOCKS, 1), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.EQUIVALENT);
    }
}
