package dev.devmap.harness.agent;

import java.util.ArrayList;
import java.util.List;

/** Splits an agent command line into words the way a shell would for simple cases: quotes and backslashes. */
public final class CommandSplitter {
    private CommandSplitter() { }

    /** One word quoted so that {@link #split} (and a shell) gives it back unchanged. */
    public static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    public static List<String> split(String cmd) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int k = 0; k < cmd.length(); k++) {
            char c = cmd.charAt(k);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && k + 1 < cmd.length()) {
                    cur.append(cmd.charAt(++k));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && k + 1 < cmd.length()) {
                cur.append(cmd.charAt(++k));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) throw new IllegalArgumentException("unbalanced quote in agent command: " + cmd);
        if (inWord) out.add(cur.toString());
        if (out.isEmpty()) throw new IllegalArgumentException("empty agent command");
        return out;
    }
}
