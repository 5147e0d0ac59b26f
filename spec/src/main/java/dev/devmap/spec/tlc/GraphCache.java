package dev.devmap.spec.tlc;

import dev.devmap.spec.model.RunPlan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a model's state graph ({@code -dump dot,actionlabels}) is kept for the rest of one build, so
 * that the spec module's run of the CI model also gives the mirror check its graph: under the spec
 * directory's {@code target/graphs}, named by the model and a digest of what decides the graph (the
 * spec's text, its name and the constants). Invariants and properties do not change the graph of a
 * run that holds, so they are not in the key; a changed spec gets a new file.
 */
public final class GraphCache {
    private GraphCache() {}

    /** The file of plan's graph for the spec in specDir (it may not exist). */
    public static Path file(Path specDir, RunPlan plan) throws IOException {
        String text = Files.readString(specDir.resolve(plan.spec() + ".tla"));
        return specDir.resolve("target").resolve("graphs").resolve(plan.name() + "-" + digest(text, plan) + ".dot");
    }

    static String digest(String specText, RunPlan plan) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(specText.getBytes(StandardCharsets.UTF_8));
            md.update(("\n" + plan.spec() + "\n" + plan.constants()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keep dot (the graph of a run of plan that held) as plan's graph. */
    public static void keep(Path specDir, RunPlan plan, Path dot) throws IOException {
        Path to = file(specDir, plan);
        Files.createDirectories(to.getParent());
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(dot, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
