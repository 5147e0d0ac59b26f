package dev.devmap.harness;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a backend may touch: only the block device and the scratch directory named on the command
 * line. A block device with a mounted filesystem (on it or on one of its partitions), in use as swap
 * or held by another driver (LVM, md) is refused; scratch files go into a fresh subdirectory that is
 * removed at the end.
 */
public final class Safety {
    private Safety() { }

    /** Refused input: one line for the user. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) { super(message); }
    }

    /** Checks a block device; returns its canonical path. */
    public static Path blockDevice(Path dev) throws Refused {
        if (!Files.exists(dev)) throw new Refused("block device " + dev + " does not exist");
        Path real;
        int mode;
        long rdev;
        try {
            real = dev.toRealPath();
            Map<String, Object> a = Files.readAttributes(real, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            mode = (Integer) a.get("mode");
            rdev = (Long) a.get("rdev");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw new Refused("cannot inspect " + dev + ": " + e.getMessage());
        }
        if ((mode & 0170000) != 0060000) throw new Refused(dev + " is not a block device");
        long major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >> 12) & ~0xffL);
        String id = major + ":" + minor;
        List<String> ids = new ArrayList<>();
        ids.add(id);
        Path sys = Paths.get("/sys/dev/block", id);
        ids.addAll(partitions(sys));
        String why;
        try {
            why = mounted(ids, Files.readString(Paths.get("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new Refused("cannot read the mount table to check " + dev + ": " + e.getMessage());
        }
        if (why != null) throw new Refused("refusing " + dev + ": it has a mounted filesystem (" + why + ")");
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/swaps"))) {
                String first = line.split("\\s+")[0];
                if (first.equals(real.toString())) throw new Refused("refusing " + dev + ": it is in use as swap");
            }
        } catch (IOException ignored) {
            // no /proc/swaps: no swap
        }
        Path holders = sys.resolve("holders");
        if (Files.isDirectory(holders)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(holders)) {
                for (Path h : ds) throw new Refused("refusing " + dev + ": it is held by " + h.getFileName() + " (LVM, md, dm)");
            } catch (IOException ignored) {
                // unreadable: nothing held as far as we can tell
            }
        }
        return real;
    }

    private static List<String> partitions(Path sys) {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(sys)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(sys)) {
            for (Path p : ds) {
                if (Files.exists(p.resolve("partition")) && Files.exists(p.resolve("dev"))) {
                    out.add(Files.readString(p.resolve("dev")).strip());
                }
            }
        } catch (IOException ignored) {
            // no partitions visible
        }
        return out;
    }

    /**
     * The first mount in a /proc/self/mountinfo text whose device (field 3, major:minor) is one of
     * ids, as "major:minor on mount point", or null.
     */
    public static String mounted(List<String> ids, String mountinfo) {
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 4 && ids.contains(f[2])) return f[2] + " on " + f[4];
        }
        return null;
    }

    /** A fresh scratch subdirectory of dir (which must exist and be writable). */
    public static Path scratch(Path dir) throws Refused {
        if (!Files.isDirectory(dir)) throw new Refused("scratch directory " + dir + " does not exist");
        if (!Files.isWritable(dir)) throw new Refused("scratch directory " + dir + " is not writable");
        try {
            return Files.createTempDirectory(dir, "dmap-scratch-");
        } catch (IOException e) {
            throw new Refused("cannot create a scratch directory in " + dir + ": " + e.getMessage());
        }
    }

    /** Removes a scratch subdirectory this run created, with whatever the backend left in it. */
    public static void removeScratch(Path sub) {
        if (sub == null || !Files.isDirectory(sub)) return;
        try {
            dev.devmap.spec.io.Dirs.deleteTree(sub);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
