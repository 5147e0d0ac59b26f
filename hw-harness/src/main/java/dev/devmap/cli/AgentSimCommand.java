package dev.devmap.cli;

import dev.devmap.harness.agent.AgentServer;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dmap agent-sim}: the simulated device behind the agent line protocol, on stdin and stdout. */
@Command(mixinStandardHelpOptions = true, name = "agent-sim",
        description = {"Serve the simulated device over the agent line protocol (v1) on stdin/stdout, as a vendor's "
                + "agent would: dmap conform --device agent:'./dmap agent-sim [--quirk NAME]'.",
                "--crash-after, --hang-after and --garbage-after make the agent itself misbehave (to test the harness)."})
public final class AgentSimCommand extends DmapCommand {
    @Option(names = "--quirk", paramLabel = "NAME", split = ",", description = "Switch on a quirk (see 'dmap quirks').")
    List<String> quirks = new ArrayList<>();

    @Option(names = "--ack-delay", paramLabel = "N", defaultValue = "-1",
            description = "Importers acknowledge by themselves N operations after being notified (default: only when told).")
    int ackDelay;

    @Option(names = "--crash-after", paramLabel = "N", defaultValue = "0", description = "Exit (status 137) on request N+1.")
    int crashAfter;

    @Option(names = "--hang-after", paramLabel = "N", defaultValue = "0", description = "Stop answering from request N+1.")
    int hangAfter;

    @Option(names = "--garbage-after", paramLabel = "N", defaultValue = "0", description = "Answer garbage from request N+1.")
    int garbageAfter;

    @Option(names = "--delay-ms", paramLabel = "MS", defaultValue = "0", description = "Sleep before each answer.")
    int delayMs;

    @Override
    public Integer call() throws Exception {
        SimulatedDevice dev;
        try {
            dev = new SimulatedDevice(Quirks.parse(String.join(",", quirks)), ackDelay);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(e.getMessage());
        }
        AgentServer server = new AgentServer(dev, new AgentServer.Faults(crashAfter, hangAfter, garbageAfter, delayMs),
                code -> Runtime.getRuntime().halt(code));
        return server.serve(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
    }
}
