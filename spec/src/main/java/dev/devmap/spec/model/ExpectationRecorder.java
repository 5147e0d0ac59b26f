package dev.devmap.spec.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes measured figures into a model's {@code "expect"} object of models.json, editing the text
 * in place (the manifest is hand-formatted: only the numbers change, or the fields are added).
 */
public final class ExpectationRecorder {
    private ExpectationRecorder() {
    }

    /**
     * Records distinct states and depth for a model. The file is re-read and re-validated after the
     * edit, so a manifest this cannot edit is refused, not broken.
     */
    public static void record(Path file, String model, long distinct, int depth) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String edited = recorded(text, model, distinct, depth);
        try {
            Files.writeString(file, edited);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Manifest m = Manifest.load(file);
        Expectation e = m.model(model).expect();
        if (e.distinct() == null || e.distinct() != distinct || e.depth() == null || e.depth() != depth) {
            throw new ModelException(file + ": recording the figures of model '" + model + "' failed");
        }
    }

    /** The manifest text with the model's expected distinct and depth set. */
    static String recorded(String text, String model, long distinct, int depth) {
        Matcher models = Pattern.compile("\"models\"\\s*:\\s*\\{").matcher(text);
        if (!models.find()) {
            throw new ModelException("models.json: no \"models\" object");
        }
        Matcher start = Pattern.compile("\"" + Pattern.quote(model) + "\"\\s*:\\s*\\{").matcher(text);
        if (!start.find(models.end())) {
            throw new ModelException("models.json: unknown model '" + model + "'");
        }
        int end = objectEnd(text, start.end() - 1);
        String body = text.substring(start.end(), end);
        Matcher expect = Pattern.compile("\"expect\"\\s*:\\s*\\{").matcher(body);
        String newBody;
        if (expect.find()) {
            int eEnd = objectEnd(body, expect.end() - 1);
            String fields = body.substring(expect.end(), eEnd);
            fields = setField(fields, "distinct", Long.toString(distinct));
            fields = setField(fields, "depth", Integer.toString(depth));
            newBody = body.substring(0, expect.end()) + fields + body.substring(eEnd);
        } else {
            String trimmed = body.stripTrailing();
            String tail = body.substring(trimmed.length());
            newBody = trimmed + ",\n      \"expect\": {\"outcome\": \"ok\", \"distinct\": " + distinct
                    + ", \"depth\": " + depth + "}" + tail;
        }
        return text.substring(0, start.end()) + newBody + text.substring(end);
    }

    private static String setField(String fields, String key, String value) {
        Matcher m = Pattern.compile("(\"" + key + "\"\\s*:\\s*)(-?\\d+|null)").matcher(fields);
        if (m.find()) {
            return fields.substring(0, m.start(2)) + value + fields.substring(m.end(2));
        }
        String t = fields.stripTrailing();
        return t + (t.isBlank() ? "" : ", ") + "\"" + key + "\": " + value + fields.substring(t.length());
    }

    /** Index of the '}' closing the object whose '{' is at {@code open} (strings skipped). */
    private static int objectEnd(String s, int open) {
        int level = 0;
        boolean inString = false;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (inString) {
                if (ch == '\\') i++;
                else if (ch == '"') inString = false;
            } else if (ch == '"') {
                inString = true;
            } else if (ch == '{') {
                level++;
            } else if (ch == '}' && --level == 0) {
                return i;
            }
        }
        throw new ModelException("models.json: unbalanced braces");
    }
}
