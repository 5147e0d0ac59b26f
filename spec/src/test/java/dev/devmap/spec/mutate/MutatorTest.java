package dev.devmap.spec.mutate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MutatorTest {
    static final Path SPEC = Path.of("..", "spec", "DeviceMap.tla");

    @Test
    void printAll() throws Exception {
        String text = Files.readString(SPEC);
        List<Mutant> ms = Mutator.generate(text);
        Map<String, Integer> kinds = new TreeMap<>();
        for (Mutant m : ms) {
            kinds.merge(m.kind(), 1, Integer::sum);
            System.out.println(m.describe());
        }
        System.out.println(ms.size() + " " + kinds);
        assertThat(ms).isNotEmpty();
    }
}
