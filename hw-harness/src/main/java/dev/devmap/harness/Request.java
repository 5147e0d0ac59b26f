package dev.devmap.harness;

import dev.devmap.kernelapi.Op;

/**
 * One request to a device: an operation and, for a write, the value to write (the value the
 * reference model gives the write; a device that writes something else is caught by the reads).
 */
public record Request(Op op, Integer value) {
    public Request(Op op) { this(op, null); }
}
