package dev.devmap.harness;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The report is written in linear time: what a run writes in all (bytes, counted by the kernel in
 * /proc/self/io, not timed) is a small multiple of what its report directory holds at the end. A
 * report and junit.xml rewritten after every scenario write quadratically: for 480 scenarios,
 * hundreds of times the final size.
 */
class ReportWritesTest {
    @TempDir
    Path tmp;

    private static long written() throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc/self/io"))) {
            if (l.startsWith("wchar:")) return Long.parseLong(l.substring(6).strip());
        }
        throw new IOException("no wchar in /proc/self/io");
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void aRunWritesItsReportOnceOrTwiceNotOncePerScenario() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Paths.get("/proc/self/io")), "Linux /proc/self/io");
        long before = written();
        Support.Cli r = Support.dmap("conform", "--device", "sim", "--seed", "1", "--random", "400", "--no-tlc",
                "--report-dir", tmp.toString());
        long bytes = written() - before;
        assertThat(r.code()).as(r.err()).isZero();
        long kept = size(tmp);
        assertThat(kept).isPositive();
        assertThat((double) bytes / kept).as(bytes + " bytes written for " + kept + " kept").isLessThan(4.0);
    }
}
