package dev.devmap.harness;

/**
 * The device under test failed as a program, not as a protocol implementation: an agent hung (no
 * answer within the timeout), crashed (exited), or wrote something that is not the protocol.
 * The harness reports it, restarts the agent and goes on.
 */
public final class DutException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Fault {
        HANG("hung"), CRASH("crashed"), GARBAGE("wrote garbage"), PROTOCOL("broke the protocol"),
        START("could not be started");

        private final String text;

        Fault(String text) { this.text = text; }

        public String text() { return text; }
    }

    private final Fault kind;
    private final String log;

    public DutException(Fault kind, String message, String log) {
        super(message);
        this.kind = kind;
        this.log = log == null ? "" : log;
    }

    public Fault kind() { return kind; }

    /** The last lines the agent wrote to stderr. */
    public String log() { return log; }
}
