package dev.devmap.harness.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The agent protocol is parsed strictly and an agent cannot claim or send more than the harness
 * can hold: one test per loose-parsing and memory failure the reliability issue lists.
 */
class StrictWireTest {
    private static final String CONFIG = "{\"files\":[\"f1\"],\"pages\":2,\"blocks\":2,\"importers\":"
            + "[{\"name\":\"gpu\",\"route\":true,\"atomic\":false,\"write\":true}],\"bar_pages\":2,\"bar_base\":0,"
            + "\"pin\":true,\"reverse_map\":true}";

    @Test
    void idsAreIntegersAndNothingElse() throws Exception {
        assertThat(Wire.id(Wire.parse("{\"id\":51,\"ok\":true,\"result\":\"done\"}"))).isEqualTo(51);
        for (String bad : List.of("{\"id\":\"51\",\"ok\":true}", "{\"id\":51.5,\"ok\":true}", "{\"ok\":true}",
                "{\"id\":true,\"ok\":true}", "{\"id\":1e40,\"ok\":true}")) {
            assertThatThrownBy(() -> Wire.id(Wire.parse(bad))).as(bad).isInstanceOf(Wire.ProtocolException.class)
                    .hasMessageContaining("non-integer \"id\"");
        }
    }

    @Test
    void nothingMayFollowTheObjectAndNoKeyComesTwice() {
        assertThatThrownBy(() -> Wire.parse("{\"id\":1,\"ok\":true,\"result\":\"done\"} {\"id\":2}"))
                .isInstanceOf(Wire.ProtocolException.class).hasMessageStartingWith("something after the JSON object");
        assertThatThrownBy(() -> Wire.parse("{\"id\":1,\"ok\":true} x")).isInstanceOf(Wire.ProtocolException.class);
        assertThatThrownBy(() -> Wire.parse("{\"id\":1,\"id\":2,\"ok\":true}"))
                .isInstanceOf(Wire.ProtocolException.class).hasMessageStartingWith("a key twice");
    }

    @Test
    void aConfigClaimingHugeSizesIsRefusedNotAllocated() throws Exception {
        assertThat(Wire.parseConfig(Wire.parse(CONFIG)).pages()).isEqualTo(2);
        for (String huge : List.of(CONFIG.replace("\"blocks\":2", "\"blocks\":2147483647"),
                CONFIG.replace("\"pages\":2", "\"pages\":2147483647"),
                CONFIG.replace("\"bar_pages\":2", "\"bar_pages\":2147483647"),
                CONFIG.replace("\"pages\":2", "\"pages\":-3"))) {
            assertThatThrownBy(() -> Wire.parseConfig(Wire.parse(huge))).as(huge).isInstanceOf(Wire.ProtocolException.class);
        }
    }

    @Test
    void fileAndImporterNamesAreUnique() {
        String twoFiles = CONFIG.replace("[\"f1\"]", "[\"f1\",\"f1\"]");
        assertThatThrownBy(() -> Wire.parseConfig(Wire.parse(twoFiles))).isInstanceOf(Wire.ProtocolException.class)
                .hasMessageContaining("unique");
        String twoGpus = CONFIG.replace("}],", "},{\"name\":\"gpu\",\"route\":true,\"atomic\":false,\"write\":true}],");
        assertThatThrownBy(() -> Wire.parseConfig(Wire.parse(twoGpus))).isInstanceOf(Wire.ProtocolException.class)
                .hasMessageContaining("unique");
    }

    @Test
    void addrsOfTheWrongTypeIsAProtocolErrorNotAnS8Failure() {
        for (String addrs : List.of("\"addrs\":\"4026531840\"", "\"addrs\":[\"x\"]", "\"addrs\":[1.5]", "\"addrs\":{}")) {
            String line = "{\"id\":4,\"ok\":true,\"result\":\"granted\"," + addrs + ",\"blocks\":[1],\"bar\":1}";
            assertThatThrownBy(() -> Wire.parseResponse(Wire.parse(line), List.of())).as(line)
                    .isInstanceOf(Wire.ProtocolException.class);
        }
    }

    /** The rerun's fault-agent mode wrongtype bar-neg: a negative count is garbage, not an S9 verdict. */
    @Test
    void aNegativeBarCountIsAProtocolErrorNotAnS9Failure() throws Exception {
        String ok = "{\"id\":4,\"ok\":true,\"result\":\"done\",\"bar\":0}";
        assertThat(Wire.parseResponse(Wire.parse(ok), List.of()).outcome().bar()).isZero();
        for (String line : List.of(ok.replace("\"bar\":0", "\"bar\":-7"),
                "{\"id\":4,\"ok\":false,\"errno\":\"EIO\",\"bar\":-1}")) {
            assertThatThrownBy(() -> Wire.parseResponse(Wire.parse(line), List.of())).as(line)
                    .isInstanceOf(Wire.ProtocolException.class).hasMessageContaining("\"bar\" is a count");
        }
    }

    /** A 15 MB message in an answer is cut at the line limit: the harness holds a bounded prefix only. */
    @Test
    void anOverlongLineIsBoundedAndTheNextLineStillArrives() throws Exception {
        byte[] big = ("{\"id\":1,\"ok\":false,\"errno\":\"EIO\",\"message\":\"" + "m".repeat(15 << 20) + "\"}\n")
                .getBytes(StandardCharsets.US_ASCII);
        InputStream in = new SequenceInputStream(new ByteArrayInputStream(big),
                new ByteArrayInputStream("{\"id\":2,\"ok\":true,\"result\":\"done\"}\n".getBytes(StandardCharsets.US_ASCII)));
        LineReader r = new LineReader(in, 1 << 20);
        LineReader.Line first = r.next(Duration.ofSeconds(20), 0);
        assertThat(first.overlong()).isTrue();
        assertThat(first.text().length()).isLessThanOrEqualTo(200);
        LineReader.Line second = r.next(Duration.ofSeconds(20), 0);
        assertThat(second.overlong()).isFalse();
        assertThat(second.text()).isEqualTo("{\"id\":2,\"ok\":true,\"result\":\"done\"}");
    }

    /** agent-sim keeps its backing files in its scratch directory whatever a file is called. */
    @Test
    void agentSimRefusesAFileNameThatLeavesItsScratchDirectory(@TempDir Path tmp) throws Exception {
        Path scratch = Files.createDirectory(tmp.resolve("scratch"));
        String hello = "{\"devmap\":1,\"op\":\"hello\",\"harness\":\"test\",\"scratch\":\"" + scratch + "\"}\n";
        String reset = "{\"id\":1,\"op\":\"reset\",\"config\":" + CONFIG.replace("[\"f1\"]", "[\"x/../../escape\"]") + "}\n";
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        new AgentServer(new dev.devmap.harness.sim.SimulatedDevice(), AgentServer.Faults.NONE, code -> { })
                .serve(new ByteArrayInputStream((hello + reset).getBytes(StandardCharsets.UTF_8)), out);
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("scratch");
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"id\":1").contains("\"ok\":false");
    }
}
