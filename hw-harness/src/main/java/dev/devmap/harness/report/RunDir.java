package dev.devmap.harness.report;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run's own report directory, {@code BASE/<UTC time>-seed<N>[-k]/}, made with an exclusive create
 * (two runs at once never share one), and {@code BASE/latest}, a symbolic link to the newest,
 * replaced atomically. Nothing else in BASE is read, changed or removed; a {@code latest} that is
 * not a symbolic link is left alone.
 */
public final class RunDir {
    private RunDir() { }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    public static Path create(Path base, long seed) throws IOException {
        Files.createDirectories(base);
        String stem = STAMP.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-seed" + seed;
        for (int k = 1; ; k++) {
            Path dir = base.resolve(k == 1 ? stem : stem + "-" + k);
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            link(base, dir);
            return dir;
        }
    }

    private static void link(Path base, Path dir) {
        Path latest = base.resolve("latest");
        if (Files.exists(latest) && !Files.isSymbolicLink(latest)) return;   // not ours
        Path tmp = base.resolve(".latest-" + dir.getFileName());
        try {
            Files.createSymbolicLink(tmp, dir.getFileName());
            Files.move(tmp, latest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            try {
                Files.deleteIfExists(tmp);   // made above, by this run
            } catch (IOException ignored) {
                // no link then; the run directory is printed anyway
            }
        }
    }
}
