package dev.devmap.cli;

/** The {@code --workers} argument of check, mirror and mutate: one validation, one message. */
final class Workers {
    private Workers() {}

    /** n itself; bad input (exit 2, {@code dmap: error: ...}) when it is below 1. */
    static int atLeastOne(int n) {
        if (n < 1) throw CliException.badInput("--workers must be at least 1, not " + n);
        return n;
    }
}
