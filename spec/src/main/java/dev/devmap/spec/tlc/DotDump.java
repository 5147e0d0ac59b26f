package dev.devmap.spec.tlc;

import dev.devmap.spec.tla.TlaParseException;
import dev.devmap.spec.tla.TlaState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streaming reader of TLC's {@code -dump dot,actionlabels FILE} state graph.
 *
 * <p>The file has one node or edge per line: {@code ID [label="/\\ x = 1\n/\\ y = 2"]} (the
 * initial states carry {@code style = filled}), {@code FROM -> TO [label="Action",...]}, and
 * unlabelled {@code FROM -> TO [style="dashed"]} edges for self loops (stuttering). Ids are state
 * fingerprints; an edge may come before the node it points to. With temporal properties TLC also
 * writes a separate {@code FILE_liveness.dot}.
 */
public final class DotDump {
    private DotDump() {
    }

    /** Receives the graph as it is read. */
    public interface Listener {
        void node(long id, TlaState state, boolean initial);

        /** @param action the action label, or null for an unlabelled (dashed, self-loop) edge */
        void edge(long from, long to, String action);
    }

    /** An edge of the state graph; {@code action} null for an unlabelled (stuttering) edge. */
    public record Edge(long from, long to, String action) {
    }

    /** A whole graph in memory (for small dumps; stream big ones with {@link #stream}). */
    public record StateGraph(Map<Long, TlaState> nodes, Set<Long> initial, List<Edge> edges) {
        public StateGraph {
            nodes = Collections.unmodifiableMap(nodes);
            initial = Collections.unmodifiableSet(initial);
            edges = Collections.unmodifiableList(edges);
        }

        /**
         * The graph of Next's steps alone: without the unlabelled self-loops (stuttering) that a run
         * checking liveness adds to every state.
         */
        public StateGraph withoutStuttering() {
            return new StateGraph(nodes, initial,
                    edges.stream().filter(e -> e.action() != null || e.from() != e.to()).toList());
        }
    }

    public static StateGraph read(Path file) throws IOException {
        Map<Long, TlaState> nodes = new HashMap<>();
        Set<Long> initial = new LinkedHashSet<>();
        List<Edge> edges = new ArrayList<>();
        stream(file, new Listener() {
            @Override
            public void node(long id, TlaState state, boolean init) {
                nodes.put(id, state);
                if (init) {
                    initial.add(id);
                }
            }

            @Override
            public void edge(long from, long to, String action) {
                edges.add(new Edge(from, to, action));
            }
        });
        return new StateGraph(nodes, initial, edges);
    }

    public static void stream(Path file, Listener listener) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            stream(r, file.toString(), listener);
        }
    }

    /**
     * Reads a dot dump line by line and calls the listener for each node and edge.
     *
     * @throws TlaParseException with the file name and line number when a line does not parse
     */
    public static void stream(Reader in, String name, Listener listener) throws IOException {
        BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            try {
                parseLine(line, listener);
            } catch (TlaParseException e) {
                throw new TlaParseException(name + ":" + lineNo + ": " + e.getMessage(), e.offset());
            } catch (RuntimeException e) {
                throw new TlaParseException(name + ":" + lineNo + ": " + e.getMessage(), 0);
            }
        }
    }

    private static void parseLine(String line, Listener listener) {
        int n = line.length();
        int i = 0;
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        int idStart = i;
        if (i < n && line.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        while (i < n && Character.isDigit(line.charAt(i))) {
            i++;
        }
        if (i == digits) {
            return; // graph header, attributes, rank lines, braces
        }
        long from = Long.parseLong(line.substring(idStart, i));
        while (i < n && line.charAt(i) == ' ') {
            i++;
        }
        if (line.startsWith("->", i)) {
            i += 2;
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            int toStart = i;
            if (i < n && line.charAt(i) == '-') {
                i++;
            }
            while (i < n && Character.isDigit(line.charAt(i))) {
                i++;
            }
            long to = Long.parseLong(line.substring(toStart, i));
            String attrs = line.substring(i);
            listener.edge(from, to, attribute(attrs, "label"));
            return;
        }
        if (i < n && line.charAt(i) == '[') {
            String attrs = line.substring(i);
            String label = attribute(attrs, "label");
            if (label == null) {
                throw new IllegalArgumentException("node " + from + " has no label");
            }
            boolean initial = attrs.contains("style = filled") || attrs.contains("style=filled");
            listener.node(from, TlaState.parse(label), initial);
        }
    }

    /** The unescaped value of {@code key="..."} in a DOT attribute list, or null. */
    static String attribute(String attrs, String key) {
        String k = key + "=\"";
        int at = -1;
        for (int from = 0; ; ) {
            int p = attrs.indexOf(k, from);
            if (p < 0) {
                break;
            }
            char before = p == 0 ? '[' : attrs.charAt(p - 1);
            if (before == '[' || before == ',' || before == ' ') {
                at = p + k.length();
                break;
            }
            from = p + 1;
        }
        if (at < 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = at; i < attrs.length(); i++) {
            char c = attrs.charAt(i);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\' && i + 1 < attrs.length()) {
                char e = attrs.charAt(++i);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    default -> sb.append('\\').append(e);
                }
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException(key + " is not closed");
    }
}
