package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mutant the models cannot tell from the original is run on the variants' own checks: code that only
 * a variant runs is killed there when the variant's verdict changes.
 */
class VariantTeethTest {
    @Test
    void codeOnlyAVariantRunsIsKilledByThatVariantsCheck() throws Exception {
        MutationRunner off = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        MutationRunner on = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true);
        assertThat(off.variantPlans()).isEmpty();
        assertThat(on.variantPlans()).extracting(p -> p.name()).containsExactly("small", "stuck");
        List<Mutant> ms = Mutator.generate(on.originalText());
        // Stop == x = N /\ Variant = "stuck" /\ UNCHANGED vars: only the variant stuck gets past its second
        // conjunct; without UNCHANGED vars its step leaves every variable unassigned
        Mutant dead = ms.stream().filter(m -> m.definition().equals("Stop") && m.before().equals("UNCHANGED vars")
                && m.after().equals("TRUE")).findFirst().orElseThrow();

        MutationRunner.Result without = off.run(List.of(dead), 1, r -> { }).get(0);
        assertThat(without.verdict()).isEqualTo(MutationRunner.Verdict.UNREACHABLE);

        MutationRunner.Result with = on.run(List.of(dead), 1, r -> { }).get(0);
        assertThat(with.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(with.model()).isEqualTo("variant stuck");
        assertThat(with.property()).startsWith("variant stuck: TLC error")
                .endsWith("(the original: violates EventuallyZero)");
        assertThat(with.digest()).startsWith(without.digest() + "/");
    }

    @Test
    void theChecksOfAVariantTheMutatedLineNamesRunFirstThenTheCheapest() throws Exception {
        MutationRunner on = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true);
        String text = on.originalText();
        Mutant dead = Mutator.generate(text).stream().filter(m -> m.definition().equals("Stop")
                && m.before().equals("UNCHANGED vars") && m.after().equals("TRUE")).findFirst().orElseThrow();
        VariantScope scope = new VariantScope(text);
        // Stop == x = N /\ Variant = "stuck" /\ UNCHANGED vars: its line names stuck
        java.util.Set<String> near = scope.namedNear(dead.start(), dead.end());
        assertThat(near).containsExactly("stuck");
        java.util.Map<String, Double> seconds = java.util.Map.of("small", 1.0, "stuck", 9.0);
        assertThat(MutationRunner.promisingFirst(on.variantPlans(), seconds,
                v -> scope.names(near, v))).extracting(p -> p.name())
                .containsExactly("stuck", "small");
        // nothing named: the cheapest first, whatever the manifest's order
        assertThat(MutationRunner.promisingFirst(on.variantPlans(), java.util.Map.of("small", 5.0, "stuck", 2.0),
                v -> false)).extracting(p -> p.name()).containsExactly("stuck", "small");
    }

    @Test
    void aResumedUnreachableRowRunsOnlyTheVariantsChecks(@TempDir Path cache) throws Exception {
        MutationRunner off = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3));
        MutationRunner on = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true)
                .originalsCache(cache);
        Mutant dead = Mutator.generate(on.originalText()).stream().filter(m -> m.definition().equals("Stop")
                && m.before().equals("UNCHANGED vars") && m.after().equals("TRUE")).findFirst().orElseThrow();
        MutationRunner.Result old = off.run(List.of(dead), 1, r -> { }).get(0);
        List<String> progress = new java.util.ArrayList<>();
        MutationRunner.Result again = on.run(List.of(dead), 1, java.util.Map.of(dead.name(), old), r -> { },
                progress::add).get(0);
        assertThat(again.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(progress.get(0)).contains("1 unreachable or survived ones to run on the variants' checks");
        // each original on a variant's check computed is one line: a long stage is never silent
        assertThat(progress).anySatisfy(l -> assertThat(l).startsWith("variants' checks: the original on stuck: violates EventuallyZero")
                .contains(" of 2 computed, "));
        // and its killed row, with the variants' digest, is taken as it is the next time
        List<String> third = new java.util.ArrayList<>();
        on.run(List.of(dead), 1, java.util.Map.of(dead.name(), again), r -> { }, third::add);
        assertThat(third.get(0)).startsWith("1 verdicts reused from the table, 0 to run");
        // another run (a new runner: nothing in memory) takes the originals from the cache, same verdict
        MutationRunner later = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true)
                .originalsCache(cache);
        List<String> fourth = new java.util.ArrayList<>();
        MutationRunner.Result cached = later.run(List.of(dead), 1, java.util.Map.of(dead.name(), old), r -> { },
                fourth::add).get(0);
        assertThat(cached.verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(cached.property()).isEqualTo(again.property());
        assertThat(fourth).anySatisfy(l -> assertThat(l).startsWith("variants' checks: the original on stuck: violates EventuallyZero")
                .contains("kept from an earlier run in " + cache));
        // a damaged file is computed again, not trusted
        try (var fs = java.nio.file.Files.list(cache)) {
            for (Path f : fs.toList()) java.nio.file.Files.writeString(f, "original\tholds\n");
        }
        List<String> fifth = new java.util.ArrayList<>();
        MutationRunner damaged = new MutationRunner(MutatorTest.TOY, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, true)
                .originalsCache(cache);
        assertThat(damaged.run(List.of(dead), 1, java.util.Map.of(dead.name(), old), r -> { }, fifth::add).get(0).verdict())
                .isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(fifth).noneMatch(l -> l.contains("kept from an earlier run"));
    }

    /**
     * A counter that counts to Limit and back, and notes once in y the value 1: Limit's IF flipped
     * counts to 1 on the model (4 states, not 6; every action taken, its properties hold: survived)
     * and to 2 in the variant stuck, which must break L2_Two; Note without x = 1 notes 2 as well on
     * the model (9 states) and changes nothing the variant's check decides.
     */
    private static MutationRunner survivors(Path dir, boolean variants) throws Exception {
        Files.writeString(dir.resolve("Surv.tla"), String.join("\n",
                "------------------------------- MODULE Surv -------------------------------",
                "EXTENDS Naturals",
                "CONSTANTS N, Variant",
                "VARIABLES x, y",
                "vars == <<x, y>>",
                "Init == x = 0 /\\ y = 0",
                "Limit == IF Variant = \"stuck\" THEN 1 ELSE N",
                "Inc == x < Limit /\\ x' = x + 1 /\\ UNCHANGED y",
                "Back == x = Limit /\\ x' = 0 /\\ UNCHANGED y",
                "Note == y = 0 /\\ x = 1 /\\ y' = x /\\ UNCHANGED x",
                "Next == Inc \\/ Back \\/ Note",
                "Spec == Init /\\ [][Next]_vars",
                "FairSpec == Spec /\\ WF_vars(Inc) /\\ WF_vars(Back)",
                "TypeOK == x \\in 0..N /\\ y \\in 0..N",
                "L1_Zero == []<>(x = 0)",
                "L2_Two == <>(x = 2)",
                "=============================================================================", ""));
        Files.writeString(dir.resolve("models.json"), "{\"spec\": \"Surv\", \"models\": {\"ci\": {\"constants\": "
                + "{\"N\": 2, \"Variant\": \"none\"}, \"invariants\": [\"TypeOK\"], \"properties\": [\"L1_Zero\"], "
                + "\"heavy\": false, \"expect\": {\"outcome\": \"ok\", \"distinct\": 6}}}, \"variants\": {\"stuck\": "
                + "{\"base\": \"ci\", \"violates\": \"L2_Two\", \"kind\": \"property\", \"why\": \"the counter stops at 1\"}}}");
        return new MutationRunner(dir, List.of("ci"), 1000, Duration.ofMinutes(3), false, true, variants);
    }

    private static Mutant pick(MutationRunner r, String definition, String kind, String before) {
        return Mutator.generate(r.originalText()).stream().filter(m -> m.definition().equals(definition)
                && m.kind().equals(kind) && m.before().equals(before)).findFirst().orElseThrow();
    }

    @Test
    void aSurvivorOfTheModelsIsKilledByAVariantsCheck(@TempDir Path dir) throws Exception {
        MutationRunner off = survivors(dir, false);
        MutationRunner on = survivors(dir, true);
        Mutant flip = pick(on, "Limit", "flip-if", "Variant = \"stuck\"");
        Mutant note = pick(on, "Note", "drop-inline-conjunct", "x = 1");

        List<MutationRunner.Result> without = off.run(List.of(flip, note), 1, r -> { });
        assertThat(without).extracting(MutationRunner.Result::verdict)
                .containsExactly(MutationRunner.Verdict.SURVIVED, MutationRunner.Verdict.SURVIVED);
        assertThat(without.get(0).distinct()).containsEntry("ci", 4L);
        assertThat(without.get(1).distinct()).containsEntry("ci", 9L);

        List<MutationRunner.Result> with = on.run(List.of(flip, note), 1, r -> { });
        assertThat(with.get(0).verdict()).isEqualTo(MutationRunner.Verdict.KILLED);
        assertThat(with.get(0).model()).isEqualTo("variant stuck");
        assertThat(with.get(0).property()).isEqualTo("variant stuck: holds (the original: violates L2_Two)");
        // the check gives the original's verdict: survived as the models left it, with the variants' digest
        assertThat(with.get(1).verdict()).isEqualTo(MutationRunner.Verdict.SURVIVED);
        assertThat(with.get(1).model()).isEqualTo("ci");
        assertThat(with.get(1).property()).isNull();
        assertThat(with.get(1).digest()).startsWith(without.get(1).digest() + "/");
    }

    @Test
    void aResumedSurvivedRowRunsOnlyTheVariantsChecks(@TempDir Path dir) throws Exception {
        MutationRunner off = survivors(dir, false);
        MutationRunner on = survivors(dir, true);
        Mutant flip = pick(on, "Limit", "flip-if", "Variant = \"stuck\"");
        Mutant note = pick(on, "Note", "drop-inline-conjunct", "x = 1");
        // rows as a table without the variant stage has them (a survivor's row keeps no state counts), and
        // note's as one where the stage ran on other variants' checks (another digest after the slash)
        java.util.Map<String, MutationRunner.Result> table = new java.util.HashMap<>();
        for (MutationRunner.Result r : off.run(List.of(flip, note), 1, r -> { })) {
            table.put(r.mutant().name(), new MutationRunner.Result(r.mutant(), r.verdict(), r.model(), r.property(),
                    r.steps(), java.util.Map.of(), r.seconds(), r.digest() + (r.mutant().equals(note) ? "/00000000" : "")));
        }
        List<String> progress = new java.util.ArrayList<>();
        List<MutationRunner.Result> again = on.run(List.of(flip, note), 1, table, r -> { }, progress::add);
        assertThat(progress.get(0)).startsWith("0 verdicts reused from the table, 0 to run, "
                + "2 unreachable or survived ones to run on the variants' checks");
        assertThat(again).extracting(MutationRunner.Result::verdict)
                .containsExactly(MutationRunner.Verdict.KILLED, MutationRunner.Verdict.SURVIVED);
        assertThat(again.get(1).model()).isEqualTo("ci");
        // both rows now carry the variants' digest: the next run takes them as they are
        java.util.Map<String, MutationRunner.Result> next = new java.util.HashMap<>();
        for (MutationRunner.Result r : again) next.put(r.mutant().name(), r);
        List<String> third = new java.util.ArrayList<>();
        on.run(List.of(flip, note), 1, next, r -> { }, third::add);
        assertThat(third.get(0)).isEqualTo("2 verdicts reused from the table, 0 to run");
    }

    @Test
    void onlyAWholeGraphsStateCountTellsAnotherGraph() {
        // a check stopped at a violation: its count depends on TLC's order of values, not on the graph
        assertThat(MutationRunner.reachesOther("violates S5_CacheExclusion", 6097, 9, 6111, 9)).isFalse();
        assertThat(MutationRunner.reachesOther("violates S5_CacheExclusion", 6097, 9, 6097, 8)).isTrue();
        // a check that held ran the whole graph: another count is another graph
        assertThat(MutationRunner.reachesOther("holds", 57814, 0, 57820, 0)).isTrue();
        assertThat(MutationRunner.reachesOther("holds", 57814, 0, 57814, 0)).isFalse();
        // a liveness counterexample is some lasso, not the shortest: its length is the walk's, not the graph's
        assertThat(MutationRunner.reachesOther("violates L5_UnplugFinishes", 664, 9, 664, 11)).isFalse();
        assertThat(MutationRunner.reachesOther("violates a temporal property", 664, 9, 664, 11)).isFalse();
    }

    @Test
    void aRowOfTheVariantStagesEarlierRulesIsJudgedAgain(@TempDir Path dir) throws Exception {
        MutationRunner on = survivors(dir, true);
        Mutant note = pick(on, "Note", "drop-inline-conjunct", "x = 1");
        MutationRunner.Result now = on.run(List.of(note), 1, r -> { }).get(0);
        String models = now.digest().substring(0, now.digest().indexOf('/'));
        // the same row under the digest the stage gave before version 2 of its rules (survivors not run on
        // the variants' checks, counts of stopped checks compared): judged again, its models' part stands
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        for (var p : on.variantPlans()) {
            md.update((p.name() + p.constants() + p.invariants() + p.properties()).getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        String before = models + "/" + java.util.HexFormat.of().formatHex(md.digest(), 0, 4);
        assertThat(now.digest()).isNotEqualTo(before);
        MutationRunner.Result old = new MutationRunner.Result(note, now.verdict(), now.model(), null, 0,
                java.util.Map.of(), now.seconds(), before);
        List<String> progress = new java.util.ArrayList<>();
        on.run(List.of(note), 1, java.util.Map.of(note.name(), old), r -> { }, progress::add);
        assertThat(progress.get(0)).isEqualTo("0 verdicts reused from the table, 0 to run, "
                + "1 unreachable or survived ones to run on the variants' checks");
        // a survivor of the variant stage itself (on a variant's check) has lost its models' part: run again
        MutationRunner.Result onCheck = new MutationRunner.Result(note, MutationRunner.Verdict.SURVIVED,
                "variant stuck", null, 0, java.util.Map.of(), 1.0, models);
        progress.clear();
        on.run(List.of(note), 1, java.util.Map.of(note.name(), onCheck), r -> { }, progress::add);
        assertThat(progress.get(0)).isEqualTo("0 verdicts reused from the table, 1 to run");
    }

    @Test
    void aKernelChoiceIsCheckedForWhatItKeepsAndForEachPropertyItBreaks() {
        var manifest = dev.devmap.spec.model.Manifest.loadFromSpecDir(MutatorTest.SPEC.getParent());
        List<dev.devmap.spec.model.RunPlan> checks = MutationRunner.variantChecks(manifest, "pagecache-acks-with-dma", 10_000);
        assertThat(checks).extracting(p -> p.name()).containsExactly("pagecache-acks-with-dma keeps",
                "pagecache-acks-with-dma breaks S1_NoStaleBlock", "pagecache-acks-with-dma breaks S2_InvalidateBeforeLayoutChange",
                "pagecache-acks-with-dma breaks S13_ReadsLastWrite");
        var keeps = checks.get(0);
        assertThat(keeps.invariants()).contains("TypeOK", "S3_NoEstablishDuringInvalidate", "S14_RefusalOrder")
                .doesNotContain("S1_NoStaleBlock");
        // its base is ci (57,814 states): the kept step properties, not the kept liveness ones
        assertThat(keeps.properties()).contains("S11_PinLifetime").doesNotContain("L1_InvalidationEnds", "S2_InvalidateBeforeLayoutChange");
        assertThat(checks.get(1).invariants()).containsExactly("TypeOK", "S1_NoStaleBlock");
        assertThat(checks.get(2).properties()).containsExactly("S2_InvalidateBeforeLayoutChange");
        // a choice that breaks nothing: its keeps check and a check for each witness, which the choice must reach
        List<dev.devmap.spec.model.RunPlan> dax = MutationRunner.variantChecks(manifest, "dax-munmap-acks-with-dma", 10_000);
        assertThat(dax).extracting(p -> p.name()).containsExactly("dax-munmap-acks-with-dma keeps",
                "dax-munmap-acks-with-dma witness W_MunmapAcksWithDma", "dax-munmap-acks-with-dma witness W_WaitsForPageRef");
        assertThat(dax.get(0).properties()).doesNotContain("W_MunmapAcksWithDma", "W_WaitsForPageRef");
        assertThat(dax.get(1).properties()).containsExactly("W_MunmapAcksWithDma");
        // a known mistake: the run dmap check --variant makes
        assertThat(MutationRunner.variantChecks(manifest, "no-ack-wait", 10_000)).extracting(p -> p.name())
                .containsExactly("no-ack-wait");
    }

    @Test
    void aDefinitionThatAlwaysRunsConcernsTheVariantsItNames() throws Exception {
        String spec = Files.readString(MutatorTest.SPEC);
        VariantScope s = new VariantScope(spec);
        assertThat(s.members("fs-dax")).contains("fs-dax", "clone-hole", "dax-punch-whole-file");
        assertThat(s.members("no-ack-wait")).containsExactly("no-ack-wait");
        assertThat(s.concerns("WholeFile", "dax-punch-whole-file")).isTrue();
        assertThat(s.concerns("WholeFile", "fs-dax")).isTrue();          // a member of it
        assertThat(s.concerns("WholeFile", "no-ack-wait")).isFalse();
        assertThat(s.concerns("WholeFile", "page-cache")).isFalse();     // not among its eight
        // through an alias without parameters: DevVal names no variant, MirrorsCache does
        assertThat(s.concerns("DevVal", "pagecache-mirror-maps-cache")).isTrue();
        assertThat(s.concerns("DevVal", "no-ack-wait")).isFalse();       // Is and Combines pass nothing on
    }
}
