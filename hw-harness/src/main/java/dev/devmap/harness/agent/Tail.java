package dev.devmap.harness.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The last characters a stream wrote (an agent's stderr): read in chunks, not lines, so a stream
 * without newlines (2 GB of it) costs no more than the bound.
 */
final class Tail {
    private final int max;
    private final StringBuilder text = new StringBuilder();

    Tail(int max) { this.max = max; }

    void drain(InputStream in) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) append(new String(buf, 0, n, StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the process is gone
        }
    }

    synchronized void append(String s) {
        text.append(s);
        if (text.length() > 2 * max) text.delete(0, text.length() - max);
    }

    synchronized void clear() { text.setLength(0); }

    /** The last n lines (of at most the bound in characters; a longer line is cut at its start). */
    synchronized String lastLines(int n) {
        String s = text.length() > max ? text.substring(text.length() - max) : text.toString();
        List<String> ls = s.lines().toList();
        String joined = String.join("\n", ls.subList(Math.max(0, ls.size() - n), ls.size()));
        return joined.length() > 1000 ? "..." + joined.substring(joined.length() - 1000) : joined;
    }
}
