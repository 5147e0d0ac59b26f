package dev.devmap.props;

import dev.devmap.model.Constants;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.RunPlan;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The spec directory and its models manifest, found from the working directory (the module
 * directory under Surefire, the project directory under PIT), and the model constants the
 * properties run on: the same models.json entries that drive TLC.
 */
public final class Specs {
    private static Manifest manifest;

    private Specs() {
    }

    /** {@code spec/} of this work tree: the first ancestor of the working directory that has one. */
    public static Path specDir() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("spec").resolve(Manifest.FILE_NAME))) {
                return p.resolve("spec");
            }
        }
        throw new IllegalStateException("no spec/" + Manifest.FILE_NAME + " above " + dir);
    }

    public static synchronized Manifest manifest() {
        if (manifest == null) {
            manifest = Manifest.loadFromSpecDir(specDir());
        }
        return manifest;
    }

    public static RunPlan plan(String model) {
        return manifest().plan(model);
    }

    /** Constants of a model of the manifest ("ci", "large"). */
    public static Constants model(String name) {
        return TlaBridge.constants(plan(name).constants());
    }

    /** Constants of a variant: its base model with the variant's constants applied. */
    public static Constants variant(String name) {
        return TlaBridge.constants(manifest().planVariant(name).constants());
    }
}
