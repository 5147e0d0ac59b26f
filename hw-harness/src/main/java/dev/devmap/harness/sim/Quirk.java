package dev.devmap.harness.sim;

import dev.devmap.model.Variant;

import java.util.List;

/**
 * A switchable fault of the simulated device: a mistake a kernel driver, filesystem or device
 * has made or could make.
 *
 * @param name    the name on the command line ({@code --device sim:NAME})
 * @param kind    SPEC: a protection the spec's {@code Variant} constant removes (the device runs the
 *                spec's model with that variant); DEVICE: a fault of the device model itself
 * @param variant for SPEC: the variant; else null
 * @param what    what goes wrong
 * @param breaks  the requirement the harness reports it breaking (checked by the tests)
 * @param also    other rows a run with it may fail, and no others (checked by the tests: never "Reference")
 */
public record Quirk(String name, Origin kind, Variant variant, String what, String breaks, List<String> also) {
    public enum Origin { SPEC, DEVICE }

    public Quirk {
        also = List.copyOf(also);
    }

    /** Every row a run with this quirk alone may fail. */
    public List<String> rows() {
        List<String> out = new java.util.ArrayList<>(List.of(breaks));
        out.addAll(also);
        return out;
    }
}
