package dev.devmap.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Liveness#FAIR}, the one Java list of fair actions, is the spec's FairSpec. */
class FairnessTest {
    static final Path SPEC = Path.of("..", "spec", "DeviceMap.tla");
    static final Pattern WF = Pattern.compile("WF_vars\\((\\w+)(?:\\(([^)]*)\\))?\\)");

    /** The weakly fair actions of the FairSpec definition in a module's text, in order. */
    static List<Liveness.Fair> fairSpec(String module) {
        int at = module.indexOf("FairSpec ==");
        assertThat(at).as("FairSpec in the module").isNotNegative();
        int end = module.indexOf("\n\n", at);
        String body = module.substring(at, end < 0 ? module.length() : end);
        List<Liveness.Fair> out = new ArrayList<>();
        Matcher mt = WF.matcher(body);
        while (mt.find()) {
            String args = mt.group(2) == null ? "" : mt.group(2).replace(" ", "");
            Liveness.Over over = switch (args) {
                case "" -> Liveness.Over.NOTHING;
                case "i" -> Liveness.Over.IMPORTER;
                case "f" -> Liveness.Over.FILE;
                case "i,f" -> Liveness.Over.IMPORTER_FILE;
                default -> throw new AssertionError("FairSpec: unexpected parameters " + args);
            };
            out.add(new Liveness.Fair(mt.group(1), over));
        }
        return out;
    }

    @Test
    void theJavaListIsFairSpec() throws IOException {
        assertThat(Liveness.FAIR).containsExactlyElementsOf(fairSpec(Files.readString(SPEC)));
    }

    @Test
    void aFairSpecWithoutOneActionIsCaught() throws IOException {
        String spec = Files.readString(SPEC);
        String dropped = spec.replace("/\\ WF_vars(MapRetry(i))", "");
        assertThat(dropped).isNotEqualTo(spec);
        assertThat(fairSpec(dropped)).isNotEqualTo(Liveness.FAIR).hasSize(Liveness.FAIR.size() - 1);
    }

    @Test
    void everyFairOperatorIsAnActionOfNextWithItsInstances() {
        Constants c = new Constants(List.of("f1", "f2"), 2, 3, List.of("gpu", "nic"), java.util.Set.of(), java.util.Set.of(),
                java.util.Set.of(), 2, 1, true, true, Variant.NONE);
        for (Liveness.Fair f : Liveness.FAIR) {
            assertThat(Action.NAMES).contains(f.operator());
            assertThat(f.instances(c)).isNotEmpty().allSatisfy(a -> assertThat(a.name()).isEqualTo(f.operator()));
        }
        assertThat(Liveness.fairActions(c)).allMatch(Liveness::isFair);
        assertThat(Liveness.isFair(new Action.DmaStart("gpu", "f1", 0, 0, DmaOp.READ))).isFalse();
    }
}
