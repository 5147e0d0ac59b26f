package dev.devmap.harness.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.devmap.cli.ExitCodes;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.harness.sim.SimulatedDevice;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The simulated device behind the agent line protocol ({@code dmap agent-sim}): what a vendor's
 * agent does, in Java, so the protocol path is tested end to end. Faults of the agent itself
 * (crash, hang, garbage after N requests) can be switched on to test the harness's robustness.
 *
 * <p>With a scratch directory in the handshake it keeps one backing file per simulated file there
 * (the page values, written back on writeback), creates them on reset and removes them on bye.
 */
public final class AgentServer {
    /** Faults of the agent process (not of the protocol implementation). */
    public record Faults(int crashAfter, int hangAfter, int garbageAfter, int delayMs) {
        public static final Faults NONE = new Faults(0, 0, 0, 0);
    }

    private final SimulatedDevice dev;
    private final Faults faults;
    private final IntConsumer exit;
    private Path scratch;
    private final List<Path> scratchFiles = new ArrayList<>();

    public AgentServer(SimulatedDevice dev, Faults faults, IntConsumer exit) {
        this.dev = dev;
        this.faults = faults;
        this.exit = exit;
    }

    /** Serves until bye or end of input; returns the exit status. */
    public int serve(InputStream input, OutputStream output) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(output, StandardCharsets.UTF_8), 1 << 16);
        String line = in.readLine();
        if (line == null) return ExitCodes.OK;
        try {
            JsonNode hello = Wire.parse(line);
            if (!"hello".equals(hello.path("op").asText())) throw new Wire.ProtocolException("expected hello first");
            if (hello.has("scratch")) scratch = Paths.get(hello.get("scratch").asText());
            if (hello.path("devmap").asInt(-1) != Wire.VERSION) {
                System.err.println("devmap-agent-sim: harness speaks protocol " + hello.path("devmap") + ", answering "
                        + Wire.VERSION);
            }
        } catch (Wire.ProtocolException e) {
            System.err.println("devmap-agent-sim: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        write(out, Wire.helloReply(dev.capabilities()));
        int count = 0;
        while (true) {
            AgentDevice.spin(in, AgentDevice.AGENT_SPIN_NANOS);
            line = in.readLine();
            if (line == null) break;
            if (line.isBlank()) continue;
            count++;
            if (faults.crashAfter() > 0 && count > faults.crashAfter()) {
                System.err.println("devmap-agent-sim: crashing on request " + count + " (--crash-after)");
                System.err.flush();
                exit.accept(137);
                return 137;
            }
            if (faults.hangAfter() > 0 && count > faults.hangAfter()) {
                System.err.println("devmap-agent-sim: hanging on request " + count + " (--hang-after)");
                System.err.flush();
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    return ExitCodes.FAILED;
                }
            }
            if (faults.garbageAfter() > 0 && count > faults.garbageAfter()) {
                write(out, "Segmentation fault? {{{ not json");
                continue;
            }
            if (faults.delayMs() > 0) {
                try {
                    Thread.sleep(faults.delayMs());
                } catch (InterruptedException e) {
                    return ExitCodes.FAILED;
                }
            }
            long id = -1;
            try {
                JsonNode n = Wire.parse(line);
                id = n.path("id").asLong(-1);
                String op = n.path("op").asText("");
                if (op.equals("bye")) {
                    write(out, "{\"id\":" + id + ",\"ok\":true,\"result\":\"done\"}");
                    removeScratch();
                    return ExitCodes.OK;
                }
                if (op.equals("reset")) {
                    DutConfig cfg = dev.reset(Wire.parseConfig(n.get("config")));
                    makeScratch(cfg);
                    write(out, "{\"id\":" + id + ",\"ok\":true,\"result\":\"done\",\"config\":" + Wire.config(cfg) + "}");
                    continue;
                }
                Request req = Wire.parseRequest(n);
                Response r = dev.perform(req);
                if (req.op() instanceof dev.devmap.kernelapi.Op.WritebackCall w) writeBack(w.f());
                for (dev.devmap.kernelapi.Event e : r.before()) {   // steps taken before the operation's effect
                    out.write(Wire.event(e));
                    out.write('\n');
                }
                write(out, Wire.response(id, r));
            } catch (Wire.ProtocolException e) {
                write(out, "{\"id\":" + id + ",\"ok\":false,\"errno\":\"EPROTO\",\"message\":"
                        + quote(e.getMessage()) + "}");
            } catch (IOException e) {
                write(out, "{\"id\":" + id + ",\"ok\":false,\"errno\":\"EINVAL\",\"message\":"
                        + quote(e.getMessage()) + "}");
            } catch (RuntimeException e) {
                write(out, "{\"id\":" + id + ",\"ok\":false,\"errno\":\"EIO\",\"message\":" + quote(String.valueOf(e)) + "}");
            }
        }
        removeScratch();
        return ExitCodes.OK;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        Wire.str(sb, s == null ? "" : s);
        return sb.toString();
    }

    private static void write(BufferedWriter out, String line) throws IOException {
        out.write(line);
        out.write('\n');
        out.flush();
    }

    private void makeScratch(DutConfig cfg) throws IOException {
        if (scratch == null) return;
        removeScratch();
        for (String f : cfg.files()) {
            Path p = backing(f);
            Files.write(p, new byte[cfg.pages() * 8]);
            scratchFiles.add(p);
        }
    }

    private void writeBack(String f) throws IOException {
        if (scratch == null) return;
        Path p = backing(f);
        if (!Files.exists(p)) return;
        StringBuilder sb = new StringBuilder();
        dev.state().data().forEach(v -> sb.append(v).append('\n'));
        Files.writeString(p, sb.toString());
    }

    /** The backing file of f: directly in the scratch directory, whatever the name says. */
    private Path backing(String f) throws IOException {
        Path dir = scratch.toAbsolutePath().normalize();
        Path p = dir.resolve("devmap-sim-" + f + ".img").normalize();
        if (!dir.equals(p.getParent()) || f.contains("/")) {
            throw new IOException("file name '" + f + "' would leave the scratch directory");
        }
        return p;
    }

    private void removeScratch() throws IOException {
        for (Path p : scratchFiles) Files.deleteIfExists(p);
        scratchFiles.clear();
    }
}
