package dev.devmap.spec.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 *   <li>where util-linux's {@code setpriv} exists, the child's group leader is a small
 *       {@code sh} reaper started under {@code setpriv --pdeathsig TERM}: the kernel signals it when
 *       the thread that started it (and so this JVM, even after {@code kill -9}) dies, and the
 *       reaper then kills the child, removes the directory given to {@link #start(ProcessBuilder, Path)}
 *       (TLC's temporary work directory) and kills its whole process group: also the child's own
 *       children, which a parent-death signal on the child alone would not reach. The reaper passes
 *       stdin, stdout and stderr straight to the child, waits for it and exits with its status
 *       (128 + N for a signal N). As for any {@code cmd &} of a non-interactive shell, the child
 *       starts with SIGINT and SIGQUIT ignored (it is in a session of its own: no terminal sends
 *       them).</li>
 * </ul>
 */
public final class Supervisor {
    private Supervisor() { }

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Runnable> CLEANUPS = ConcurrentHashMap.newKeySet();
    private static final Path SETPRIV = find("setpriv");
    private static final Path SETSID = find("setsid");
    private static final Path KILL = find("kill");
    private static final Path SH = find("sh");

    /**
     * The reaper ({@code sh -c REAPER dmap-reaper DIR CMD...}): on SIGTERM (the parent-death signal)
     * it kills the child, removes DIR (if not empty) and then its own process group; otherwise it
     * waits for the child and exits with its status. The child gets the reaper's stdin, stdout and
     * stderr (through fds 3 and 4, as an asynchronous list would get /dev/null for stdin); the
     * reaper keeps none of them open, so an exited child's pipes close as before.
     */
    static final String REAPER = "d=$1; shift; trap 'kill -KILL $c 2>/dev/null; [ -z \"$d\" ] || rm -rf -- \"$d\"; kill -KILL 0' TERM; "
            + "exec 3<&0 4>&1; \"$@\" 0<&3 1>&4 3<&- 4>&- & c=$!; exec 0</dev/null 1>/dev/null 2>/dev/null 3<&- 4>&-; "
            + "while :; do wait $c; s=$?; kill -0 $c 2>/dev/null || exit $s; done";
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
        return start(pb, null);
    }

    /**
     * As {@link #start(ProcessBuilder)}; {@code removeOnDeath} (may be null), a directory the child
     * works in, is also removed by the reaper if this JVM dies without running its exit hook
     * ({@code kill -9}).
     */
    public static Process start(ProcessBuilder pb, Path removeOnDeath) throws IOException {
        List<String> wrapped = new ArrayList<>();
        boolean group = SETSID != null && KILL != null;
        boolean reaper = group && SETPRIV != null && SH != null;
        if (SETPRIV != null) wrapped.addAll(List.of(SETPRIV.toString(), "--pdeathsig", reaper ? "TERM" : "KILL", "--"));
        if (group) wrapped.add(SETSID.toString());   // not a group leader, so setsid execs (same pid = group id)
        if (reaper) {
            wrapped.addAll(List.of(SH.toString(), "-c", REAPER, "dmap-reaper",
                    removeOnDeath == null ? "" : removeOnDeath.toAbsolutePath().toString()));
        }
        if (exiting) throw new IOException("not started: the harness is exiting");
        if (!wrapped.isEmpty()) {
            wrapped.addAll(pb.command());
            pb = copy(pb, wrapped);
        }
        Process p = pb.start();
        LIVE.add(p);
        if (exiting) kill(p);   // the exit hook may have passed LIVE already
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

    /**
     * A watchdog for one job of p: a daemon thread that kills p ({@link #kill}) when the job is not
     * over within timeout, and says so ({@link Deadline#expired}); {@link Deadline#close} ends the
     * watch. A null timeout watches nothing. It also ends when p exits by itself.
     */
    public static Deadline deadline(Process p, Duration timeout, String name) {
        AtomicBoolean expired = new AtomicBoolean();
        if (timeout == null) return new Deadline(null, expired);
        Thread t = new Thread(() -> {
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    expired.set(true);
                    kill(p);
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return new Deadline(t, expired);
    }

    /** A running {@link #deadline}: whether it expired (and the process was killed); close ends the watch. */
    public static final class Deadline implements AutoCloseable {
        private final Thread watchdog;
        private final AtomicBoolean expired;

        private Deadline(Thread watchdog, AtomicBoolean expired) {
            this.watchdog = watchdog;
            this.expired = expired;
        }

        public boolean expired() { return expired.get(); }

        @Override
        public void close() {
            if (watchdog != null) watchdog.interrupt();
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

    private static volatile boolean exiting;

    /** Whether the exit hook has run (a signal or System.exit): work failing now failed because of it. */
    public static boolean isExiting() {
        return exiting;
    }

    /**
     * The exit hook: no child starts any more; every tree is killed and the clean-ups run, twice:
     * the threads still running meanwhile (e.g. one that saw TLC die and moved on to its next
     * job with a new work directory) get a moment to register, fail and clean up too.
     */
    private static void exiting() {
        exiting = true;
        for (int pass = 0; pass < 2; pass++) {
            for (Process p : List.copyOf(LIVE)) kill(p);
            for (Runnable r : List.copyOf(CLEANUPS)) {
                try {
                    r.run();
                } catch (RuntimeException ignored) {
                    // the JVM is exiting; the others still get their turn
                }
                CLEANUPS.remove(r);
            }
            if (pass == 0) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
