package dev.devmap.harness;

import dev.devmap.kernelapi.Event;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a device under test says about itself at the handshake (capability probing): which
 * operations it implements, which internal steps it may take without reporting them, what it can
 * observe, and why it cannot do the rest. Scenarios that need something missing are skipped with
 * that reason instead of failing.
 *
 * @param agent       name and version
 * @param version     the agent line protocol version it speaks
 * @param ops         the operations it implements (wire names of {@link dev.devmap.kernelapi.Op})
 * @param silent      internal steps it may take by itself without reporting them as events
 * @param observes    extra observations it reports: "bar" (BAR pages in use), "addrs" (DMA addresses), "blocks"
 * @param unsupported operation or feature name to the reason it is not supported
 * @param config      its default configuration
 * @param choices     the documented protocol choices of the facility it drives (models.json "choices"):
 *                    a scenario that fails under the standard model but passes under one of them is a
 *                    difference, not a failure
 * @param beyond      the model's bounds the device's own resources exceed, each with the device's word for
 *                    it ({@link #BOUNDS}: "blocks", its files' blocks come from a filesystem with more free
 *                    blocks than the config's): a scenario in which the device goes ahead where only that
 *                    bound stops the model ends there, beyond the model's bounds (skipped), not failed
 */
public record Capabilities(String agent, int version, Set<String> ops, Set<Event.Type> silent, Set<String> observes,
                           Map<String, String> unsupported, DutConfig config, java.util.List<String> choices,
                           Map<String, String> beyond) {
    /** The bounds a device may declare it exceeds ("beyond"). */
    public static final Set<String> BOUNDS = Set.of("blocks");

    public Capabilities(String agent, int version, Set<String> ops, Set<Event.Type> silent, Set<String> observes,
                        Map<String, String> unsupported, DutConfig config) {
        this(agent, version, ops, silent, observes, unsupported, config, java.util.List.of());
    }

    public Capabilities(String agent, int version, Set<String> ops, Set<Event.Type> silent, Set<String> observes,
                        Map<String, String> unsupported, DutConfig config, java.util.List<String> choices) {
        this(agent, version, ops, silent, observes, unsupported, config, choices, Map.of());
    }

    public Capabilities {
        choices = java.util.List.copyOf(choices);
        beyond = new TreeMap<>(beyond);
        if (!BOUNDS.containsAll(beyond.keySet())) throw new IllegalArgumentException("unknown bound in " + beyond.keySet());
        ops = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(ops));
        silent = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(silent));
        observes = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(observes));
        unsupported = new TreeMap<>(unsupported);
    }

    public boolean observes(String what) { return observes.contains(what); }

    public boolean supports(String op) { return ops.contains(op); }

    /**
     * The operations of the protocol a request needs the device to implement: its own, and for a
     * prepare-only map ({@code commit:false}) also {@code map_commit}: a device without the
     * prepare/commit split cannot hold a prepared map (it answers such a map with ENOSYS).
     */
    public static java.util.List<String> needed(dev.devmap.kernelapi.Op op) {
        if (op instanceof dev.devmap.kernelapi.Op.DeviceMapCall m && !m.commit()) {
            return java.util.List.of(op.wire(), "map_commit");
        }
        return java.util.List.of(op.wire());
    }

    /** Does the device implement everything request op needs ({@link #needed})? */
    public boolean supports(dev.devmap.kernelapi.Op op) { return ops.containsAll(needed(op)); }

    /** The same capabilities with these protocol choices listed. */
    public Capabilities withChoices(java.util.List<String> cs) {
        return new Capabilities(agent, version, ops, silent, observes, unsupported, config, cs, beyond);
    }

    /** Why op is not supported (the agent's reason, or a generic one). */
    public String whyNot(String op) {
        String r = unsupported.get(op);
        return r != null ? r : "the device does not implement " + op;
    }
}
