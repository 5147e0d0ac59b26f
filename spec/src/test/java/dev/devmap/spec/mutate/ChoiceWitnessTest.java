package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import dev.devmap.spec.tlc.WarmTlcRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kernel choices' witnesses (models.json "witness", the spec's W_ properties): TLC reaches each on
 * its choice's check in the length models.json records, and each mechanical mutant that turns its
 * choice off (a conjunct or disjunct that starts with the choice's {@code Is("...")} or an alias of it,
 * made FALSE) no longer reaches one of them: a choice that breaks no property is killed by its witness. The models keeping every witness is
 * {@code dmap check}'s (every CI model lists them among its properties).
 */
class ChoiceWitnessTest {
    static final Path SPEC_DIR = MutatorTest.SPEC.getParent();
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(SPEC_DIR);
    static WarmTlcRunner tlc;

    @BeforeAll
    static void start() {
        tlc = new WarmTlcRunner(new TlcRunner(), List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        tlc.close();
    }

    @Test
    void everyWitnessIsReachedOnItsChoiceInTheRecordedLength() throws Exception {
        int n = 0;
        for (String c : MANIFEST.choices().keySet()) {
            for (RunPlan w : MANIFEST.planWitnesses(c)) {
                TlcResult r = run(SPEC_DIR, w);
                assertThat(r.outcome()).as(w.name() + ": " + r.errorText()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
                assertThat(r.violated()).as(w.name()).isEqualTo(w.properties().get(0));
                assertThat(r.trace()).as(w.name() + ": the length models.json records").hasSize(w.expect().depth());
                n++;
            }
        }
        assertThat(n).as("witness runs").isEqualTo(11);
        // a choice's own check leaves its witnesses out (it violates them); the models keep them
        assertThat(MANIFEST.planVariant("dax-punch-whole-file").properties()).doesNotContain("W_PunchUnmapsFile");
        for (String m : MANIFEST.modelNames()) {
            if (MANIFEST.model(m).heavy()) continue;
            assertThat(MANIFEST.model(m).properties()).as(m).containsAll(MANIFEST.witnesses());
        }
    }

    @Test
    void aMutantThatTurnsItsChoiceOffReachesNoLongerAWitness() throws Exception {
        String text = Files.readString(SPEC_DIR.resolve("DeviceMap.tla"));
        List<Mutant> all = Mutator.generate(text);
        Map<String, Integer> killedPerChoice = new java.util.TreeMap<>();
        for (String c : MANIFEST.choices().keySet()) {
            List<RunPlan> witnesses = MANIFEST.planWitnesses(c);
            if (witnesses.isEmpty()) continue;
            Map<String, String> off = aliases(text, c);
            // the mechanical mutants whose text is the choice's test (a conjunct or disjunct that starts with
            // it) made "off", and each alias of the choice defined as "off" (an alias is used inside other
            // expressions, where the mutator makes no such mutant)
            Map<String, String> planted = new java.util.LinkedHashMap<>();
            for (Mutant m : all) {
                String to = m.after().replaceAll("^[\\\\/ ]+", "");
                String from = m.before().replaceAll("^[\\\\/ ]+", "");
                if (off.entrySet().stream().anyMatch(e -> from.startsWith(e.getKey()) && to.equals(e.getValue()))) {
                    planted.put(m.describe(), m.apply(text));
                }
            }
            off.forEach((alias, value) -> {
                Matcher d = Pattern.compile("(?m)^" + Pattern.quote(alias) + " == .*$").matcher(text);
                if (!alias.startsWith("Is(") && d.find()) {
                    planted.put(alias + " == " + value, text.substring(0, d.start()) + alias + " == " + value
                            + text.substring(d.end()));
                }
            });
            int killed = 0;
            for (Map.Entry<String, String> m : planted.entrySet()) {
                Path dir = Files.createTempDirectory("witness-mutant");
                Files.writeString(dir.resolve("DeviceMap.tla"), m.getValue());
                Files.copy(SPEC_DIR.resolve("models.json"), dir.resolve("models.json"));
                List<String> reached = new ArrayList<>();
                try {
                    for (RunPlan w : witnesses) {
                        TlcResult r = run(dir, w);
                        if (r.outcome() == TlcResult.Outcome.PROPERTY_VIOLATED && w.properties().contains(r.violated())) {
                            reached.add(r.violated());
                        }
                    }
                } finally {
                    try (var files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
                assertThat(reached).as(m.getKey() + ": turns " + c + " off, yet reaches every witness")
                        .hasSizeLessThan(witnesses.size());
                killed++;
            }
            killedPerChoice.put(c, killed);
        }
        // every choice with a witness has such a mutant: the guard of its code, or an alias's use
        assertThat(killedPerChoice).allSatisfy((c, k) -> assertThat(k).as(c).isPositive());
    }

    /**
     * {@code Is("c")} and the parameterless definitions that are it (FallocBreaks, DaxTag, ...) or its
     * negation (ReflinkWonly), each with the value that turns the choice off: FALSE, TRUE for a negation.
     */
    static Map<String, String> aliases(String text, String choice) {
        String is = "Is(\"" + choice + "\")";
        Map<String, String> out = new java.util.LinkedHashMap<>(Map.of(is, "FALSE"));
        Matcher d = Pattern.compile("(?m)^([A-Za-z_]\\w*) == (~?)" + Pattern.quote(is) + "\\s*$").matcher(text);
        while (d.find()) out.put(d.group(1), d.group(2).isEmpty() ? "FALSE" : "TRUE");
        return out;
    }

    private static TlcResult run(Path specDir, RunPlan p) throws Exception {
        TlcConfig cfg = p.config();
        return tlc.run(TlcJob.builder(specDir, cfg.mainModule(), cfg.cfg()).cfgFileName(cfg.cfgFileName())
                .extraFiles(cfg.extraModules()).workers(1).build(), dev.devmap.spec.tlc.TlcListener.NONE);
    }
}
