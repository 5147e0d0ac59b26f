package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;
import dev.devmap.spec.model.TlcConfig;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * S18_RefusalHasNoEffect catches a planted bug no other property sees: the mechanical mutant that
 * drops FaultsFirst's {@code Is("dax-exclusive-faults-first")} (every refused ATOMIC map then tags
 * its pages wherever the DAX dirty tag exists) is violated first, on the kernel choice
 * dax-writeback-mkclean, by S18, the last invariant TLC checks (every other invariant holds on the
 * way); the original spec keeps every invariant there, S18 included. (M583 of ./dmap mutate --list.)
 */
class RefusalEffectMutantTest {
    static final Path SPEC_DIR = MutatorTest.SPEC.getParent();

    @Test
    void s18KillsFaultsFirstWithoutItsChoice() throws Exception {
        String text = Files.readString(SPEC_DIR.resolve("DeviceMap.tla"));
        List<Mutant> found = Mutator.generate(text).stream()
                .filter(m -> m.definition().equals("FaultsFirst") && m.kind().equals("drop-conjunct")
                        && m.before().equals("/\\ Is(\"dax-exclusive-faults-first\")"))
                .toList();
        assertThat(found).as("FaultsFirst's first conjunct, dropped").hasSize(1);
        Path dir = Files.createTempDirectory("s18-mutant");
        Files.writeString(dir.resolve("DeviceMap.tla"), found.get(0).apply(text));
        Files.copy(SPEC_DIR.resolve("models.json"), dir.resolve("models.json"));

        TlcResult mutant = check(dir);
        assertThat(mutant.outcome()).as("%s", mutant.errorText()).isEqualTo(TlcResult.Outcome.INVARIANT_VIOLATED);
        assertThat(mutant.violated()).isEqualTo("S18_RefusalHasNoEffect");
        TlcResult original = check(SPEC_DIR);
        assertThat(original.outcome()).as("%s", original.errorText()).isEqualTo(TlcResult.Outcome.OK);
    }

    /** The safety part of dax-writeback-mkclean's run (its invariants: S18 among them). */
    private static TlcResult check(Path specDir) throws Exception {
        RunPlan full = Manifest.loadFromSpecDir(specDir).planVariant("dax-writeback-mkclean");
        RunPlan plan = new RunPlan(full.name(), full.spec(), full.constants(), full.invariants(), List.of(),
                full.expect(), full.model(), full.variant());
        TlcConfig cfg = plan.config();
        return new TlcRunner().run(TlcJob.builder(specDir, cfg.mainModule(), cfg.cfg())
                .cfgFileName(cfg.cfgFileName()).extraFiles(cfg.extraModules()).workers(1).build());
    }
}
