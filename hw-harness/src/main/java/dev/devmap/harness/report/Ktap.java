package dev.devmap.harness.report;

import dev.devmap.harness.scenario.ScenarioResult;

import java.io.PrintWriter;
import java.util.List;

/**
 * KTAP (version 1, as kselftest and KUnit print it) on stdout, written as results come: a top-level
 * plan of three subtests (guided scenarios, random sequences, requirement rows), each indented
 * four spaces with its own header and plan; skips as {@code # SKIP reason}, agent faults as
 * {@code # ERROR reason}; a failure's trace as diagnostic lines after its result line.
 */
public final class Ktap {
    private final PrintWriter out;
    private int top;

    public Ktap(PrintWriter out) { this.out = out; }

    public void header(String device, String agent, long seed, String reproduce, int subtests) {
        out.println("KTAP version 1");
        out.println("# dmap conform: device " + device + " (" + agent + "), seed " + seed);
        out.println("# reproduce: " + reproduce);
        out.println("1.." + subtests);
        out.flush();
    }

    public void note(String line) {
        out.println("# " + Texts.oneLine(line));
        out.flush();
    }

    public void subtestNote(String line) {
        out.println("    # " + Texts.oneLine(line));
        out.flush();
    }

    public void begin(String name, int tests) {
        out.println("    KTAP version 1");
        out.println("    # Subtest: " + name);
        out.println("    1.." + tests);
        out.flush();
    }

    public void scenario(int n, ScenarioResult r, int failureNumber) {
        String id = r.scenario().id();
        switch (r.status()) {
            case PASS:
                out.println("    ok " + n + " " + id);
                break;
            case SKIP:
                out.println("    ok " + n + " " + id + " # SKIP " + Texts.oneLine(r.reason()));
                break;
            case ERROR:
                out.println("    not ok " + n + " " + id + " # ERROR " + Texts.oneLine(r.reason()));
                break;
            case DIFFERENCE: {
                out.println("    ok " + n + " " + id + " # TODO difference from the model: " + r.choice()
                        + " (a documented protocol choice of this device)");
                out.println("    # under the standard model: " + r.verdict().requirement().spec() + ": "
                        + Texts.oneLine(r.verdict().why()));
                List<String> lines = Texts.trace(r);
                out.println("    # minimal trace, " + lines.size() + " steps, accepted by the model of " + r.choice() + ":");
                for (String l : lines) out.println("    #   " + Texts.oneLine(l));
                break;
            }
            default: {
                out.println("    not ok " + n + " " + id);
                out.println("    # " + r.verdict().requirement().spec() + " (failure " + failureNumber + "): "
                        + Texts.oneLine(r.verdict().why()));
                List<String> lines = Texts.trace(r);
                out.println("    # minimal trace, " + lines.size() + " steps (shrunk from " + r.originalLength() + "):");
                for (String l : lines) out.println("    #   " + Texts.oneLine(l));
            }
        }
        out.flush();
    }

    public void row(int n, RunResult.Row row) {
        String name = row.requirement().spec();
        // a kernel row's detail lists its evidence classes itself, the strongest first: name it once
        boolean named = row.witness().isEmpty() || row.detail().startsWith(row.witness() + ": ");
        String detail = named ? row.detail() : row.witness() + ": " + row.detail();
        switch (row.status()) {
            case "FAIL": out.println("    not ok " + n + " " + name + " # " + Texts.oneLine(detail)); break;
            case "skip": out.println("    ok " + n + " " + name + " # SKIP " + Texts.oneLine(detail)); break;
            default: out.println("    ok " + n + " " + name + " # " + Texts.oneLine(detail));
        }
        out.flush();
    }

    public void end(String name, boolean ok) {
        out.println((ok ? "ok " : "not ok ") + (++top) + " " + name);
        out.flush();
    }
}
