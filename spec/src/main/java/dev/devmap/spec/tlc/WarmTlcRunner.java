package dev.devmap.spec.tlc;

import dev.devmap.spec.io.Dirs;
import dev.devmap.spec.io.Supervisor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs TLC jobs one after the other in one long-lived child JVM ({@link TlcServer}), for campaigns
 * of many small runs. Not thread-safe: one instance per thread.
 *
 * <p>A JVM is trusted only while every job it ran ended without a finding: TLC keeps static state
 * that a violation leaves behind (measured: after a liveness violation the next run of a model
 * whose properties hold exits 13 "without an error message"), so the child is ended after every
 * job whose outcome is not OK (violation, deadlock, evaluation or parse error, timeout) and the next
 * job starts a fresh one. Every finding therefore comes from a JVM that had found nothing before.
 * A job whose child died before it answered is run once more in a fresh JVM by {@link TlcRunner}.
 * Close it to end the child.
 */
public final class WarmTlcRunner implements Tlc, AutoCloseable {
    private final TlcRunner cold;
    private final List<String> jvmArgs;
    private Path home;
    private Process proc;
    private Writer toServer;
    private BufferedReader fromServer;
    private final StringBuilder stderr = new StringBuilder();
    private int jobs;
    private int starts;
    private int crashes;

    /** @param jvmArgs extra options of the child JVM (e.g. {@code -Xmx}) */
    public WarmTlcRunner(TlcRunner cold, List<String> jvmArgs) {
        this.cold = cold;
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** Jobs run in the warm JVM so far. */
    public int jobs() {
        return jobs;
    }

    /** Child JVMs started (one, plus one after every job with a finding, a timeout or a crash). */
    public int starts() {
        return starts;
    }

    /** Jobs whose child died before it answered (each run again in a fresh JVM). */
    public int crashes() {
        return crashes;
    }

    /** Runs one job (its work directory a fresh temporary one; {@link TlcJob#jvmArgs()} are ignored). */
    public TlcResult run(TlcJob job, TlcListener listener) throws IOException, InterruptedException {
        if (proc == null || !proc.isAlive()) start();
        // inside the child's home, which its reaper removes when this JVM dies (even by kill -9)
        Path work = Files.createTempDirectory(home, "job-");
        try {
            TlcRunner.prepare(job, work);
            List<String> args = TlcRunner.tlcArguments(job, work, true);
            StringBuilder line = new StringBuilder(work.toString());
            for (String a : args) {
                if (a.indexOf('\t') >= 0 || a.indexOf('\n') >= 0) throw new TlcException("a TLC argument holds a tab: " + a);
                line.append('\t').append(a);
            }
            long start = System.nanoTime();
            synchronized (stderr) {
                stderr.setLength(0);
            }
            toServer.write(line.append('\n').toString());
            toServer.flush();
            Supervisor.Deadline deadline = Supervisor.deadline(proc, job.timeout(), "dmap-warm-tlc-timeout");
            ToolOutputParser parser = new ToolOutputParser(listener, job.singleProperty());
            Integer exit = null;
            try {
                String l;
                while ((l = fromServer.readLine()) != null) {
                    if (l.startsWith(TlcServer.END)) {
                        exit = Integer.parseInt(l.substring(TlcServer.END.length()).strip());
                        break;
                    }
                    parser.line(l);
                }
            } finally {
                deadline.close();
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            if (deadline.expired()) {
                stop();
                TlcResult r = parser.result(137, wall, "");
                return new TlcResult(TlcResult.Outcome.ERROR, r.generated(), r.distinct(), r.depth(), null, r.trace(),
                        r.loop(), 137, wall, "TLC timed out after " + job.timeout().toSeconds() + "s and was killed\n"
                        + r.errorText());
            }
            if (exit == null || exit == TlcServer.CRASHED) {
                stop();
                crashes++;
                return cold.run(job, listener);   // the child died or TLC threw: this job in a fresh JVM
            }
            jobs++;
            String err;
            synchronized (stderr) {
                err = stderr.toString();
            }
            TlcResult r = parser.result(exit, wall, err);
            if (r.outcome() != TlcResult.Outcome.OK) stop();   // a finding may leave TLC's static state behind
            return r;
        } finally {
            Dirs.deleteTree(work);
        }
    }

    private void start() throws IOException {
        if (home != null) Dirs.deleteTree(home);
        home = Files.createTempDirectory("dmap-warm-jvm-");
        Files.createDirectories(home.resolve("tmp"));
        List<String> cmd = new ArrayList<>();
        cmd.add(TlcRunner.defaultJava().toString());
        cmd.add("-XX:+UseParallelGC");
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(cold.tlaTools() + java.io.File.pathSeparator + ownLocation());
        cmd.add(TlcServer.class.getName());
        proc = Supervisor.start(new ProcessBuilder(cmd).directory(home.toFile()), home);
        starts++;
        toServer = new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8);
        fromServer = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
        Process p = proc;
        Thread errReader = new Thread(() -> TlcRunner.drain(p.getErrorStream(), stderr), "dmap-warm-tlc-stderr");
        errReader.setDaemon(true);
        errReader.start();
    }

    private static String ownLocation() {
        try {
            return Paths.get(TlcServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new TlcException("cannot locate the classes of " + TlcServer.class.getName() + ": " + e.getMessage(), e);
        }
    }

    private void stop() {
        if (proc != null) {
            Supervisor.kill(proc);
            try {
                proc.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        proc = null;
    }

    @Override
    public void close() throws IOException {
        if (proc != null) {
            try {
                toServer.close();   // the server ends at end of input
                if (!proc.waitFor(5, TimeUnit.SECONDS)) stop();
            } catch (IOException | InterruptedException e) {
                stop();
            }
        }
        proc = null;
        if (home != null) Dirs.deleteTree(home);
        home = null;
    }
}
