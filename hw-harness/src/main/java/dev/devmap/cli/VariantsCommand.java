package dev.devmap.cli;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.VariantModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code dmap variants}: one line per variant: name, the property it must violate, why. */
@Command(mixinStandardHelpOptions = true, name = "variants",
        description = "List the variants (known mistakes): name, the property each must violate, and why.")
public final class VariantsCommand extends SpecCommand {
    @Override
    public Integer call() {
        PrintWriter out = out();
        Manifest m = manifest();
        if (m.variants().isEmpty()) {
            err().println("dmap: no variants in " + m.file());
            return ExitCodes.OK;
        }
        int nameWidth = m.variants().keySet().stream().mapToInt(String::length).max().orElse(0);
        int propWidth = m.variants().values().stream().mapToInt(v -> v.violates().length()).max().orElse(0);
        for (VariantModel v : m.variants().values()) {
            out.println(String.format("%-" + nameWidth + "s  %-" + propWidth + "s  %s", v.name(), v.violates(), v.why())
                    .stripTrailing());
        }
        if (!m.choices().isEmpty()) {
            out.println();
            out.println("today's kernel's protocol choices (TLC's verdict, each property checked alone; counterexample states):");
            int w = m.choices().keySet().stream().mapToInt(String::length).max().orElse(0);
            for (VariantModel v : m.choices().values()) {
                List<String> broken = new ArrayList<>();
                v.choice().breaks().forEach((p, n) -> broken.add(p + " (" + n + ")"));
                List<String> witnesses = new ArrayList<>();
                v.choice().witness().forEach((p, n) -> witnesses.add(p + " (" + n + ")"));
                out.println(String.format("%-" + w + "s  %-10s %s", v.name(), v.choice().facility(),
                        (broken.isEmpty() ? "keeps every property" : "breaks " + String.join(", ", broken))
                                + (witnesses.isEmpty() ? "" : "; reaches its witness " + String.join(", ", witnesses))));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
