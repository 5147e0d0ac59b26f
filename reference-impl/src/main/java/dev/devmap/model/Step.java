package dev.devmap.model;

/** The result of {@link DeviceMapModel#step}: the next state, or why the action is not enabled. */
public sealed interface Step {
    record Next(State state) implements Step {}
    record Disabled(String why) implements Step {}

    static Step disabled(String why) { return new Disabled(why); }
}
