package dev.devmap.spec.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one description of what {@code models.json} may hold: the keys of each object, the known
 * constants with their types and ranges, the bounds of expectations. {@link Manifest} checks every
 * manifest against it; a new key or constant is added here, nowhere else. The constants a model
 * must set are the ones its module declares ({@link #declaredConstants}); the values of
 * {@code Variant} are {@link #NO_VARIANT} and the manifest's variant names.
 */
public final class ManifestSchema {
    private ManifestSchema() { }

    public static final Set<String> TOP_KEYS = Set.of("spec", "order", "models", "variants", "choices");
    public static final Set<String> MODEL_KEYS = Set.of("about", "constants", "invariants", "properties", "heavy", "expect");
    public static final Set<String> VARIANT_KEYS = Set.of("base", "violates", "why", "kind", "constants", "expect", "also");
    /** A kernel's protocol choice ("choices"): a variant's keys, its facility and TLC's verdict. */
    public static final Set<String> CHOICE_KEYS = Set.of("base", "facility", "violates", "why", "kind", "constants", "expect",
            "breaks", "keeps", "witness", "found");
    public static final Set<String> EXPECT_KEYS = Set.of("outcome", "distinct", "generated", "depth");
    public static final Set<String> OUTCOMES = Set.of("ok", "violated");

    /** The value of the Variant constant in a model that removes no protection. */
    public static final String NO_VARIANT = "none";
    /** Bounds of recorded expectations (a state count, a depth). */
    public static final long MAX_COUNT = 1_000_000_000_000L;
    public static final long MAX_DEPTH = 1_000_000L;

    /** The shape of a known constant's value. */
    public enum Type { NAMES, INT, BOOL, STRING }

    /** A known constant: its type and range (for NAMES: of the set's size). */
    public record Constant(Type type, long min, long max) {}

    /** The constants of DeviceMap.tla, with the ranges TLC can explore (the state space grows exponentially). */
    public static final Map<String, Constant> CONSTANTS = Map.ofEntries(
            Map.entry("Files", new Constant(Type.NAMES, 1, 4)),
            Map.entry("NOff", new Constant(Type.INT, 1, 8)),
            Map.entry("NBlocks", new Constant(Type.INT, 1, 16)),
            Map.entry("Importers", new Constant(Type.NAMES, 1, 4)),
            Map.entry("Route", new Constant(Type.NAMES, 0, 4)),
            Map.entry("AtomicRoute", new Constant(Type.NAMES, 0, 4)),
            Map.entry("WriteOK", new Constant(Type.NAMES, 0, 4)),
            Map.entry("BarSize", new Constant(Type.INT, 0, 16)),
            Map.entry("MaxVal", new Constant(Type.INT, 0, 8)),
            Map.entry("PinSupport", new Constant(Type.BOOL, 0, 1)),
            Map.entry("BdevCanInvalidate", new Constant(Type.BOOL, 0, 1)),
            Map.entry("PageCache", new Constant(Type.BOOL, 0, 1)),
            Map.entry("Variant", new Constant(Type.STRING, 0, 0)));

    /** Constants whose value must be a subset of Importers. */
    public static final Set<String> SUBSETS_OF_IMPORTERS = Set.of("Route", "AtomicRoute", "WriteOK");

    private static final Pattern CONSTANTS_DECL = Pattern.compile("(?m)^\\s*CONSTANTS?\\b(.*?)(?=^\\s*(VARIABLES?|ASSUME|[A-Za-z_][A-Za-z0-9_]*\\s*(\\(.*\\))?\\s*==)|\\z)",
            Pattern.DOTALL);

    /** The constants a module declares (CONSTANT/CONSTANTS sections), in order; empty if the file declares none. */
    public static List<String> declaredConstants(Path module) throws IOException {
        String text = Files.readString(module).replaceAll("\\(\\*(?s:.*?)\\*\\)", " ").replaceAll("\\\\\\*[^\\n]*", " ");
        List<String> out = new ArrayList<>();
        Matcher m = CONSTANTS_DECL.matcher(text);
        while (m.find()) {
            for (String part : m.group(1).split(",")) {
                String name = part.strip().replaceAll("\\(.*", "").strip();
                if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) out.add(name);
            }
        }
        return out;
    }

    /** For error messages. */
    static String allowed(Set<String> keys) {
        return String.join(", ", new java.util.TreeSet<>(keys));
    }

    static Map<String, Constant> known() { return new LinkedHashMap<>(CONSTANTS); }
}
