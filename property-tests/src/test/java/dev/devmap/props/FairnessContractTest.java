package dev.devmap.props;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.Liveness;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java model's fairness and liveness names against the spec: each weakly fair action of
 * {@code Liveness.FAIR} is a {@code WF_vars} conjunct of the spec's FairSpec, quantified as FairSpec
 * quantifies it; its instances are the fair actions the explorers use; the leads-to properties are
 * named as the spec names them (L1 .. L6).
 */
class FairnessContractTest {
    @Test
    void theFairActionsAreFairSpecsAndTheirInstancesTheExplorers() throws Exception {
        String spec = Files.readString(Specs.specDir().resolve("DeviceMap.tla"));
        String fairSpec = spec.substring(spec.indexOf("FairSpec =="), spec.indexOf("(* Safety properties"));
        Constants c = Specs.model("large");   // two importers: the quantifiers show
        List<Action> all = new ArrayList<>();
        for (Liveness.Fair f : Liveness.FAIR) {
            String wf = switch (f.over()) {
                case NOTHING -> "WF_vars(" + f.operator() + ")";
                case IMPORTER -> "WF_vars(" + f.operator() + "(i))";
                case FILE -> "WF_vars(" + f.operator() + "(f))";
                case IMPORTER_FILE -> "WF_vars(" + f.operator() + "(i, f))";
            };
            assertThat(fairSpec).as(f.operator()).contains(wf);
            List<Action> xs = f.instances(c);
            int n = switch (f.over()) {
                case NOTHING -> 1;
                case IMPORTER -> c.importers().size();
                case FILE -> c.files().size();
                case IMPORTER_FILE -> c.importers().size() * c.files().size();
            };
            assertThat(xs).as(f.operator()).hasSize(n).allSatisfy(a -> {
                assertThat(a.name()).isEqualTo(f.operator());
                assertThat(Liveness.isFair(a)).isTrue();
            });
            all.addAll(xs);
        }
        assertThat(fairSpec.split("WF_vars", -1)).hasSize(Liveness.FAIR.size() + 1);   // no other fair action
        assertThat(new HashSet<>(Liveness.fairActions(c))).isEqualTo(new HashSet<>(all));
        assertThat(Liveness.fairActions(c)).hasSameSizeAs(all);
        assertThat(Liveness.isFair(new Action.Mmap("f1"))).isFalse();
        assertThat(Liveness.isFair(new Action.InvEnd("f1"))).isTrue();
        String text = Liveness.fairTla("  ");
        assertThat(text.split("\n")).hasSize(Liveness.FAIR.size())
                .allSatisfy(l -> assertThat(l).startsWith("  \\/ "));
        assertThat(text).contains("\\E i \\in Importers, f \\in Files : InvAck(i, f)", "\\E f \\in Files : InvEnd(f)",
                "\\/ UnplugEnd", "\\E i \\in Importers : DmaEnd(i)");
    }

    @Test
    void theLeadsToPropertiesAreTheSpecsL1ToL6() throws Exception {
        String spec = Files.readString(Specs.specDir().resolve("DeviceMap.tla"));
        for (Liveness.LeadsTo l : Liveness.LeadsTo.values()) {
            assertThat(spec).contains("\n" + l.name() + " ");
            assertThat(l.id()).isEqualTo(l.name().substring(0, 2)).matches("L[1-6]");
            assertThat(Liveness.LeadsTo.of(l.name())).isSameAs(l);
            assertThat(Liveness.LeadsTo.of(l.id())).isSameAs(l);
        }
        assertThatThrownBy(() -> Liveness.LeadsTo.of("L7")).hasMessageContaining("unknown liveness property 'L7'");
        Constants c = Specs.model("large");
        assertThat(Liveness.LeadsTo.L1_InvalidationEnds.instances(c)).isEqualTo(c.files());
        assertThat(Liveness.LeadsTo.L2_AccessCompletes.instances(c)).isEqualTo(c.importers());
        assertThat(Liveness.LeadsTo.L5_UnplugFinishes.instances(c)).containsExactly("exporter");
        assertThat(Liveness.LeadsTo.L6_UnmapReturnsBar.instances(c)).containsExactly("bar");
    }
}
