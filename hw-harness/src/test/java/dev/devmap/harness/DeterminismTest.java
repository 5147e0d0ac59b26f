package dev.devmap.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Same seed, same device, same options: the same run, byte for byte (KTAP with timings and the
 * report's path aside; results.jsonl, which holds no timing, as it is), across JVMs. In one JVM the run was always the same; the
 * nondeterminism came from the JDK's per-JVM salted set order and enum identity hashes, so the
 * runs here are separate processes.
 */
class DeterminismTest {
    @TempDir
    Path tmp;

    private record Out(String ktap, String journal) {}

    private Out run(String name, String... args) throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        Path dir = tmp.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), "dev.devmap.cli.Main", "conform", "--no-tlc", "--report-dir",
                dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Out(normal(out), journal(dir));
    }

    private static String journal(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            Path j = s.filter(p -> p.getFileName().toString().equals("results.jsonl")).findFirst().orElseThrow();
            return Files.readString(j);
        }
    }

    /** KTAP without timings and the report's path (which names the run directory). */
    static String normal(String s) {
        StringBuilder sb = new StringBuilder();
        for (String l : s.split("\n", -1)) {
            if (l.startsWith("# report: ")) continue;
            sb.append(l.replaceAll("\\d+(\\.\\d+)? ?(ms|s)\\b", "T")).append('\n');
        }
        return sb.toString();
    }

    @Test
    void aSeedReproducesItsRunAcrossJvms() throws Exception {
        String[] args = {"--device", "sim:dma-misdirect", "--seed", "7", "--random", "120"};
        Out first = run("a", args);
        assertThat(first.journal()).contains("\"scenario\":\"random-120\"");
        for (int k = 0; k < 3; k++) {
            Out again = run("r" + k, args);
            assertThat(again.ktap()).isEqualTo(first.ktap());
            assertThat(again.journal()).isEqualTo(first.journal());
        }
    }

    @Test
    void oneRandomScenarioOfALongRunReproducesToo() throws Exception {
        String[] args = {"--seed", "42", "--random", "1000", "--only", "random-732"};
        Out first = run("a", args);
        for (int k = 0; k < 3; k++) assertThat(run("r" + k, args)).isEqualTo(first);
    }
}
