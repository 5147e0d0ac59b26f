package dev.devmap.harness.report;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.oracle.Failure;
import dev.devmap.harness.oracle.TraceItem;
import dev.devmap.harness.scenario.ScenarioResult;

import java.util.ArrayList;
import java.util.List;

/** The short numbered trace of a failure, as every report prints it. */
public final class Texts {
    private Texts() { }

    /** Lines "N. op -> outcome", with events, the contract of each grant, and the failing step marked. */
    public static List<String> trace(ScenarioResult r) {
        List<String> out = new ArrayList<>();
        Failure f = r.failure();
        for (int k = 0; k < r.trace().size(); k++) {
            TraceItem it = r.trace().get(k);
            StringBuilder sb = new StringBuilder();
            sb.append(k + 1).append(". ");
            for (Event e : it.response().before()) sb.append("(").append(e.show()).append(") ");
            sb.append(it.request().op().show());
            if (it.request().value() != null && !(it.request().op() instanceof Op.SettleCall)) {
                sb.append(" [value ").append(it.request().value()).append(']');
            }
            sb.append(" -> ").append(it.response().show());
            String contract = contract(it);
            if (contract != null) sb.append(" (").append(contract).append(')');
            if (!it.response().after().isEmpty()) {
                List<String> es = new ArrayList<>();
                for (Event e : it.response().after()) es.add(e.show());
                sb.append("; then ").append(String.join(", ", es));
            }
            if (f != null && f.step() == k + 1) {
                sb.append("   <-- ").append(f.kind() == Failure.Mismatch.OUTCOME ? "the model allows: "
                        + String.join(" | ", f.allowed()) : f.detail());
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** The contract of a granted mapping: pinned or revocable, writable, atomics. */
    static String contract(TraceItem it) {
        if (!(it.request().op() instanceof Op.DeviceMapCall d)) return null;
        Outcome.Answer k = it.response().outcome().kind();
        if (k != Outcome.Answer.GRANTED && k != Outcome.Answer.PREPARED) return null;
        return (d.pin() ? "pinned: dma_buf, survives munmap, revoked only on unplug" : "revocable: dropped on invalidation")
                + (d.w() ? ", writable" : ", read-only") + (d.at() ? ", atomics" : "");
    }

    public static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
