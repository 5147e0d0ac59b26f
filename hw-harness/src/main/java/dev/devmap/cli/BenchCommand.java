package dev.devmap.cli;

import picocli.CommandLine.Command;

/** {@code dmap bench ...}: benchmarks that print numbers side by side (never timed assertions). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints its figures and ratios side by side in one run.",
        subcommands = {BenchExploreCommand.class, BenchConformCommand.class})
public final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing a benchmark (explore, conform)");
    }
}
