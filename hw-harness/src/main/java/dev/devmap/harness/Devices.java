package dev.devmap.harness;

import dev.devmap.harness.agent.AgentDevice;
import dev.devmap.harness.linux.LinuxKernel;
import dev.devmap.harness.sim.Quirk;
import dev.devmap.harness.sim.Quirks;
import dev.devmap.harness.sim.SimulatedDevice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The device string forms: {@code sim}, {@code sim:QUIRK[,QUIRK...][,ack-delay=N][,fs=dax][,choices=NAME+NAME]} (the embedded
 * simulated device, with quirks), {@code agent:CMD} (any program speaking the agent line protocol),
 * {@code linux-qemu[:bar-pages=N][,fs=dax|xfs]} and {@code linux:pci=BDF[,...]} (a real kernel, see {@link LinuxKernel}).
 */
public final class Devices {
    private Devices() { }

    public static DeviceUnderTest open(String spec, Duration timeout, Map<String, String> resources, Consumer<String> log) {
        return open(spec, timeout, resources, log, log);
    }

    /** As {@link #open(String, Duration, Map, Consumer)}; long preparations (a kernel build) report to {@code progress}. */
    public static DeviceUnderTest open(String spec, Duration timeout, Map<String, String> resources, Consumer<String> log,
                                       Consumer<String> progress) {
        if (spec.equals("linux-qemu") || spec.startsWith("linux-qemu:") || spec.equals("linux") || spec.startsWith("linux:")) {
            return LinuxKernel.open(spec, timeout, resources, log, progress);
        }
        if (spec.equals("sim") || spec.startsWith("sim:")) {
            List<Quirk> quirks = new ArrayList<>();
            int ackDelay = -1;
            boolean fsDax = false;
            List<String> listed = new ArrayList<>();
            String rest = spec.length() > 4 ? spec.substring(4) : "";
            StringBuilder names = new StringBuilder();
            for (String part : rest.split(",")) {
                if (part.isBlank()) continue;
                if (part.startsWith("ack-delay=")) {
                    try {
                        ackDelay = Integer.parseInt(part.substring("ack-delay=".length()));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("ack-delay needs a number, not '" + part + "'");
                    }
                    if (ackDelay < 0) throw new IllegalArgumentException("ack-delay must be at least 0");
                } else if (part.equals("fs=dax")) {
                    fsDax = true;
                } else if (part.startsWith("choices=")) {
                    for (String c : part.substring("choices=".length()).split("\\+")) {
                        Quirk q = Quirks.of(c.strip());
                        if (q.variant() == null || !q.variant().choice()) {
                            throw new IllegalArgumentException("choices= lists kernel protocol choices (models.json \"choices\"), not '"
                                    + c + "'");
                        }
                        listed.add(c.strip());
                    }
                } else {
                    names.append(names.length() == 0 ? "" : ",").append(part);
                }
            }
            quirks.addAll(Quirks.parse(names.toString()));
            return new SimulatedDevice(quirks, ackDelay, listed, fsDax);
        }
        if (spec.startsWith("agent:")) {
            String cmd = spec.substring("agent:".length()).strip();
            if (cmd.isEmpty()) throw new IllegalArgumentException("agent: needs a command, e.g. agent:./my-agent");
            return new AgentDevice(cmd, timeout, resources, log);
        }
        throw new IllegalArgumentException("unknown device '" + spec + "' (forms: sim, sim:QUIRK[,QUIRK...], agent:CMD, linux-qemu, linux:pci=BDF)");
    }
}
