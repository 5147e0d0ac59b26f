package dev.devmap.harness;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.mutate.Campaign;
import dev.devmap.harness.mutate.Mutation;
import dev.devmap.harness.scenario.Scenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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

    /**
     * The kinds of "Reference" the full campaign names (22 of 108 at seed 1), one mutation each, with
     * the reason no S or L row applies; judged one by one in hw-harness/README.md. A change that
     * names one of them after an S or L row, or gives another reason, fails here.
     */
    static Stream<Arguments> references() {
        return Stream.of(
                // mmap, writeback, cpu_read declined: the state stays, no L row promises success
                Arguments.of(Mutation.field(Outcome.Answer.DONE, RESULT, 1), "the device declined (error) an operation the protocol allows"),
                Arguments.of(Mutation.field(Outcome.Answer.VALUE, RESULT, 1), "the device declined (error) an operation the protocol allows"),
                // a notice to an importer with no grant the operation revokes
                Arguments.of(Mutation.field(Outcome.Answer.DONE, NOTIFIED, 1), "a superfluous notice takes nothing away"),
                // prepare answered as prepare + commit, the commit allowed right then
                Arguments.of(Mutation.field(Outcome.Answer.PREPARED, RESULT, 1), "the commit is a step the model allows right then"),
                // done where an argument check refuses (EFAULT: not mmapped)
                Arguments.of(Mutation.field(Outcome.Answer.ERROR, RESULT, 1), "an argument check"),
                // settle answered with a kind it does not have
                Arguments.of(Mutation.field(Outcome.Answer.IDLE, RESULT, 1), "is not one the operation has"),
                // a report of a step with nothing to act on
                Arguments.of(Mutation.event(Event.Type.INV_END, DUPLICATE, 1), "a step with nothing to act on"),
                Arguments.of(Mutation.event(Event.Type.DMA_END, DUPLICATE, 1), "a step with nothing to act on"),
                Arguments.of(Mutation.event(Event.Type.REVOKE_ACK, DUPLICATE, 1), "a step with nothing to act on"),
                Arguments.of(Mutation.event(Event.Type.UNPLUG_END, DUPLICATE, 1), "a step with nothing to act on"),
                Arguments.of(Mutation.event(Event.Type.MAP_RETRY, DUPLICATE, 1), "a step with nothing to act on"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void aReferenceRowSaysWhyNoSOrLRowApplies(Mutation m, String reason) {
        Campaign.Result r = Campaign.run(m, suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.CAUGHT);
        assertThat(r.row()).as(r.show()).isEqualTo("Reference");
        assertThat(r.show()).contains("no S or L row: ").contains(reason);
        // and "Reference" is what the mutation's own rule derives, with its reason
        assertThat(r.expected().name()).as(r.show()).isEqualTo("Reference");
        assertThat(r.rightRow()).as(r.show()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sample")
    void theDefaultSuiteCatchesTheMutationWithItsRow(Case c) {
        Campaign.Result r = Campaign.run(c.m(), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.CAUGHT);
        assertThat(r.row()).as(r.show()).isEqualTo(c.row());
        // the row derived from what the mutation changes (Expected), not from the diagnosis
        assertThat(r.expected()).as(r.show()).isNotNull();
        assertThat(r.expected().name()).as(r.show()).isEqualTo(c.row());
        assertThat(r.rightRow()).as(r.show()).isTrue();
        assertThat(r.traceLength()).isPositive();
        // "Reference" only with the stated reason why no S or L row applies
        if (c.row().equals("Reference")) assertThat(r.show()).contains("no S or L row: ");
    }

    /** A catch named after another row than the derived one counts as a wrong row, listed with both. */
    @Test
    void aCatchWithAnotherRowThanTheDerivedOneIsAWrongRow() {
        Campaign.Result right = Campaign.run(Mutation.event(Event.Type.ACK, DROP, 1), suite);
        assertThat(right.rightRow()).as(right.show()).isTrue();
        Campaign.Result planted = new Campaign.Result(right.mutation(), right.status(), "S1_NoStaleBlock", false,
                right.traceLength(), right.scenario(), 0, right.why(), right.expected(), right.tlc(), null);
        assertThat(planted.rightRow()).isFalse();
        assertThat(planted.show()).contains("WRONG ROW: expected " + right.expected().name());
    }

    /**
     * The full campaign (-Ddmap.campaign=true; about a minute idle): every non-equivalent mutation is
     * caught, and each with the row derived from what it mutates.
     */
    @Test
    void theFullCampaignCatchesEveryMutationWithTheRightRow() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("dmap.campaign"), "-Ddmap.campaign=true");
        Campaign.Score s = Campaign.run(Campaign.applicable(suite), suite, r -> { });
        assertThat(s.missed()).as(s.show()).isZero();
        assertThat(s.wrongRow().stream().map(r -> r.mutation().id() + ": " + r.row() + " vs " + r.expected().name()))
                .as(s.show()).isEmpty();
        assertThat(s.rightRow()).isEqualTo(s.mutations() - s.equivalent());
    }

    @Test
    void theInformationalBlocksAreShownEquivalent() {
        Campaign.Result r = Campaign.run(Mutation.field(Outcome.Answer.GRANTED, BLOCKS, 1), suite);
        assertThat(r.status()).as(r.show()).isEqualTo(Campaign.Status.EQUIVALENT);
    }
}
