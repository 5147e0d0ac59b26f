package dev.devmap.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import picocli.CommandLine.Option;

/**
 * The {@code --spec-dir} option shared by the subcommands. The spec directory is
 * {@code --spec-dir}, else {@code $DMAP_HOME/spec}, else {@code ./spec}.
 */
public final class SpecDirOption {
    public static final String HOME_ENV = "DMAP_HOME";

    @Option(names = "--spec-dir", paramLabel = "DIR",
            description = "Directory of the TLA+ spec and models.json (default: $DMAP_HOME/spec, else ./spec).")
    Path specDir;

    /** The spec directory; a CliException (bad input) if it does not exist. */
    public Path resolve() {
        return resolve(specDir, System.getenv(HOME_ENV));
    }

    /**
     * For commands that can do without the spec: the directory given with --spec-dir (checked as
     * {@link #resolve()} does), else the default one if it holds the spec, else null.
     */
    public Path resolveIfPresent() {
        if (specDir != null) return resolve();
        try {
            Path dir = resolve();
            return Files.isRegularFile(dir.resolve("DeviceMap.tla")) ? dir : null;
        } catch (CliException e) {
            return null;
        }
    }

    static Path resolve(Path option, String home) {
        Path dir;
        String from;
        if (option != null) {
            dir = option;
            from = "--spec-dir";
        } else if (home != null && !home.isBlank()) {
            dir = Paths.get(home, "spec");
            from = "$" + HOME_ENV + "/spec";
        } else {
            dir = Paths.get("spec");
            from = "./spec (set --spec-dir or " + HOME_ENV + ")";
        }
        if (!Files.isDirectory(dir)) {
            throw CliException.badInput("spec directory " + dir + " does not exist (from " + from + ")");
        }
        return dir;
    }
}
