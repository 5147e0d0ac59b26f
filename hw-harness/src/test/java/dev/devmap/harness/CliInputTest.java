package dev.devmap.harness;

import dev.devmap.harness.sim.Quirks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Malformed input: one error line on stderr, nothing on stdout, exit 2. */
class CliInputTest {
    @TempDir
    Path tmp;

    @Test
    void malformedInputIsOneErrorLineAndExitTwo() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-device"), "x");
        String rd = tmp.resolve("r").toString();
        String[][] cases = {
                {"conform", "--device", "nosuch", "--report-dir", rd},
                {"conform", "--device", "sim:nosuch-quirk", "--report-dir", rd},
                {"conform", "--device", "sim:no-ack-wait,valid-flag", "--report-dir", rd},
                {"conform", "--device", "sim:ack-delay=x", "--report-dir", rd},
                {"conform", "--device", "agent:", "--report-dir", rd},
                {"conform", "--device", "agent:'unbalanced", "--report-dir", rd},
                {"conform", "--device", "agent:/nonexistent/dmap-agent", "--report-dir", rd},
                {"conform", "--device", "linux-qemu:bogus", "--report-dir", rd},
                {"conform", "--device", "linux-qemu:bar-pages=many", "--report-dir", rd},
                {"conform", "--device", "linux-qemu:pci=0000:01:00.0", "--report-dir", rd},
                {"conform", "--device", "linux", "--report-dir", rd},
                {"conform", "--device", "linux:pci=01:00", "--report-dir", rd},
                {"conform", "--device", "linux:pci=0000:01:00.0,nvme=" + file, "--report-dir", rd},
                {"conform", "--random", "-1", "--report-dir", rd},
                {"conform", "--length", "0", "--report-dir", rd},
                {"conform", "--seed", "twelve"},
                {"conform", "--only", "no-such-scenario", "--report-dir", rd},
                {"conform", "--scratch", tmp.resolve("missing").toString(), "--report-dir", rd},
                {"conform", "--block-device", file.toString(), "--report-dir", rd},
                {"conform", "--block-device", tmp.resolve("missing").toString(), "--report-dir", rd},
                {"conform", "--frobnicate"},
                {"agent-sim", "--quirk", "nosuch"},
                {"bench", "conform", "--ops", "10"},
                {"bench", "explore", "--packed-runs", "0"},
                {"bench", "explore", "--tlc-seconds", "3"},
        };
        for (String[] args : cases) {
            Support.Cli r = Support.dmap(args);
            String what = String.join(" ", args);
            assertThat(r.code()).as(what + "\n" + r.err()).isEqualTo(2);
            assertThat(r.out()).as(what).isEmpty();
            assertThat(r.err().lines().toList()).as(what).hasSize(1).allMatch(l -> l.startsWith("dmap: error: "));
        }
    }

    @Test
    void anAgentOfAnotherProtocolVersionIsBadInput() {
        String fake = "sh -c 'read line; echo \"{\\\"devmap\\\":2,\\\"ok\\\":true,\\\"agent\\\":\\\"future\\\",\\\"ops\\\":[],"
                + "\\\"config\\\":{\\\"files\\\":[\\\"f1\\\"],\\\"pages\\\":1,\\\"blocks\\\":1,\\\"importers\\\":"
                + "[{\\\"name\\\":\\\"gpu\\\"}],\\\"bar_pages\\\":1}}\"; sleep 5'";
        Support.Cli r = Support.dmap("conform", "--device", "agent:" + fake, "--report-dir", tmp.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).startsWith("dmap: error: cannot use agent:").contains("protocol version 2")
                .contains("speaks 1");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void quirksAreListedOnePerLineNameFirst() {
        Support.Cli r = Support.dmap("quirks");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(Quirks.all().size()).hasSizeGreaterThanOrEqualTo(18);
        for (int k = 0; k < lines.size(); k++) {
            assertThat(lines.get(k)).startsWith(Quirks.all().get(k).name() + " ");
        }
        assertThat(lines).anyMatch(l -> l.matches("no-ack-wait +spec +S4_AckBeforeProceed +.*"))
                .anyMatch(l -> l.matches("dma-misdirect +device +S5_CacheExclusion +silent data corruption.*"));
    }
}
