package dev.devmap.harness;

import dev.devmap.harness.scenario.Guided;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reports never destroy and never collide; trace modules are written as failures are found, with the device's configuration. */
class ReportDirTest {
    @TempDir
    Path tmp;

    private static List<Path> runDirs(Path base) throws Exception {
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d{8}-\\d{6}-seed\\d+(-\\d+)?")).sorted().toList();
        }
    }

    @Test
    void twoRunsAtOnceGetTheirOwnDirectoriesAndNothingOfTheUsersIsRemoved() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("failure-7"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        Files.writeString(tmp.resolve("report.txt"), "mine too");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Support.Cli> run = () -> Support.dmap("conform", "--device", "sim:dma-misdirect", "--seed", "3",
                    "--random", "3", "--no-tlc", "--report-dir", tmp.toString());
            Future<Support.Cli> a = pool.submit(run);
            Future<Support.Cli> b = pool.submit(run);
            assertThat(a.get().code()).as(a.get().err()).isEqualTo(1);
            assertThat(b.get().code()).as(b.get().err()).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
        List<Path> dirs = runDirs(tmp);
        assertThat(dirs).hasSize(2);
        for (Path d : dirs) {
            // each journal holds its own run's scenarios, once each
            List<String> lines = Files.readAllLines(d.resolve("results.jsonl"));
            assertThat(lines).hasSize(Guided.all().size() + 3).doesNotHaveDuplicates();
            assertThat(d.resolve("report.txt")).exists();
        }
        assertThat(Files.readString(mine.resolve("notes.txt"))).isEqualTo("mine");
        assertThat(Files.readString(tmp.resolve("report.txt"))).isEqualTo("mine too");
        assertThat(Files.isSymbolicLink(tmp.resolve("latest"))).isTrue();
        assertThat(dirs).contains(tmp.resolve("latest").toRealPath());
    }

    @Test
    void anEmptyReportDirIsBadInput() {
        Support.Cli r = Support.dmap("conform", "--report-dir", "", "--random", "0", "--no-tlc");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dmap: error: --report-dir must name a directory").doesNotContain("\tat ");
    }

    @Test
    void traceModulesAreWrittenAsFoundWithTheConfigurationTheDeviceReported() throws Exception {
        // a device that reports a BAR of 2 pages whatever it is asked for, with a quirk; seed 1: a random
        // sequence fails, and the run dies in the next scenario, before the end where modules were written
        SimulatedDevice sim = new SimulatedDevice(Quirks.parse("dma-misdirect"), -1);
        DeviceUnderTest dev = new DeviceUnderTest() {
            int resets;

            public String name() { return "two-page-bar"; }

            public Capabilities capabilities() { return sim.capabilities(); }

            public DutConfig reset(DutConfig c) throws DutException {
                if (++resets > Guided.all().size() + 5) throw new IllegalStateException("the harness died");
                return sim.reset(new DutConfig(c.files(), c.pages(), c.blocks(), c.importers(), 2, c.barBase(),
                        c.pinSupport(), c.bdevInvalidate()));
            }

            public Response perform(Request r) { return sim.perform(r); }

            public void close() { }

        };
        try {
            Support.conform(dev, 1, 8, false, tmp);
            throw new AssertionError("the run should have died");
        } catch (IllegalStateException expected) {
            // the run died
        }
        List<Path> cfgs;
        try (Stream<Path> s = Files.walk(tmp)) {
            cfgs = s.filter(p -> p.toString().endsWith(".cfg")).toList();
        }
        assertThat(cfgs).isNotEmpty();
        for (Path c : cfgs) assertThat(Files.readString(c)).contains("BarSize = 2").doesNotContain("BarSize = 3");
    }
}
