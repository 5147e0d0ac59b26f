package dev.devmap.spec.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devmap.spec.tla.TlaValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The models manifest {@code spec/models.json}: the spec's root module, the models to check and
 * the variants (known mistakes) with the property each must violate.
 *
 * <pre>
 * {"spec": "DeviceMap",
 *  "models":   {"ci": {"about": "...", "constants": {"Files": ["f1"], "NOff": 2, "Variant": "none"},
 *                      "invariants": ["TypeOK"], "properties": ["L1_InvalidationEnds"], "heavy": false,
 *                      "expect": {"outcome": "ok", "distinct": 123, "depth": 17}}},
 *  "variants": {"no-ack-wait": {"base": "ci", "violates": "S4_AckBeforeProceed", "why": "...",
 *                               "constants": {}, "expect": {"depth": 7}}}}
 * </pre>
 * Constants: JSON arrays become TLA+ sets, strings strings, integers integers, booleans
 * booleans, objects records.
 *
 * @param file     the manifest file, as given
 * @param spec     the spec's root module name
 * @param models   by name, in manifest order
 * @param variants by name, in manifest order
 * @param choices  today's kernel's protocol choices ({@code "choices"}: variants that model what a
 *                 kernel facility does, with TLC's verdict; {@code violates} absent when it keeps
 *                 every property), by name, in manifest order
 */
public record Manifest(Path file, String spec, Map<String, Model> models, Map<String, VariantModel> variants,
                       Map<String, VariantModel> choices) {
    /** File name of the manifest inside the spec directory. */
    public static final String FILE_NAME = "models.json";
    /** Name of the constant a variant sets to its own name. */
    public static final String VARIANT_CONSTANT = "Variant";

    public Manifest {
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
        variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
    }

    /** Loads {@code models.json} from a spec directory. */
    public static Manifest loadFromSpecDir(Path specDir) {
        Manifest m = load(specDir.resolve(FILE_NAME));
        Path module = specDir.resolve(m.spec() + ".tla");
        if (!Files.isRegularFile(module)) {
            throw new ModelException(m.file() + ": \"spec\": no module " + m.spec() + ".tla in " + specDir);
        }
        List<String> declared;
        try {
            declared = ManifestSchema.declaredConstants(module);
        } catch (IOException e) {
            throw new ModelException(module + ": cannot read: " + e.getMessage(), e);
        }
        if (!declared.isEmpty()) m.checkConstants(Set.copyOf(declared));
        return m;
    }

    /** Every model sets exactly the module's constants; a variant sets only some of them. */
    private void checkConstants(Set<String> declared) {
        for (Model md : models.values()) {
            for (String c : md.constants().keySet()) {
                if (!declared.contains(c)) {
                    throw new ModelException(file + ": model '" + md.name() + "': unknown constant '" + c + "' (" + spec
                            + " declares " + ManifestSchema.allowed(declared) + ")");
                }
            }
            for (String c : declared) {
                if (!md.constants().containsKey(c)) {
                    throw new ModelException(file + ": model '" + md.name() + "': constant '" + c + "' is not set");
                }
            }
        }
        for (VariantModel v : variants.values()) {
            for (String c : v.constants().keySet()) {
                if (!declared.contains(c)) {
                    throw new ModelException(file + ": variant '" + v.name() + "': unknown constant '" + c + "' (" + spec
                            + " declares " + ManifestSchema.allowed(declared) + ")");
                }
            }
        }
    }

    /**
     * Loads and validates a manifest.
     *
     * @throws ModelException (one-line message naming the file) when the file is missing,
     *                        not JSON, or not of the manifest's shape
     */
    public static Manifest load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": models manifest not found");
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read models manifest: " + e.getMessage(), e);
        }
        return parse(file, text);
    }

    /** Classpath resource of the spec's models.json (copied there by the spec module's build). */
    static final String BUNDLED = "/dev/devmap/spec/model/" + FILE_NAME;

    /**
     * The spec's own models.json as built into this jar: for code that needs a variant's constants
     * and runs without a spec directory (the simulated device, the diagnosis).
     */
    public static Manifest bundled() { return Bundled.MANIFEST; }

    private static final class Bundled {
        static final Manifest MANIFEST = read();

        private static Manifest read() {
            try (java.io.InputStream in = Manifest.class.getResourceAsStream(BUNDLED)) {
                if (in == null) throw new IllegalStateException("no " + BUNDLED + " on the classpath (a build of module spec puts it there)");
                return parse(Path.of(FILE_NAME), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Parses and validates a manifest's text; {@code file} names it in messages. */
    public static Manifest parse(Path file, String text) {
        JsonNode root;
        try {
            ObjectMapper mapper = new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            String why = e.getOriginalMessage().lines().findFirst().orElse("")
                    .replaceAll("\\[Source: [^;\\]]*(?:\\([^)]*\\))?[^;\\]]*; ", "[");
            throw new ModelException(file + ": malformed JSON" + where + ": " + why, e);
        }
        return new Reader(file).manifest(root);
    }

    /** Model names in manifest order. */
    public List<String> modelNames() {
        return List.copyOf(models.keySet());
    }

    public Model model(String name) {
        Model m = models.get(name);
        if (m == null) {
            throw new ModelException(file + ": unknown model '" + name + "' (models: " + String.join(", ", models.keySet()) + ")");
        }
        return m;
    }

    /** A variant or a kernel choice by name. */
    public VariantModel variant(String name) {
        VariantModel v = variants.containsKey(name) ? variants.get(name) : choices.get(name);
        if (v == null) {
            throw new ModelException(file + ": unknown variant '" + name + "' (variants: "
                    + (variants.isEmpty() ? "none" : String.join(", ", variants.keySet()))
                    + (choices.isEmpty() ? "" : "; kernel choices: " + String.join(", ", choices.keySet())) + ")");
        }
        return v;
    }

    /** The choices' witnesses (each a property the models keep and its choice's check violates). */
    public java.util.Set<String> witnesses() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (VariantModel c : choices.values()) out.addAll(c.choice().witness().keySet());
        return out;
    }

    /**
     * A choice's witness runs: for each of its witnesses, the choice's check (its base's constants, its
     * own) with {@code TypeOK} and that property alone, which TLC must find violated in the length
     * models.json records. Empty for a variant or a choice without witnesses.
     */
    public List<RunPlan> planWitnesses(String variantName) {
        VariantModel v = variant(variantName);
        if (v.choice() == null) return List.of();
        RunPlan p = planVariant(variantName);
        List<RunPlan> out = new ArrayList<>();
        v.choice().witness().forEach((w, steps) -> out.add(new RunPlan(v.name() + " witness " + w, spec, p.constants(),
                List.of("TypeOK"), List.of(w), new Expectation("violated", null, null, steps),
                p.model(), v)));
        return out;
    }

    /** The run of a model as the manifest states it. */
    public RunPlan plan(String modelName) {
        Model m = model(modelName);
        return new RunPlan(m.name(), spec, m.constants(), m.invariants(), m.properties(), m.expect(), m, null);
    }

    /**
     * The run of a variant: its base model with {@code Variant} set to the variant's name and the
     * variant's other constants applied; all invariants of the base; for an INVARIANT variant no
     * property, for a PROPERTY variant only the property it must violate; for a kernel choice that
     * keeps every property, all invariants and properties of the base.
     */
    public RunPlan planVariant(String variantName) {
        VariantModel v = variant(variantName);
        Model base = model(v.base());
        Map<String, TlaValue> constants = new LinkedHashMap<>(base.constants());
        constants.put(VARIANT_CONSTANT, TlaValue.str(v.name()));
        constants.putAll(v.constants());
        List<String> invariants = new ArrayList<>(base.invariants());
        List<String> properties = new ArrayList<>();
        if (v.violates() == null) {
            properties.addAll(base.properties());
            properties.removeAll(witnesses());   // a choice's own behaviour: its witness plans reach it
        } else if (v.kind() == VariantModel.PropertyKind.INVARIANT) {
            if (!invariants.contains(v.violates())) {
                invariants.add(v.violates());
            }
        } else {
            properties.add(v.violates());
        }
        return new RunPlan(v.name(), spec, constants, invariants, properties, v.expect(), base, v);
    }

    // ------------------------------------------------------------------ JSON reading

    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        /** One line: a key or value the manifest holds may hold a line break or another control character. */
        private ModelException bad(String where, String problem) {
            return new ModelException(file + ": " + printable(where) + ": " + printable(problem));
        }

        private static String printable(String s) {
            StringBuilder sb = new StringBuilder();
            s.codePoints().forEach(c -> {
                if (c == '\n') sb.append("\\n");
                else if (c == '\t') sb.append("\\t");
                else if (Character.isISOControl(c)) sb.append(String.format("\\u%04x", c));
                else sb.appendCodePoint(c);
            });
            return sb.toString();
        }

        Manifest manifest(JsonNode root) {
            if (root == null || !root.isObject()) {
                throw new ModelException(file + ": the manifest must be a JSON object");
            }
            keys(root, ManifestSchema.TOP_KEYS, "top level");
            String spec = text(root, "spec", "top level", true);
            if (!spec.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw bad("\"spec\"", "'" + spec + "' is not a module name");
            }
            JsonNode modelsNode = root.get("models");
            if (modelsNode == null || !modelsNode.isObject() || modelsNode.isEmpty()) {
                throw bad("top level", "\"models\" must be a non-empty object of models");
            }
            Map<String, Model> models = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = modelsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                models.put(e.getKey(), model(e.getKey(), e.getValue()));
            }
            Map<String, VariantModel> variants = new LinkedHashMap<>();
            JsonNode variantsNode = root.get("variants");
            if (variantsNode != null && !variantsNode.isNull()) {
                if (!variantsNode.isObject()) {
                    throw bad("top level", "\"variants\" must be an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = variantsNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    variants.put(e.getKey(), variant(e.getKey(), e.getValue(), models));
                }
            }
            Map<String, VariantModel> choices = new LinkedHashMap<>();
            JsonNode choicesNode = root.get("choices");
            if (choicesNode != null && !choicesNode.isNull()) {
                if (!choicesNode.isObject()) {
                    throw bad("top level", "\"choices\" must be an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = choicesNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (variants.containsKey(e.getKey())) {
                        throw bad("choice '" + e.getKey() + "'", "is also a variant");
                    }
                    choices.put(e.getKey(), variant(e.getKey(), e.getValue(), models, true));
                }
            }
            for (Model m : models.values()) {
                TlaValue v = m.constants().get(VARIANT_CONSTANT);
                boolean known = variants.keySet().stream().map(TlaValue::str).toList().contains(v)
                        || choices.keySet().stream().map(TlaValue::str).toList().contains(v);
                if (v != null && !v.equals(TlaValue.str(ManifestSchema.NO_VARIANT)) && !known) {
                    throw bad("model '" + m.name() + "'", "constant " + VARIANT_CONSTANT + " is " + v + ": neither \""
                            + ManifestSchema.NO_VARIANT + "\" nor a variant of this manifest");
                }
            }
            return new Manifest(file, spec, models, variants, choices);
        }

        private Model model(String name, JsonNode n) {
            String where = "model '" + name + "'";
            if (!n.isObject()) {
                throw bad(where, "must be an object");
            }
            keys(n, ManifestSchema.MODEL_KEYS, where);
            String about = text(n, "about", where, false);
            Map<String, TlaValue> constants = constants(n.get("constants"), where);
            List<String> invariants = names(n, "invariants", where);
            List<String> properties = names(n, "properties", where);
            if (invariants.isEmpty() && properties.isEmpty()) {
                throw bad(where, "checks nothing: no \"invariants\" and no \"properties\"");
            }
            JsonNode heavyNode = n.get("heavy");
            if (heavyNode != null && !heavyNode.isBoolean()) {
                throw bad(where, "\"heavy\" must be true or false");
            }
            boolean heavy = heavyNode != null && heavyNode.booleanValue();
            return new Model(name, about == null ? "" : about, constants, invariants, properties, heavy,
                    expectation(n.get("expect"), where));
        }

        private VariantModel variant(String name, JsonNode n, Map<String, Model> models) {
            return variant(name, n, models, false);
        }

        private VariantModel variant(String name, JsonNode n, Map<String, Model> models, boolean isChoice) {
            String where = (isChoice ? "choice '" : "variant '") + name + "'";
            if (!n.isObject()) {
                throw bad(where, "must be an object");
            }
            keys(n, isChoice ? ManifestSchema.CHOICE_KEYS : ManifestSchema.VARIANT_KEYS, where);
            String base = text(n, "base", where, true);
            Model baseModel = models.get(base);
            if (baseModel == null) {
                throw bad(where, "unknown base model '" + base + "' (models: " + String.join(", ", models.keySet()) + ")");
            }
            String violates = text(n, "violates", where, !isChoice);
            VariantModel.Choice choice = isChoice ? choice(n, where) : null;
            if (choice != null) {
                for (String w : choice.witness().keySet()) {
                    if (!baseModel.properties().contains(w)) {
                        throw bad(where, "witness " + w + " is not a property of its base model '" + base
                                + "', which must keep it");
                    }
                }
            }
            if (choice != null && (violates == null) != choice.breaks().isEmpty()) {
                throw bad(where, violates == null ? "\"breaks\" names properties but \"violates\" (the first TLC reports) is missing"
                        : "\"violates\" is given but \"breaks\" is empty");
            }
            if (choice != null && violates != null && !choice.breaks().containsKey(violates)) {
                throw bad(where, "\"violates\" " + violates + " is not among \"breaks\"");
            }
            String why = text(n, "why", where, false);
            Map<String, TlaValue> constants = constants(n.get("constants"), where);
            if (constants.containsKey(VARIANT_CONSTANT)) {
                throw bad(where, "\"constants\" must not set " + VARIANT_CONSTANT + " (it is the variant's name)");
            }
            VariantModel.PropertyKind kind;
            String kindText = text(n, "kind", where, false);
            if (kindText != null) {
                kind = switch (kindText) {
                    case "invariant" -> VariantModel.PropertyKind.INVARIANT;
                    case "property" -> VariantModel.PropertyKind.PROPERTY;
                    default -> throw bad(where, "\"kind\" must be \"invariant\" or \"property\", not '" + kindText + "'");
                };
            } else if (violates == null || baseModel.invariants().contains(violates)) {
                kind = VariantModel.PropertyKind.INVARIANT;
            } else if (baseModel.properties().contains(violates) || violates.startsWith("L")) {
                kind = VariantModel.PropertyKind.PROPERTY;
            } else {
                kind = VariantModel.PropertyKind.INVARIANT;
            }
            return new VariantModel(name, base, violates, why == null ? "" : why, kind, constants,
                    expectation(n.get("expect"), where), choice);
        }

        /** A kernel choice's facility and TLC's verdict: {"facility": "fs-dax", "breaks": {"L4_...": 12}, "keeps": [...]}. */
        private VariantModel.Choice choice(JsonNode n, String where) {
            String facility = text(n, "facility", where, true);
            Map<String, Integer> breaks = lengths(n, "breaks", where);
            Map<String, Integer> witness = lengths(n, "witness", where);
            List<String> keeps = names(n, "keeps", where);
            for (String k : keeps) {
                if (breaks.containsKey(k)) throw bad(where, k + " is both in \"breaks\" and \"keeps\"");
                if (witness.containsKey(k)) throw bad(where, k + " is both in \"witness\" and \"keeps\"");
            }
            for (String w : witness.keySet()) {
                if (breaks.containsKey(w)) throw bad(where, w + " is both in \"breaks\" and \"witness\"");
            }
            return new VariantModel.Choice(facility, breaks, keeps, witness);
        }

        /** {"P": n, ...}: property -> TLC's counterexample length in states (absent: none). */
        private Map<String, Integer> lengths(JsonNode n, String key, String where) {
            Map<String, Integer> out = new LinkedHashMap<>();
            JsonNode b = n.get(key);
            if (b != null && !b.isNull()) {
                if (!b.isObject()) {
                    throw bad(where, "\"" + key + "\" must be an object: property -> counterexample length in states");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isIntegralNumber() || e.getValue().intValue() < 1) {
                        throw bad(where, "\"" + key + "\" " + e.getKey() + " must be a counterexample length (a positive integer)");
                    }
                    out.put(e.getKey(), e.getValue().intValue());
                }
            }
            return out;
        }

        private Expectation expectation(JsonNode n, String where) {
            if (n == null || n.isNull()) {
                return Expectation.NONE;
            }
            if (!n.isObject()) {
                throw bad(where, "\"expect\" must be an object");
            }
            String w = where + " \"expect\"";
            keys(n, ManifestSchema.EXPECT_KEYS, w);
            String outcome = text(n, "outcome", w, false);
            if (outcome != null && !ManifestSchema.OUTCOMES.contains(outcome)) {
                throw bad(w, "\"outcome\" must be one of " + ManifestSchema.allowed(ManifestSchema.OUTCOMES) + ", not '"
                        + outcome + "'");
            }
            Long distinct = count(n, "distinct", w);
            Long generated = count(n, "generated", w);
            Long depth = count(n, "depth", w);
            if (depth != null && depth > ManifestSchema.MAX_DEPTH) {
                throw bad(w, "\"depth\" must be at most " + ManifestSchema.MAX_DEPTH);
            }
            return new Expectation(outcome, distinct, generated, depth == null ? null : Math.toIntExact(depth));
        }

        private Long count(JsonNode n, String key, String where) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0 || v.longValue() > ManifestSchema.MAX_COUNT) {
                throw bad(where, "\"" + key + "\" must be an integer from 0 to " + ManifestSchema.MAX_COUNT);
            }
            return v.longValue() == 0 ? null : v.longValue();
        }

        private String text(JsonNode n, String key, String where, boolean required) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                if (required) {
                    throw bad(where, "missing \"" + key + "\"");
                }
                return null;
            }
            if (!v.isTextual()) {
                throw bad(where, "\"" + key + "\" must be a string");
            }
            return v.textValue();
        }

        private List<String> names(JsonNode n, String key, String where) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw bad(where, "\"" + key + "\" must be an array of names");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual() || !e.textValue().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw bad(where, "\"" + key + "\" must hold operator names, found " + e);
                }
                if (out.contains(e.textValue())) {
                    throw bad(where, "\"" + key + "\" names " + e.textValue() + " twice");
                }
                out.add(e.textValue());
            }
            return out;
        }

        private Map<String, TlaValue> constants(JsonNode n, String where) {
            Map<String, TlaValue> out = new LinkedHashMap<>();
            if (n == null || n.isNull()) {
                return out;
            }
            if (!n.isObject()) {
                throw bad(where, "\"constants\" must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw bad(where, "constant name '" + e.getKey() + "' is not an identifier");
                }
                ManifestSchema.Constant known = ManifestSchema.CONSTANTS.get(e.getKey());
                if (known != null) check(known, e.getValue(), where + " constant " + e.getKey());
                out.put(e.getKey(), value(e.getValue(), where + " constant " + e.getKey()));
            }
            JsonNode importers = n.get("Importers");
            if (importers != null && importers.isArray()) {
                Set<String> names = new java.util.HashSet<>();
                importers.forEach(x -> names.add(x.asText()));
                for (String sub : ManifestSchema.SUBSETS_OF_IMPORTERS) {
                    JsonNode v = n.get(sub);
                    if (v == null || !v.isArray()) continue;
                    for (JsonNode x : v) {
                        if (!names.contains(x.asText())) {
                            throw bad(where + " constant " + sub, "'" + x.asText() + "' is not one of the Importers");
                        }
                    }
                }
            }
            return out;
        }

        private void keys(JsonNode n, Set<String> allowed, String where) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!allowed.contains(k)) {
                    throw bad(where, "unknown key \"" + k + "\" (allowed: " + ManifestSchema.allowed(allowed) + ")");
                }
            }
        }

        private void check(ManifestSchema.Constant c, JsonNode v, String where) {
            switch (c.type()) {
                case INT -> {
                    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < c.min() || v.longValue() > c.max()) {
                        throw bad(where, "must be an integer from " + c.min() + " to " + c.max() + ", not " + v);
                    }
                }
                case BOOL -> {
                    if (!v.isBoolean()) throw bad(where, "must be true or false, not " + v);
                }
                case STRING -> {
                    if (!v.isTextual()) throw bad(where, "must be a string, not " + v);
                }
                case NAMES -> {
                    if (!v.isArray() || v.size() < c.min() || v.size() > c.max()) {
                        throw bad(where, "must be an array of " + c.min() + " to " + c.max() + " names, not " + v);
                    }
                    Set<String> seen = new java.util.HashSet<>();
                    for (JsonNode x : v) {
                        if (!x.isTextual() || !x.textValue().matches("[A-Za-z_][A-Za-z0-9_]*") || !seen.add(x.textValue())) {
                            throw bad(where, "must hold distinct names, found " + x);
                        }
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        private TlaValue value(JsonNode v, String where) {
            if (v.isTextual()) {
                return TlaValue.str(v.textValue());
            } else if (v.isBoolean()) {
                return TlaValue.bool(v.booleanValue());
            } else if (v.isIntegralNumber()) {
                if (!v.canConvertToLong()) {
                    throw bad(where, "integer " + v + " is too large");
                }
                return TlaValue.integer(v.longValue());
            } else if (v.isArray()) {
                List<TlaValue> elems = new ArrayList<>();
                for (JsonNode e : v) {
                    elems.add(value(e, where));
                }
                return TlaValue.set(elems);
            } else if (v.isObject()) {
                Map<String, TlaValue> fields = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), value(e.getValue(), where));
                }
                return TlaValue.record(fields);
            }
            throw bad(where, "unsupported JSON value " + v + " (use strings, integers, booleans, arrays for sets, objects for records)");
        }
    }
}
