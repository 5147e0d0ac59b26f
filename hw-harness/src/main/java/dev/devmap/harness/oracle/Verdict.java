package dev.devmap.harness.oracle;

import dev.devmap.harness.Requirement;

import java.util.List;

/**
 * Which requirement a failure breaks, and why.
 *
 * @param requirement the report row
 * @param why         a sentence for the report
 * @param like        the known mistake (spec variant) whose model explains every observation, or null
 * @param consequence for a mistake seen before the damage: the internal steps after which the
 *                    requirement is violated (bounded lookahead), else empty
 */
public record Verdict(Requirement requirement, String why, String like, List<String> consequence) {
    public Verdict {
        consequence = List.copyOf(consequence);
    }
}
