package dev.devmap.model;

/** One labelled edge of the state graph. */
public record Transition(Action action, State next) {}
