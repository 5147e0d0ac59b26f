package dev.devmap.harness;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No guard is re-derived outside the model: a source scan of every module outside the model's own
 * packages ({@code dev.devmap.model}, {@code .packed}, {@code .explore}, {@code .mirror}) for the
 * reads a guard is made of (the state's fields, an invalidation's {@code on}/{@code await}, a
 * grant's {@code pin}, a variant constant, an answer graded WAIT/BUSY, a message matched by its
 * text). Every hit must be one of the lines judged in {@code one-home-allowed.txt}, each with the
 * reason it is no guard (an effect read after the model's step, the operation's own argument, a
 * generator's choice, harness-only bookkeeping, a report's text, ...); a new hit fails with its file
 * and line, and a judged line that is gone fails too (the list stays what the code is). The same
 * scan is the README's grep (section "One home for each fact").
 */
class OneHomeTest {
    /** The grep of the README: what a re-derived guard reads. */
    static final Pattern GUARD_READS = Pattern.compile(
            "\\.(maps|pend|dma|inv|rev|exp|vma|vflag|dtag)\\(\\)"        // the state's fields
            + "|\\.(on|await|pin|retry)\\(\\)"                     // an invalidation, a grant, a prepared map
            + "|(why|message|detail|errorText)\\(\\)\\.(contains|startsWith|matches)"   // a decision by message text
            + "|Variant\\.[A-Z_]{3,}"                             // a variant's switch
            + "|Answer\\.(BUSY|WAIT)\\b"                          // a disabled step graded again
            + "|Cause\\.[A-Z]{3,}");                              // an invalidation's cause (L4's condition)

    /** The source trees scanned (relative to the repository root) and the model's own packages left out. */
    static final List<String> TREES = List.of("reference-impl/src/main/java", "hw-harness/src/main/java",
            "property-tests/src/test/java");
    static final Pattern MODEL_PACKAGES = Pattern.compile("^reference-impl/src/main/java/dev/devmap/(model|packed|explore|mirror)/");

    record Hit(String file, int line, String text) {
        String key() { return file + " | " + text; }
    }

    static List<Hit> scan(String file, String source) {
        List<Hit> out = new ArrayList<>();
        String[] lines = source.split("\n", -1);
        for (int k = 0; k < lines.length; k++) {
            String t = lines[k].strip();
            if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")) continue;   // prose, not code
            if (GUARD_READS.matcher(t).find()) out.add(new Hit(file, k + 1, t.replaceAll("\\s+", " ")));
        }
        return out;
    }

    static List<Hit> scanTree(Path root) throws IOException {
        List<Hit> out = new ArrayList<>();
        for (String tree : TREES) {
            try (Stream<Path> files = Files.walk(root.resolve(tree))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    String rel = root.relativize(p).toString().replace('\\', '/');
                    if (MODEL_PACKAGES.matcher(rel).find()) continue;
                    out.addAll(scan(rel.substring(rel.indexOf("/java/") + "/java/".length()), Files.readString(p, StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    /** The judged lines: "file | line text" -> why it is no guard. */
    static Map<String, String> allowed() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (var in = OneHomeTest.class.getResourceAsStream("/one-home-allowed.txt")) {
            assertThat(in).as("one-home-allowed.txt on the test classpath").isNotNull();
            String why = null;
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (l.isBlank()) continue;
                if (l.startsWith("# ")) {
                    why = l.substring(2).strip();
                    continue;
                }
                if (l.startsWith("#")) continue;
                assertThat(why).as("a reason before " + l).isNotNull();
                out.put(l.strip(), why);
            }
        }
        return out;
    }

    @Test
    void everyGuardReadOutsideTheModelIsAJudgedLine() throws IOException {
        List<Hit> hits = scanTree(Path.of(".."));
        Map<String, String> allowed = allowed();
        List<String> unjudged = new ArrayList<>();
        for (Hit h : hits) if (!allowed.containsKey(h.key())) unjudged.add(h.file() + ":" + h.line() + ": " + h.text());
        assertThat(unjudged).as("reads of guard state outside the model: ask the model's Step.Disabled guard (or its "
                + "operators) instead, or judge the line in hw-harness/src/test/resources/one-home-allowed.txt").isEmpty();
        List<String> keys = hits.stream().map(Hit::key).toList();
        List<String> gone = allowed.keySet().stream().filter(k -> !keys.contains(k)).toList();
        assertThat(gone).as("judged lines no longer in the code: remove them from one-home-allowed.txt").isEmpty();
    }

    /** The scan catches a planted re-derivation (Diagnosis's old "busy because some grant is pinned"). */
    @Test
    void aPlantedReDerivationIsCaught() throws IOException {
        String planted = "class X {\n    boolean pinned(State s) {\n"
                + "        for (Grant g : s.maps()) if (g.pin()) return true;\n"
                + "        return o.kind() == Outcome.Answer.BUSY || f.detail().contains(\"outside\");\n    }\n}\n";
        List<Hit> hits = scan("dev/devmap/harness/oracle/Planted.java", planted);
        assertThat(hits).extracting(Hit::line).containsExactly(3, 4);
        Map<String, String> allowed = allowed();
        assertThat(hits).noneMatch(h -> allowed.containsKey(h.key()));
        // and a comment that names a field is prose, not a read
        assertThat(scan("X.java", "    /** reads s.maps() */\n    // g.pin()\n")).isEmpty();
    }
}
