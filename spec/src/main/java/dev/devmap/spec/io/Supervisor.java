package dev.devmap.spec.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one place that starts and ends child processes (agents, QEMU, TLC): each child's whole tree
 * is killed when its owner ends it, and on this JVM's exit.
 * <ul>
 *   <li>where util-linux's {@code setsid} exists, the child leads a process group of its own, and
 *       {@link #kill} sends SIGKILL to the whole group: also to what the child started and left
 *       behind (a {@code sleep &} holding its stdout after it exited);</li>
 *   <li>{@link #kill} kills the child and every descendant ({@link ProcessHandle#descendants},
 *       taken before the child dies, so none is reparented out of reach), then waits for them;</li>
 *   <li>one shutdown hook kills every tree still running and then runs the registered clean-ups
 *       (e.g. removing TLC's temporary work directory): a plain {@code kill}, Ctrl-C or
 *       {@code System.exit} leaves no process and no temporary directory behind;</li>
 *   <li>where util-linux's {@code setpriv} exists, the child is started under
 *       {@code setpriv --pdeathsig KILL}: the kernel kills it when the thread that started it (and
 *       so this JVM, even after {@code kill -9}) dies. Its own children are not covered by this
 *       signal; an agent that forks should forward it (the C agent does not fork).</li>
 * </ul>
 */
public final class Supervisor {
    private Supervisor() { }

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Runnable> CLEANUPS = ConcurrentHashMap.newKeySet();
    private static final Path SETPRIV = find("setpriv");
    private static final Path SETSID = find("setsid");
    private static final Path KILL = find("kill");
    private static final Set<Long> GROUPS = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Supervisor::exiting, "dmap-supervisor-exit"));
    }

    private static Path find(String tool) {
        if (Boolean.getBoolean("dmap.no.pdeathsig")) return null;
        for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Paths.get(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Whether children get a parent-death signal on this machine. */
    public static boolean parentDeathSignal() { return SETPRIV != null; }

    /** Starts pb's command (under a parent-death signal where possible) and supervises it. */
    public static Process start(ProcessBuilder pb) throws IOException {
        List<String> wrapped = new ArrayList<>();
        if (SETPRIV != null) wrapped.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        boolean group = SETSID != null && KILL != null;
        if (group) wrapped.add(SETSID.toString());   // not a group leader, so setsid execs (same pid = group id)
        if (!wrapped.isEmpty()) {
            wrapped.addAll(pb.command());
            pb = copy(pb, wrapped);
        }
        Process p = pb.start();
        LIVE.add(p);
        if (group) GROUPS.add(p.pid());
        return p;
    }

    private static ProcessBuilder copy(ProcessBuilder pb, List<String> cmd) {
        ProcessBuilder c = new ProcessBuilder(cmd).directory(pb.directory()).redirectInput(pb.redirectInput())
                .redirectOutput(pb.redirectOutput()).redirectError(pb.redirectError())
                .redirectErrorStream(pb.redirectErrorStream());
        c.environment().clear();
        c.environment().putAll(pb.environment());
        return c;
    }

    /** Kills p and all its descendants, and waits (at most a few seconds) until they are gone. */
    public static void kill(Process p) {
        if (p == null) return;
        if (GROUPS.remove(p.pid())) killGroup(p.pid());
        List<ProcessHandle> tree = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            List<ProcessHandle> now = new ArrayList<>(p.descendants().toList());
            tree.addAll(now);
            if (round > 0 && now.isEmpty() && !p.isAlive()) break;
            // children first would let the parent fork again; the parent first reparents its children:
            // so the snapshot is taken before either dies, and the loop catches late forks
            p.destroyForcibly();
            for (ProcessHandle h : now) h.destroyForcibly();
        }
        try {
            p.waitFor(5, TimeUnit.SECONDS);
            for (ProcessHandle h : tree) h.onExit().get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception ignored) {
            // a descendant that does not die from SIGKILL (uninterruptible sleep) is beyond us
        }
        LIVE.remove(p);
    }

    /**
     * SIGKILL to the child's process group (its own, from setsid): this reaches descendants that
     * were reparented when their parent exited, which {@link ProcessHandle#descendants} cannot.
     */
    private static void killGroup(long pgid) {
        try {
            Process k = new ProcessBuilder(KILL.toString(), "-KILL", "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            k.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // fall back to the descendants
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The processes this JVM supervises that still run (for tests and diagnostics). */
    public static List<Process> live() {
        return LIVE.stream().filter(Process::isAlive).toList();
    }

    /** Runs r on this JVM's exit (after every child is killed) unless {@link Cleanup#close}d first. */
    public static Cleanup onExit(Runnable r) {
        CLEANUPS.add(r);
        return () -> CLEANUPS.remove(r);
    }

    /** A registered clean-up; close() deregisters it (its owner has cleaned up itself). */
    public interface Cleanup extends AutoCloseable {
        @Override
        void close();
    }

    private static void exiting() {
        for (Process p : List.copyOf(LIVE)) kill(p);
        for (Runnable r : List.copyOf(CLEANUPS)) {
            try {
                r.run();
            } catch (RuntimeException ignored) {
                // the JVM is exiting; the others still get their turn
            }
        }
    }
}
