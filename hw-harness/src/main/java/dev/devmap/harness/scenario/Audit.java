package dev.devmap.harness.scenario;

import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Semantics;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DutConfig;
import dev.devmap.model.Grant;
import dev.devmap.model.State;

import java.util.ArrayList;
import java.util.List;

/**
 * The data audit at the end of every scenario (after {@code settle}): every page is read back through
 * every path that applies, and the oracle checks each value against the model's last write.
 *
 * <ol>
 * <li>the device through each live grant, page by page (the direct path), then the CPU (a read of
 *     a page under a writable grant starts an invalidation; {@code settle} lets it finish);</li>
 * <li>the CPU again, and the device through the fallback path (an importer that holds no grant
 *     of the page), then writeback and evict of every page;</li>
 * <li>the CPU once more: now from the disk (the blocks), then {@code settle}.</li>
 * </ol>
 *
 * Each phase is generated from the state the oracle says the system is in when it starts; only
 * operations the device implements are sent.
 */
public final class Audit {
    /** The phases, in order. */
    public static final int PHASES = 3;

    private Audit() { }

    /** The operations of phase k (0-based) from state s. */
    public static List<Op> phase(int k, State s, DutConfig cfg, Capabilities caps) {
        List<Op> out = new ArrayList<>();
        switch (k) {
            case 0 -> {
                List<Grant> grants = new ArrayList<>(s.maps());
                grants.sort(Semantics.GRANT_COMPARATOR);
                for (Grant g : grants) for (int o = g.lo(); o <= g.hi(); o++) out.add(new Op.DevReadCall(g.i(), g.f(), o));
                cpuReads(out, cfg);
            }
            case 1 -> {
                cpuReads(out, cfg);
                for (String f : cfg.files()) {
                    if (!s.vma().contains(f)) continue;
                    for (int o = 1; o <= cfg.pages(); o++) {
                        String i = withoutGrant(s, cfg, f, o);
                        if (i != null) out.add(new Op.DevReadCall(i, f, o));
                    }
                }
                for (String f : cfg.files()) {
                    for (int o = 1; o <= cfg.pages(); o++) {
                        out.add(new Op.WritebackCall(f, o));
                        out.add(new Op.EvictCall(f, o));
                    }
                }
            }
            default -> cpuReads(out, cfg);
        }
        out.add(new Op.SettleCall());
        out.removeIf(op -> !caps.supports(op.wire()));
        return out;
    }

    private static void cpuReads(List<Op> out, DutConfig cfg) {
        for (String f : cfg.files()) for (int o = 1; o <= cfg.pages(); o++) out.add(new Op.ReadCall(f, o));
    }

    /** An importer that holds no grant covering (f, o): its device accesses take the fallback path. */
    private static String withoutGrant(State s, DutConfig cfg, String f, int o) {
        for (DutConfig.Importer i : cfg.importers()) {
            if (Semantics.covering(s, i.name(), f, o, false) == null) return i.name();
        }
        return null;
    }
}
