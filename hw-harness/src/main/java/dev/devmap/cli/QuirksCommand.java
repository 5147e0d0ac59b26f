package dev.devmap.cli;

import dev.devmap.harness.Requirement;
import dev.devmap.harness.sim.Quirk;
import dev.devmap.harness.sim.Quirks;

import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;

/** {@code dmap quirks}: the faults the simulated device can switch on, one per line, name first. */
@Command(mixinStandardHelpOptions = true, name = "quirks",
        description = {"List the quirks of the simulated device (use with --device sim:NAME), one per line: name, "
                + "kind (spec: a protection the spec's Variant removes; device: a fault of the device), the requirement "
                + "'dmap conform' reports it breaking, and what goes wrong."})
public final class QuirksCommand extends DmapCommand {
    @Override
    public Integer call() {
        PrintWriter out = out();
        int w = Quirks.all().stream().mapToInt(q -> q.name().length()).max().orElse(0);
        for (Quirk q : Quirks.all()) {
            String req = Requirement.valueOf(q.breaks()).spec();
            out.println(String.format("%-" + w + "s  %-6s  %-31s  %s%s", q.name(), q.kind().name().toLowerCase(Locale.ROOT), req, q.what(),
                    q.also().isEmpty() ? "" : " (also " + String.join(", ", q.also()) + ")"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
