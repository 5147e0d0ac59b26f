package dev.devmap.spec.mutate;

/**
 * One mutant of the spec: the text from {@code start} to {@code end} ({@code before}) replaced by
 * {@code after}.
 *
 * @param id         1-based, in the order of the spec's text
 * @param kind       the mutation operator (drop-conjunct, guard-false, flip-if, ...)
 * @param definition the spec definition it changes
 * @param line       line of the spec where the change starts
 */
public record Mutant(int id, String kind, String definition, int line, int start, int end, String before, String after) {
    /** The mutated spec. */
    public String apply(String spec) {
        return spec.substring(0, start) + after + spec.substring(end);
    }

    /** {@code M042}. */
    public String name() {
        return String.format("M%03d", id);
    }

    /** One line: where and what. */
    public String describe() {
        return name() + " " + kind + " in " + definition + " (line " + line + "): " + oneLine(before) + "  ->  " + oneLine(after);
    }

    static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 70 ? t.substring(0, 67) + "..." : t;
    }
}
