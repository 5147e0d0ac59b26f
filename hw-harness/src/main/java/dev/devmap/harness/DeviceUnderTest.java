package dev.devmap.harness;

/**
 * The interface a backend implements: a device with its driver, filesystem and importers, driven
 * by operations (what a program and the kernel do) and answering with observations (granted with
 * addresses or refused with a reason, values read, invalidations started and acknowledged, errors).
 *
 * <p>A backend touches only the devices and files named on the command line; {@link #reset} starts
 * from the spec's initial state: empty files, nothing mapped, the exporter up.
 */
public interface DeviceUnderTest extends AutoCloseable {
    /** A short name for reports, e.g. {@code sim} or {@code agent:./my-agent}. */
    String name();

    /** The handshake: identity and capabilities. */
    Capabilities capabilities() throws DutException;

    /** Back to the initial state with (as close as the device can) the proposed configuration; returns the actual one. */
    DutConfig reset(DutConfig proposed) throws DutException;

    /** Performs one operation. */
    Response perform(Request request) throws DutException;

    /**
     * What the real kernel behind this device showed in its own self-test, for the report's
     * "witnessed by" column; null for simulated devices and plain agents.
     */
    default KernelWitness kernelWitness() { return null; }

    /**
     * The seeded random sequences a run makes when {@code --random} / {@code --length} do not say:
     * how many, how long, and why no more (null: nothing to say). Simulated devices and plain agents:
     * 20 of 60 operations.
     */
    record RandomDefault(int count, int length, String why) {}

    default RandomDefault randomDefault() { return new RandomDefault(20, 60, null); }

    /** Releases the device (ends an agent, removes scratch files). */
    @Override
    void close();
}
