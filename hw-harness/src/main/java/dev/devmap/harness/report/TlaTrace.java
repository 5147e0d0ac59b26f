package dev.devmap.harness.report;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.OpSchema;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.oracle.TraceItem;
import dev.devmap.model.Liveness;
import dev.devmap.spec.tla.TlaValues;
import dev.devmap.spec.tlc.TlcJob;
import dev.devmap.spec.tlc.TlcResult;
import dev.devmap.spec.tlc.TlcRunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * An observed trace as a TLA+ trace module: it EXTENDS DeviceMap with a cursor variable {@code k};
 * step j of the trace is the action the device claims to have taken, constrained by what it
 * reported (result, values, who was notified, BAR use). TLC checks the invariant {@code NotAtEnd}:
 * if no behaviour of the spec reaches the end of the trace, TLC finds no violation and so confirms
 * that the trace is not a behaviour of the spec; for a conformant trace it reports NotAtEnd violated
 * (the end is reachable).
 */
public final class TlaTrace {
    /** What TLC said about a trace module. */
    public record Confirmation(boolean ran, boolean behaviour, int explained, int steps, String text) {}

    private final String name;
    private final DutConfig cfg;
    private final List<String> steps = new ArrayList<>();
    private final List<String> comments = new ArrayList<>();
    private int maxVal = 2;

    public TlaTrace(String name, DutConfig cfg, List<TraceItem> items) {
        this.name = name;
        this.cfg = cfg;
        int n = 0;
        for (TraceItem it : items) {
            n++;
            for (Event e : it.response().before()) add(n + ". (event) " + e.show(), event(e));
            String label = n + ". " + it.show();
            List<String> ss = op(it);
            for (int k = 0; k < ss.size(); k++) add(label + (ss.size() > 1 ? " [" + (k + 1) + "/" + ss.size() + "]" : ""), ss.get(k));
            for (Event e : it.response().after()) add(n + ". (event) " + e.show(), event(e));
            Integer v = it.request().value();
            if (v != null) maxVal = Math.max(maxVal, v + 2);
            Integer w = it.response().outcome().value();
            if (w != null) maxVal = Math.max(maxVal, w + 2);
        }
    }

    private void add(String comment, String step) {
        comments.add(comment.replace("\n", " "));
        steps.add(step);
    }

    public int steps() { return steps.size(); }

    public String name() { return name; }

    private static String q(String s) { return TlaValues.quote(s); }

    private static String set(Set<String> xs) {
        List<String> out = new ArrayList<>();
        for (String x : new TreeSet<>(xs == null ? Set.of() : xs)) out.add(q(x));
        return "{" + String.join(", ", out) + "}";
    }

    private static String bool(boolean b) { return b ? "TRUE" : "FALSE"; }

    private static String event(Event e) {
        switch (e.kind()) {
            case ACK: return "InvAck(" + q(e.imp()) + ", " + q(e.file()) + ")";
            case INV_END: return "InvEnd(" + q(e.file()) + ")";
            case DMA_END: return "DmaEnd(" + q(e.imp()) + ")" + (e.value() == null ? "" : " /\\ DmaVal(" + q(e.imp()) + ", " + e.value() + ")");
            case REVOKE_ACK: return "RevokeAck(" + q(e.imp()) + ")";
            case UNPLUG_END: return "UnplugEnd";
            case MAP_COMMIT: return "MapCommit(" + q(e.imp()) + ")";
            default: return "MapRetry(" + q(e.imp()) + ")";
        }
    }

    /** The formula of an invalidating action with the observed outcome. */
    private static String inv(String action, String f, Outcome o) {
        if (o.kind() == Outcome.Answer.STARTED) return action + " /\\ Started(" + f + ", " + set(o.notified()) + ")";
        return action + " /\\ Done(" + f + ", " + set(o.notified()) + ")";
    }

    /** The steps of one operation with its observed outcome. */
    private List<String> op(TraceItem it) {
        Op op = it.request().op();
        Outcome o = it.response().outcome();
        List<String> out = new ArrayList<>();
        String bar = o.bar() == null ? "" : " /\\ bar' = " + o.bar();
        Outcome.Answer k = o.kind();
        String action = action(op);
        if (k == Outcome.Answer.ERROR || k == Outcome.Answer.BUSY) {
            out.add("Frozen /\\ ~ENABLED (" + action + ")" + bar);
            return out;
        }
        if (k == Outcome.Answer.WAIT) {
            out.add("Frozen /\\ (" + waits(op) + ")" + bar);
            return out;
        }
        if (op instanceof Op.MmapCall) out.add(action);
        else if (op instanceof Op.MunmapCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.TruncateCall || op instanceof Op.PunchHoleCall) {
            String f = q(op instanceof Op.TruncateCall t ? t.f() : ((Op.PunchHoleCall) op).f());
            int lo = op instanceof Op.TruncateCall t ? t.n() + 1 : ((Op.PunchHoleCall) op).lo();
            int hi = op instanceof Op.TruncateCall ? cfg.pages() : ((Op.PunchHoleCall) op).hi();
            String noop = k == Outcome.Answer.DONE && (o.notified() == null || o.notified().isEmpty())
                    ? " \\/ (Frozen /\\ ~inv[" + f + "].on /\\ NothingIn(" + f + ", " + lo + ", " + hi + "))" : "";
            out.add("(" + inv(action, f, o) + ")" + noop);
        } else if (op instanceof Op.FallocateCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.ReflinkCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.RelocateCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.UnshareCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.BarReclaimCall x) out.add(inv(action, q(x.f()), o));
        else if (op instanceof Op.WritebackCall x) {
            out.add(action + " \\/ (Frozen /\\ cache[" + q(x.f()) + "][" + x.o() + "].st # \"dirty\")");
        } else if (op instanceof Op.EvictCall x) {
            out.add(action + " \\/ (Frozen /\\ cache[" + q(x.f()) + "][" + x.o() + "].st = \"absent\")");
        } else if (op instanceof Op.WriteCall x) {
            out.add(write(action, x.f(), x.o(), o));
        } else if (op instanceof Op.ReadCall x) {
            // the spec's CPU read goes through the page cache or reads the block, never a device's direct path
            out.add(o.path() == Outcome.Path.DIRECT ? "FALSE" : read(action, x.f(), x.o(), o, ""));
        } else if (op instanceof Op.DevReadCall x) {
            if (o.path() == Outcome.Path.DIRECT) {
                out.add("Direct(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ", \"read\")");
                out.add("DmaEnd(" + q(x.i()) + ") /\\ DmaVal(" + q(x.i()) + ", " + o.value() + ")");
            } else {
                out.add(read("DevFallbackRead(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ")", x.f(), x.o(), o,
                        q(x.f()) + " \\in vma /\\ ~Covers(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ") /\\ "));
            }
        } else if (op instanceof Op.DevWriteCall x) {
            if (o.path() == Outcome.Path.DIRECT) {
                out.add("Direct(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ", \"write\")");
                out.add("DmaEnd(" + q(x.i()) + ")" + (o.value() == null ? "" : " /\\ DmaVal(" + q(x.i()) + ", " + o.value() + ")"));
            } else {
                out.add(write("DevFallbackWrite(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ")", x.f(), x.o(), o));
            }
        } else if ((op instanceof Op.DmaStartCall || op instanceof Op.DmaEndCall) && o.path() != null
                && o.path() != Outcome.Path.DIRECT) {
            out.add("FALSE");   // DmaStart and DmaEnd are the direct path's steps: no other path has them
        } else if (op instanceof Op.DmaStartCall x) {
            out.add("Direct(" + q(x.i()) + ", " + q(x.f()) + ", " + x.o() + ", " + q(x.op().tla()) + ")"
                    + (o.value() == null ? "" : " /\\ nextv' = " + o.value()));
        } else if (op instanceof Op.DmaEndCall x) {
            out.add("DmaEnd(" + q(x.i()) + ")" + (o.value() == null ? "" : " /\\ DmaVal(" + q(x.i()) + ", " + o.value() + ")"));
        } else if (op instanceof Op.DeviceMapCall x) {
            String prep = action;
            if (k == Outcome.Answer.REFUSED) {
                // the spec's own operator for the driver's preconditions, not a copy of it
                out.add("Frozen /\\ MapCalled(" + q(x.i()) + ", " + q(x.f()) + ", " + x.lo() + ", " + x.hi()
                        + ") /\\ Refusal(" + q(x.i()) + ", " + q(x.f()) + ", "
                        + x.lo() + ", " + x.hi() + ", " + bool(x.pin()) + ", " + bool(x.w()) + ", " + bool(x.at()) + ") = "
                        + q(o.reason()) + bar);
                return out;
            }
            out.add(prep);
            if (k == Outcome.Answer.GRANTED) out.add("MapCommit(" + q(x.i()) + ")");
            else if (k == Outcome.Answer.RETRY) out.add("MapRetry(" + q(x.i()) + ")");
            else if (k != Outcome.Answer.PREPARED) out.add("FALSE");
        } else if (op instanceof Op.MapCommitCall x) {
            out.add(k == Outcome.Answer.GRANTED ? "MapCommit(" + q(x.i()) + ")" : k == Outcome.Answer.RETRY
                    ? "MapRetry(" + q(x.i()) + ")" : "FALSE");
        } else if (op instanceof Op.DeviceUnmapCall || op instanceof Op.UnpinCall || op instanceof Op.InvAckCall
                || op instanceof Op.RevokeAckCall) {
            out.add(action);
        } else if (op instanceof Op.UnplugCall) {
            if (k == Outcome.Answer.DONE) {
                out.add("UnplugStart");
                out.add("UnplugEnd \\/ (Frozen /\\ exp = \"gone\")");
            } else {
                out.add("UnplugStart /\\ exp' = \"removing\" /\\ rev' = " + set(o.notified()));
            }
        } else if (op instanceof Op.SettleCall) {
            out.add("Frozen /\\ ~ENABLED Internal");
        } else {
            out.add("FALSE");
        }
        if (!bar.isEmpty()) out.set(out.size() - 1, "(" + out.get(out.size() - 1) + ")" + bar);
        return out;
    }

    private static String write(String action, String f, int o, Outcome out) {
        if (out.kind() == Outcome.Answer.STARTED || (out.notified() != null && !out.notified().isEmpty())) {
            return inv(action, q(f), out);
        }
        return action + " /\\ ~NewInv(" + q(f) + ")" + (out.value() == null ? "" : " /\\ lastw'[" + q(f) + "][" + o + "] = " + out.value());
    }

    private static String read(String action, String f, int o, Outcome out, String guard) {
        String qf = q(f);
        if (out.kind() == Outcome.Answer.STARTED || out.kind() == Outcome.Answer.DONE) return guard + "(" + inv(action, qf, out) + ")";
        String c = "cache[" + qf + "][" + o + "]";
        String stutter = out.path() == Outcome.Path.BLOCK
                ? "(Frozen /\\ " + c + ".st = \"absent\" /\\ PinnedAt(" + qf + ", " + o + ") /\\ DiskVal(" + qf + ", " + o + ") = " + out.value() + ")"
                : "(Frozen /\\ " + c + ".st # \"absent\" /\\ " + c + ".v = " + out.value() + ")";
        return guard + "((" + action + " /\\ ~NewInv(" + qf + ") /\\ " + c + "'.v = " + out.value() + ") \\/ " + stutter + ")";
    }

    /** The spec's action(s) an operation takes, for ENABLED: its row of {@link OpSchema}. */
    private static String action(Op op) { return OpSchema.of(op).tla(op); }

    /** The condition under which an operation must wait for an invalidation. */
    private static String waits(Op op) {
        if (op instanceof Op.DeviceMapCall x) return "InvOver(" + q(x.f()) + ", " + x.lo() + ", " + x.hi() + ")";
        if (op instanceof Op.WritebackCall x) return "InvOver(" + q(x.f()) + ", " + x.o() + ", " + x.o() + ")";
        String i = null;
        String f = null;
        if (op instanceof Op.DmaStartCall x) { i = x.i(); }
        if (op instanceof Op.DevReadCall x) { i = x.i(); f = x.f(); }
        if (op instanceof Op.DevWriteCall x) { i = x.i(); f = x.f(); }
        String dev = i == null ? null : "(\\E h \\in Files : inv[h].on /\\ " + q(i) + " \\in inv[h].await) \\/ (exp = \"removing\" /\\ "
                + q(i) + " \\in rev)";
        if (op instanceof Op.DmaStartCall) return dev;
        if (f != null) return "inv[" + q(f) + "].on \\/ " + dev;
        String file = fileOf(op);
        return file == null ? "FALSE" : "inv[" + q(file) + "].on";
    }

    private static String fileOf(Op op) {
        if (op instanceof Op.MunmapCall x) return x.f();
        if (op instanceof Op.WriteCall x) return x.f();
        if (op instanceof Op.ReadCall x) return x.f();
        if (op instanceof Op.TruncateCall x) return x.f();
        if (op instanceof Op.PunchHoleCall x) return x.f();
        if (op instanceof Op.FallocateCall x) return x.f();
        if (op instanceof Op.ReflinkCall x) return x.f();
        if (op instanceof Op.RelocateCall x) return x.f();
        if (op instanceof Op.UnshareCall x) return x.f();
        if (op instanceof Op.BarReclaimCall x) return x.f();
        return null;
    }

    /** The module text. */
    public String module() {
        StringBuilder sb = new StringBuilder();
        sb.append("---- MODULE ").append(name).append(" ----\n");
        sb.append("(* An observed trace of `dmap conform` as a trace spec: step j is what the device claims *)\n");
        sb.append("(* it did at step j.  TLC with invariant NotAtEnd: no violation = no behaviour of the   *)\n");
        sb.append("(* spec reaches the end = the trace is not a behaviour of DeviceMap.                   *)\n");
        sb.append("EXTENDS DeviceMap, TLC\n");
        sb.append("VARIABLE k\n\n");
        sb.append("Frozen == UNCHANGED vars\n");
        sb.append("NewInv(f) == inv'[f].on /\\ ~inv[f].on\n");
        sb.append("Started(f, N) == NewInv(f) /\\ ~inv'[f].done /\\ inv'[f].await = N\n");
        sb.append("Done(f, N) == IF NewInv(f) THEN inv'[f].done /\\ inv'[f].await = N ELSE N = {}\n");
        sb.append("NothingIn(f, lo, hi) == \\A o \\in lo..hi : extent[f][o] = Hole /\\ cache[f][o] = Absent\n");
        sb.append("DataAt(b) == IF b \\in DOMAIN data THEN data[b] ELSE 0\n");
        sb.append("DmaVal(i, v) == \\E d \\in dma : d.i = i /\\ (IF d.op = \"read\" THEN DataAt(d.b) = v ELSE d.v = v)\n");
        sb.append("Covers(i, f, o) == \\E g \\in maps : g.i = i /\\ g.f = f /\\ In(o, g)\n");
        sb.append("Direct(i, f, o, op) == \\E lo \\in Offsets : DmaStart(i, f, lo, o, op)\n");
        sb.append("\\* the system's own steps: FairSpec's weakly fair actions (Liveness.FAIR)\n");
        sb.append("Internal ==\n").append(Liveness.fairTla("    ")).append("\n\n");
        sb.append("TraceInit == Init /\\ k = 1\n\n");
        sb.append("TraceNext ==\n");
        for (int j = 0; j < steps.size(); j++) {
            sb.append("    \\* ").append(comments.get(j)).append('\n');
            sb.append("    \\/ k = ").append(j + 1).append(" /\\ (").append(steps.get(j)).append(") /\\ k' = ").append(j + 2)
                    .append('\n');
        }
        if (steps.isEmpty()) sb.append("    FALSE\n");
        sb.append("\nNotAtEnd == k # ").append(steps.size() + 1).append("\n");
        sb.append("====\n");
        return sb.toString();
    }

    /** The TLC configuration: the device's constants, the reference protocol. */
    public String cfg() {
        StringBuilder sb = new StringBuilder("\\* Generated by dmap conform\nCONSTANTS\n");
        List<String> route = new ArrayList<>();
        List<String> atomic = new ArrayList<>();
        List<String> write = new ArrayList<>();
        for (DutConfig.Importer i : cfg.importers()) {
            if (i.route()) route.add(i.name());
            if (i.atomic()) atomic.add(i.name());
            if (i.write()) write.add(i.name());
        }
        sb.append("  Files = ").append(set(Set.copyOf(cfg.files()))).append('\n');
        sb.append("  NOff = ").append(cfg.pages()).append('\n');
        sb.append("  NBlocks = ").append(cfg.blocks()).append('\n');
        sb.append("  Importers = ").append(set(Set.copyOf(cfg.importerNames()))).append('\n');
        sb.append("  Route = ").append(set(Set.copyOf(route))).append('\n');
        sb.append("  AtomicRoute = ").append(set(Set.copyOf(atomic))).append('\n');
        sb.append("  WriteOK = ").append(set(Set.copyOf(write))).append('\n');
        sb.append("  BarSize = ").append(cfg.barPages()).append('\n');
        sb.append("  MaxVal = ").append(maxVal).append('\n');
        sb.append("  PinSupport = ").append(bool(cfg.pinSupport())).append('\n');
        sb.append("  BdevCanInvalidate = ").append(bool(cfg.bdevInvalidate())).append('\n');
        sb.append("  PageCache = ").append(bool(cfg.pageCache())).append('\n');
        sb.append("  Variant = \"none\"\n");
        sb.append("INIT TraceInit\nNEXT TraceNext\nINVARIANT NotAtEnd\nCHECK_DEADLOCK FALSE\n");
        return sb.toString();
    }

    /**
     * The label of a failure whose trace module TLC accepts (a behaviour of the spec): it stands on
     * the harness's check alone, so it is presented as a harness-only check naming that check, never
     * as a trace TLC rejects.
     */
    public static String acceptedLabel(dev.devmap.harness.oracle.Failure f) {
        String check = switch (f.kind()) {
            case OUTCOME -> "the oracle's check of the answer at step " + f.step();
            case EVENT -> "the oracle's check of a reported event at step " + f.step();
            case LIVENESS -> "the bounded liveness check at settle (step " + f.step() + ")";
            default -> "the " + f.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " check at step " + f.step();
        };
        return "harness-only check (" + check + "): TLC accepts the trace module as a behaviour of DeviceMap, so it is "
                + "not a trace TLC rejects; the failure stands on that check alone";
    }

    /** Runs TLC (a child JVM) on the module with the spec in specDir. */
    public Confirmation confirm(Path specDir) { return confirm(specDir, null); }

    /** As above, in the warm runner's JVM when one is given (campaigns of many small modules). */
    public Confirmation confirm(Path specDir, dev.devmap.spec.tlc.Tlc warm) {
        try {
            TlcJob job = TlcJob.builder(specDir, name, cfg()).extraFile(name + ".tla", module()).workers(1)
                    .timeout(Duration.ofMinutes(3)).build();
            TlcResult r = warm == null ? new TlcRunner().run(job) : warm.run(job, dev.devmap.spec.tlc.TlcListener.NONE);
            int n = steps.size();
            switch (r.outcome()) {
                case OK: {
                    int explained = Math.max(0, r.depth() - 1);
                    return new Confirmation(true, false, explained, n, "TLC: not a behaviour of DeviceMap (the spec explains "
                            + explained + " of its " + n + " TLA+ steps; no behaviour takes step " + (explained + 1) + ")");
                }
                case INVARIANT_VIOLATED:
                    return new Confirmation(true, true, n, n, "TLC: this trace IS a behaviour of DeviceMap (all " + n
                            + " TLA+ steps explained)");
                default:
                    String err = r.errorText().strip();
                    int nl = err.indexOf('\n');
                    return new Confirmation(false, false, 0, n, "TLC could not check the trace: " + r.outcome() + " "
                            + (nl < 0 ? err : err.substring(0, nl)));
            }
        } catch (Exception e) {
            return new Confirmation(false, false, 0, steps.size(), "TLC could not run: " + e.getMessage());
        }
    }
}
