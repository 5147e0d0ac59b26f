package dev.devmap.cli;

import dev.devmap.spec.model.Manifest;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;

/**
 * A subcommand that reads the spec: {@code --spec-dir} (else {@code $DMAP_HOME/spec}, else
 * {@code ./spec}) and its models.json, loaded once; a missing directory or a malformed manifest is
 * bad input (exit 2).
 */
abstract class SpecCommand extends DmapCommand {
    @Mixin
    SpecDirOption specDir;

    private Path dir;
    private Manifest manifest;

    /** The spec directory (bad input if it does not exist). */
    final Path specDir() {
        if (dir == null) dir = specDir.resolve();
        return dir;
    }

    /** models.json of the spec directory, checked against the module's constants. */
    final Manifest manifest() {
        if (manifest == null) manifest = Manifest.loadFromSpecDir(specDir());
        return manifest;
    }
}
