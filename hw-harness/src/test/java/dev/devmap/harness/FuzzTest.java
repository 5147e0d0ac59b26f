package dev.devmap.harness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.agent.Wire;
import dev.devmap.harness.sim.SimulatedDevice;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.ModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded mutation fuzzing of what the harness reads from outside: agent lines (hello, answers,
 * events, configurations) and models.json. Every mutant must be accepted or refused with the
 * one typed error (Wire.ProtocolException, ModelException: an agent error or exit 2); any other
 * exception (a stack trace, exit 3), or a hang (one item over 30 s, whatever the load), fails; mutated
 * manifests through the command line must exit 0 or 2 with one error line. -Ddmap.campaign=true: ten
 * times as many.
 * Seed: -Ddmap.fuzz.seed=N (default 14; printed).
 */
class FuzzTest {
    @TempDir
    Path tmp;

    static final boolean CAMPAIGN = Boolean.getBoolean("dmap.campaign");
    static final long SEED = Long.getLong("dmap.fuzz.seed", 14);
    static final int LINES = CAMPAIGN ? 200_000 : 20_000;
    static final int MANIFESTS = CAMPAIGN ? 20_000 : 2_000;
    /** Mutated manifests that go through the command line, for its exit code and error line. */
    static final int COMMANDS = CAMPAIGN ? 2_000 : 200;

    private static final String[] TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "-1", "0",
        "2147483647", "9223372036854775808", "1.5", "1e309", "\"x\"", "\"\\u0000\"", "\\", "\"id\":1,", "\"ok\":true,",
        "\"blocks\":2147483647,", "\"pages\":-2,", "{}", "[]", "\"\":0,", " ", "\n", "\uFFFF", "NaN", "\"events\":[{}],"};

    /** How long one item (a line, a manifest, a command) may take before the fuzzer calls it a hang, whatever the load. */
    static final Duration STALL = Duration.ofSeconds(30);

    interface Item {
        void run(int k) throws Exception;
    }

    /**
     * Runs items 0..n-1 in order in a thread of their own and fails when one of them takes longer
     * than {@link #STALL} (a hang). A limit per item, not on the total: the total depends on the load.
     */
    static void eachWithin(int n, Item body) throws Exception {
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                for (int k = 0; k < n; k++) {
                    body.run(k);
                    done.incrementAndGet();
                }
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "dmap-fuzz");
        t.setDaemon(true);
        t.start();
        int seen = -1;
        long since = System.nanoTime();
        while (t.isAlive()) {
            t.join(200);
            int now = done.get();
            if (now != seen) {
                seen = now;
                since = System.nanoTime();
            } else if (t.isAlive() && System.nanoTime() - since > STALL.toNanos()) {
                throw new AssertionError("seed " + SEED + ", item " + now + " took more than " + STALL.toSeconds() + " s: a hang");
            }
        }
        Throwable e = failed.get();
        if (e instanceof Error er) throw er;
        if (e instanceof Exception ex) throw ex;
    }

    /** One mutation: replace, insert, delete a span, duplicate a span, or truncate. */
    static String mutate(String s, Random r) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n && b.length() > 0; k++) {
            int at = r.nextInt(b.length());
            switch (r.nextInt(6)) {
                case 0 -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
                case 1 -> b.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + r.nextInt(12)));
                case 3 -> b.insert(at, b.substring(at, Math.min(b.length(), at + 1 + r.nextInt(30))));
                case 4 -> b.setLength(at);
                default -> b.replace(at, Math.min(b.length(), at + 1 + r.nextInt(8)), TOKENS[r.nextInt(TOKENS.length)]);
            }
        }
        return b.toString();
    }

    private static List<String> agentLines() {
        List<String> lines = new ArrayList<>();
        try (SimulatedDevice sim = new SimulatedDevice()) {
            lines.add(Wire.helloReply(sim.capabilities()));
            lines.add("{\"id\":3,\"ok\":true,\"result\":\"done\",\"config\":" + Wire.config(DutConfig.standard()) + "}");
        }
        lines.add(Wire.event(new Event(Event.Type.ACK, "gpu", "f1", null)));
        lines.add("{\"id\":7,\"ok\":true,\"result\":\"granted\",\"path\":\"direct\",\"bar\":1,\"addrs\":[4026531840],"
                + "\"blocks\":[1,2],\"notified\":[\"gpu\"],\"events\":[{\"event\":\"inv_end\",\"file\":\"f1\"}]}");
        lines.add("{\"id\":8,\"ok\":true,\"result\":\"refused\",\"reason\":\"hole\"}");
        lines.add("{\"id\":9,\"ok\":true,\"result\":\"value\",\"value\":3}");
        lines.add("{\"id\":10,\"ok\":false,\"errno\":\"EIO\",\"message\":\"x\"}");
        return lines;
    }

    /** What the harness does with a line from an agent, minus the process: accepted (true) or refused. */
    private static boolean read(String line) {
        try {
            JsonNode n = Wire.parse(line);
            if (n.has("devmap")) Wire.parseHello(n);
            else if (n.has("event")) Wire.parseEvent(n);
            else {
                Wire.id(n);
                if (n.has("config")) Wire.parseConfig(n.get("config"));
                else Wire.parseResponse(n, List.of());
            }
            return true;
        } catch (Wire.ProtocolException refused) {
            return false;   // an agent error: reported, the agent restarted
        }
    }

    @Test
    void mutatedAgentLinesAreAcceptedOrRefusedAsProtocolErrors() throws Exception {
        List<String> seeds = agentLines();
        assertThat(seeds).allMatch(FuzzTest::read);   // the seeds themselves are good lines
        Random r = new Random(SEED);
        int[] refused = new int[2];
        eachWithin(LINES, k -> {
            String m = mutate(seeds.get(r.nextInt(seeds.size())), r);
            try {
                Wire.parse(m);
            } catch (Wire.ProtocolException e) {
                refused[0]++;
            }
            try {
                if (!read(m)) refused[1]++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", line " + k + ": " + m + " -> " + e, e);
            }
        });
        System.out.printf("FuzzTest: %d mutated agent lines (seed %d): %d refused as protocol errors (%d of them not "
                + "one JSON object), %d accepted, none ended otherwise%n", LINES, SEED, refused[1], refused[0], LINES - refused[1]);
        assertThat(refused[0]).isPositive().isLessThan(LINES);
        assertThat(refused[1]).isGreaterThan(refused[0]).isLessThan(LINES);
    }

    @Test
    void mutatedManifestsLoadOrFailWithOneLine() throws Exception {
        String good = Files.readString(Support.SPEC.resolve("models.json"));
        Files.copy(Support.SPEC.resolve("DeviceMap.tla"), tmp.resolve("DeviceMap.tla"));
        Path file = tmp.resolve("models.json");
        Random r = new Random(SEED);
        int[] counts = new int[2];
        eachWithin(MANIFESTS, k -> {
            String m = mutate(good, r);
            Files.writeString(file, m);
            try {
                Manifest.loadFromSpecDir(tmp);
                counts[0]++;
            } catch (ModelException e) {
                assertThat(e.getMessage()).doesNotContain("\n").startsWith(file.toString());
                counts[1]++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", manifest " + k + " -> " + e, e);
            }
        });
        System.out.printf("FuzzTest: %d mutated manifests (seed %d): %d loaded, %d refused with one line%n", MANIFESTS, SEED,
                counts[0], counts[1]);
        assertThat(counts[1]).isPositive();
    }

    @Test
    void mutatedManifestsThroughTheCommandLineExit0Or2WithOneErrorLine() throws Exception {
        String good = Files.readString(Support.SPEC.resolve("models.json"));
        Files.copy(Support.SPEC.resolve("DeviceMap.tla"), tmp.resolve("DeviceMap.tla"));
        Path file = tmp.resolve("models.json");
        Random r = new Random(SEED + 1);
        int[] counts = new int[2];
        eachWithin(COMMANDS, k -> {
            String m = mutate(good, r);
            Files.writeString(file, m);
            Support.Cli c = Support.dmap("models", "--spec-dir", tmp.toString());
            String where = "seed " + SEED + ", command " + k + ": exit " + c.code() + ": " + c.err();
            assertThat(c.code()).as(where).isIn(0, 2);
            if (c.code() == 2) {
                assertThat(c.err().strip().lines()).as(where).singleElement().asString().startsWith("dmap: error: ");
                counts[1]++;
            } else {
                counts[0]++;
            }
            assertThat(c.err()).as(where).doesNotContain("\tat ").doesNotContain("Exception");
        });
        System.out.printf("FuzzTest: %d mutated manifests through 'dmap models' (seed %d): %d exit 0, %d exit 2 with one "
                + "error line%n", COMMANDS, SEED + 1, counts[0], counts[1]);
        assertThat(counts[1]).isPositive();
    }
}
