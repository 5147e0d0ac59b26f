package dev.devmap.harness.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devmap.kernelapi.Event;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DeviceUnderTest;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.DutException;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.spec.io.Supervisor;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A device under test behind an agent process speaking the line protocol on its stdin and stdout.
 * Every request has a deadline (a watchdog kills an agent that misses it); an agent that hangs,
 * exits or writes something that is not the protocol raises {@link DutException}, is killed, and is
 * started afresh (with a new handshake) on the next {@link #reset}.
 */
public final class AgentDevice implements DeviceUnderTest {
    private final String display;
    private final List<String> argv;
    private final Duration opTimeout;
    private final Map<String, String> resources;
    private final Consumer<String> log;

    private Duration handshakeTimeout;
    private Process proc;
    private LineReader out;
    private BufferedWriter in;
    private Tail stderr = new Tail(STDERR_TAIL);
    private DutException broken;   // a restart failed: the agent is not started again
    private Capabilities caps;
    private long nextId = 1;
    private int starts;
    private volatile long deadline;
    private volatile boolean timedOut;
    private Thread watchdog;

    /**
     * @param command   the agent command line (split like a shell would)
     * @param opTimeout the deadline of each request
     * @param resources what the agent may touch, sent in the handshake ("scratch", "block_device")
     * @param log       receives one line per start, restart and fault (e.g. a KTAP diagnostic)
     */
    public AgentDevice(String command, Duration opTimeout, Map<String, String> resources, Consumer<String> log) {
        this(CommandSplitter.split(command), "agent:" + command, opTimeout, resources, log);
    }

    /** As above, with the command already split into words (nothing to quote), shown as {@code display}. */
    public AgentDevice(List<String> argv, String display, Duration opTimeout, Map<String, String> resources,
                       Consumer<String> log) {
        this.display = display;
        this.argv = List.copyOf(argv);
        this.opTimeout = opTimeout;
        this.handshakeTimeout = HANDSHAKE_TIMEOUT;
        this.resources = new LinkedHashMap<>(resources);
        this.log = log;
    }

    @Override
    public String name() { return display; }

    /** How long an agent may take from its start to its hello (default {@link #HANDSHAKE_TIMEOUT}). */
    public AgentDevice handshakeTimeout(Duration d) {
        this.handshakeTimeout = d;
        return this;
    }

    /** The default handshake timeout: an agent may load a driver or open a device first. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(15);
    /** The longest line an agent may write (bytes); a longer one is reported as garbage. */
    public static final int MAX_LINE = 1 << 20;
    /** The most event lines an agent may send before one answer. */
    public static final int MAX_EVENTS = 10_000;
    /** How much of the agent's stderr is kept (the last characters). */
    public static final int STDERR_TAIL = 8192;

    /** The agent process's id, or -1 when none runs. */
    public long pid() { return proc != null && proc.isAlive() ? proc.pid() : -1; }

    /** How many times the agent was started. */
    public int starts() { return starts; }

    private void start() throws DutException {
        if (broken != null) {
            throw new DutException(broken.kind(), "not restarted: an earlier restart failed (" + broken.getMessage() + ")",
                    broken.log());
        }
        try {
            startOnce();
        } catch (DutException e) {
            if (starts > 1) broken = e;   // a dead agent must not cost a handshake timeout per remaining scenario
            throw e;
        }
    }

    private void startOnce() throws DutException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        try {
            proc = Supervisor.start(pb);
        } catch (IOException e) {
            starts++;
            throw new DutException(DutException.Fault.START, "cannot start " + String.join(" ", argv) + ": " + e.getMessage(), "");
        }
        starts++;
        timedOut = false;
        Process p = proc;
        Tail t = stderr = new Tail(STDERR_TAIL);
        Thread drain = new Thread(() -> t.drain(p.getErrorStream()), "dmap-agent-stderr");
        drain.setDaemon(true);
        drain.start();
        out = new LineReader(proc.getInputStream(), MAX_LINE);
        in = new BufferedWriter(new OutputStreamWriter(proc.getOutputStream(), StandardCharsets.UTF_8));
        if (watchdog == null) {
            watchdog = new Thread(this::watch, "dmap-agent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        log.accept("agent started (pid " + proc.pid() + (starts > 1 ? ", restart " + (starts - 1) : "") + ")");
        send(Wire.hello("dmap 0.1", resources));
        String line = readLine(handshakeTimeout, "the handshake");
        JsonNode n = parse(line);
        if (n.has("devmap") && n.get("devmap").asInt() != Wire.VERSION) {
            Capabilities c = hello(n);
            kill();
            throw new DutException(DutException.Fault.PROTOCOL, "the agent speaks protocol version " + c.version()
                    + "; this harness speaks " + Wire.VERSION, tail());
        }
        caps = hello(n);
    }

    private Capabilities hello(JsonNode n) throws DutException {
        try {
            return Wire.parseHello(n);
        } catch (Wire.ProtocolException e) {
            kill();
            throw new DutException(DutException.Fault.GARBAGE, "bad handshake: " + e.getMessage(), tail());
        }
    }

    private void watch() {
        while (true) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            long d = deadline;
            Process p = proc;
            if (d != 0 && System.nanoTime() - d > 0 && p != null && p.isAlive()) {
                timedOut = true;
                Supervisor.kill(p);
            }
        }
    }

    private String tail() {
        return stderr.lastLines(3);
    }

    private boolean alive() { return proc != null && proc.isAlive(); }

    /** Kills the agent and everything it started. */
    private void kill() {
        Supervisor.kill(proc);
    }

    private void send(String line) throws DutException {
        deadline = System.nanoTime() + opTimeout.toNanos();   // an agent that does not read is killed
        try {
            in.write(line);
            in.write('\n');
            in.flush();
        } catch (IOException e) {
            throw died("while writing a request");
        } finally {
            deadline = 0;
        }
    }

    /**
     * The next line, within the timeout whoever holds the agent's stdout: lines come from a reader
     * thread; at the deadline the agent's whole process tree is killed and the wait ends.
     */
    private String readLine(Duration timeout, String what) throws DutException {
        LineReader.Line l = out.next(timeout, idleCore() ? SPIN_NANOS : 0, proc);
        if (l == null) {
            timedOut = true;
            return hung(timeout, what);
        }
        if (l.overlong()) {
            kill();
            throw new DutException(DutException.Fault.GARBAGE, "a line longer than " + MAX_LINE + " bytes during " + what
                    + ": " + Wire.clip(l.text()), tail());
        }
        if (l.text() == null) throw died("during " + what);
        return l.text();
    }

    private String hung(Duration timeout, String what) throws DutException {
        kill();
        boolean hs = timeout == handshakeTimeout;
        throw new DutException(DutException.Fault.HANG, "no answer within " + (hs ? timeout : opTimeout).toMillis()
                + " ms during " + what + (hs ? " (the handshake timeout)" : "") + "; killed", tail());
    }

    /**
     * Waits a little while actively before blocking: an answer usually comes within tens of
     * microseconds, and waking a blocked thread costs about as much again (round trips double).
     */
    static void spin(BufferedReader r, long nanos) throws IOException {
        if (nanos <= 0 || !idleCore() || r.ready()) return;
        long start = System.nanoTime();
        long busy = start + Math.min(nanos, BUSY_NANOS);
        long until = start + nanos;
        while (!r.ready()) {
            long now = System.nanoTime();
            if (now - until >= 0) return;
            if (now - busy < 0) Thread.onSpinWait(); else Thread.yield();
        }
    }

    private static volatile long loadCheckedAt;
    private static volatile boolean idleCore;

    /**
     * Whether a core is free for spinning: the load average is below the number of processors minus
     * one. On a loaded machine a spinning or yielding waiter loses its core for a whole timeslice and
     * blocking is 3-5x faster (measured); on an idle one spinning halves the round trip.
     */
    static boolean idleCore() {
        long now = System.nanoTime();
        if (now - loadCheckedAt > 500_000_000L) {
            loadCheckedAt = now;
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            idleCore = load >= 0 && load < Runtime.getRuntime().availableProcessors() - 1;
        }
        return idleCore;
    }

    /** The first part of a wait is a busy spin (-Ddmap.busy.micros), the rest yields. */
    static final long BUSY_NANOS = Long.getLong("dmap.busy.micros", 20) * 1000;
    /** How long the harness yields before blocking on an answer (-Ddmap.spin.micros; measured best: 50). */
    static final long SPIN_NANOS = Long.getLong("dmap.spin.micros", 50) * 1000;
    /** How long agent-sim yields before blocking on the next request (-Ddmap.agent.spin.micros; measured best: 200). */
    static final long AGENT_SPIN_NANOS = Long.getLong("dmap.agent.spin.micros", 200) * 1000;

    private DutException died(String when) {
        if (timedOut) {
            kill();
            return new DutException(DutException.Fault.HANG, "no answer within " + opTimeout.toMillis() + " ms " + when
                    + "; killed", tail());
        }
        kill();
        String status = proc == null || proc.isAlive() ? "" : " (exit status " + proc.exitValue() + ")";
        return new DutException(DutException.Fault.CRASH, "exited" + status + " " + when, tail());
    }

    private JsonNode parse(String line) throws DutException {
        try {
            return Wire.parse(line);
        } catch (Wire.ProtocolException e) {
            kill();
            throw new DutException(DutException.Fault.GARBAGE, e.getMessage(), tail());
        }
    }

    @Override
    public Capabilities capabilities() throws DutException {
        if (caps == null || !alive()) start();
        return caps;
    }

    @Override
    public DutConfig reset(DutConfig proposed) throws DutException {
        if (!alive()) {
            if (proc != null) log.accept("agent restarting");
            start();
        }
        long id = nextId++;
        send(Wire.reset(id, proposed));
        JsonNode n = response(id, "reset", new ArrayList<>());
        try {
            if (!n.path("ok").asBoolean(false)) {
                throw new DutException(DutException.Fault.PROTOCOL, "reset refused: " + n.path("message").asText(""), tail());
            }
            return n.has("config") ? Wire.parseConfig(n.get("config")) : proposed;
        } catch (Wire.ProtocolException e) {
            kill();
            throw new DutException(DutException.Fault.GARBAGE, "bad reset answer: " + e.getMessage(), tail());
        }
    }

    /** Reads lines up to the response with this id; event lines before it go to {@code before}. */
    private JsonNode response(long id, String what, List<Event> before) throws DutException {
        long until = System.nanoTime() + opTimeout.toNanos();
        while (true) {
            long left = until - System.nanoTime();
            String line = readLine(Duration.ofNanos(Math.max(left, 1)), what);
            JsonNode n = parse(line);
            if (n.has("event")) {
                if (before.size() >= MAX_EVENTS) {
                    kill();
                    throw new DutException(DutException.Fault.GARBAGE, "more than " + MAX_EVENTS + " events before the answer to "
                            + what, tail());
                }
                try {
                    before.add(Wire.parseEvent(n));
                } catch (Wire.ProtocolException e) {
                    kill();
                    throw new DutException(DutException.Fault.GARBAGE, e.getMessage() + ": " + Wire.clip(line), tail());
                }
                continue;
            }
            JsonNode idn = n.get("id");
            if (idn == null || !idn.isIntegralNumber() || idn.asLong(-1) != id) {
                kill();
                throw new DutException(DutException.Fault.GARBAGE, "expected the answer to request " + id + ", got: "
                        + Wire.clip(line), tail());
            }
            return n;
        }
    }

    @Override
    public Response perform(Request request) throws DutException {
        if (!alive()) throw died("before " + request.op().show());
        long id = nextId++;
        send(Wire.request(id, request));
        List<Event> before = new ArrayList<>();
        JsonNode n = response(id, request.op().show(), before);
        try {
            return Wire.parseResponse(n, before);
        } catch (Wire.ProtocolException e) {
            kill();
            throw new DutException(DutException.Fault.GARBAGE, e.getMessage() + " in the answer to " + request.op().show(),
                    tail());
        }
    }

    @Override
    public void close() {
        if (alive()) {
            try {
                send(Wire.bye(nextId++));
                out.next(Duration.ofSeconds(2), 0);
                proc.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // it is going away anyway
            }
        }
        kill();
        if (watchdog != null) watchdog.interrupt();
    }
}
