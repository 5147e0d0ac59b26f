package dev.devmap.cli;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.Variant;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code dmap variants}: one line per variant: name, the property it must violate, why. */
@Command(mixinStandardHelpOptions = true, name = "variants",
        description = "List the variants (known mistakes): name, the property each must violate, and why.")
public final class VariantsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    SpecDirOption specDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Manifest m = Manifest.loadFromSpecDir(specDir.resolve());
        if (m.variants().isEmpty()) {
            spec.commandLine().getErr().println("dmap: no variants in " + m.file());
            return ExitCodes.OK;
        }
        int nameWidth = m.variants().keySet().stream().mapToInt(String::length).max().orElse(0);
        int propWidth = m.variants().values().stream().mapToInt(v -> v.violates().length()).max().orElse(0);
        for (Variant v : m.variants().values()) {
            out.println(String.format("%-" + nameWidth + "s  %-" + propWidth + "s  %s", v.name(), v.violates(), v.why())
                    .stripTrailing());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
