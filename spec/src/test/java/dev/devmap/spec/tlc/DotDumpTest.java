package dev.devmap.spec.tlc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.devmap.spec.tla.TlaParseException;
import dev.devmap.spec.tla.TlaState;
import dev.devmap.spec.tla.TlaValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DotDumpTest {

    @Test
    void readsTheRecordedToyGraph() throws IOException, URISyntaxException {
        Path dot = Path.of(DotDumpTest.class.getResource("/tlc-output/toy.dot.txt").toURI());
        DotDump.StateGraph g = DotDump.read(dot);
        // dump.out of the same run: 12 distinct states
        assertThat(g.nodes()).hasSize(12);
        assertThat(g.initial()).hasSize(1);
        TlaState init = g.nodes().get(g.initial().iterator().next());
        assertThat(init.require("x")).isEqualTo(TlaValue.integer(0));
        assertThat(((TlaValue.Record) init.require("t")).get("k")).isEqualTo(TlaValue.str("q\"x\\y"));
        assertThat(g.edges()).extracting(DotDump.Edge::action).containsOnly("Inc", "Add", "Back");
        for (DotDump.Edge e : g.edges()) {
            assertThat(g.nodes()).containsKeys(e.from(), e.to());
            TlaState from = g.nodes().get(e.from());
            TlaState to = g.nodes().get(e.to());
            long x0 = ((TlaValue.Int) from.require("x")).value();
            long x1 = ((TlaValue.Int) to.require("x")).value();
            switch (e.action()) {
                case "Inc" -> assertThat(x1).isEqualTo(x0 + 1);
                case "Back" -> assertThat(x1).isZero();
                default -> assertThat(x1).isEqualTo(x0);
            }
        }
    }

    @Test
    void streamsNodesAndEdgesIncludingUnlabelledSelfLoops() throws IOException {
        String text = """
                strict digraph DiskGraph {
                subgraph cluster_graph {
                -5 [label="/\\\\ x = 0\\n/\\\\ y = \\"a\\\\\\"b\\"",style = filled]
                -5 -> 7 [label="Up",color="black",fontcolor="black"];
                7 [label="/\\\\ x = 1\\n/\\\\ y = \\"c\\""];
                7 -> 7 [style="dashed"];
                {rank = same; -5;}
                }
                }
                """;
        List<String> events = new ArrayList<>();
        DotDump.stream(new StringReader(text), "test.dot", new DotDump.Listener() {
            @Override
            public void node(long id, TlaState state, boolean initial) {
                events.add("node " + id + " " + initial + " " + state.require("y").print());
            }

            @Override
            public void edge(long from, long to, String action) {
                events.add("edge " + from + " " + to + " " + action);
            }
        });
        assertThat(events).containsExactly(
                "node -5 true \"a\\\"b\"",
                "edge -5 7 Up",
                "node 7 false \"c\"",
                "edge 7 7 null");
        DotDump.StateGraph g = new DotDump.StateGraph(java.util.Map.of(), java.util.Set.of(), List.of(
                new DotDump.Edge(-5, 7, "Up"), new DotDump.Edge(7, 7, null), new DotDump.Edge(7, 7, "Stay")));
        assertThat(g.withoutStuttering().edges()).extracting(DotDump.Edge::action).containsExactly("Up", "Stay");
    }

    @Test
    void badLabelNamesFileAndLine() {
        String text = "digraph {\n1 [label=\"/\\\\ x = {\"];\n}\n";
        assertThatThrownBy(() -> DotDump.stream(new StringReader(text), "bad.dot", new DotDump.Listener() {
            @Override
            public void node(long id, TlaState state, boolean initial) {
            }

            @Override
            public void edge(long from, long to, String action) {
            }
        })).isInstanceOf(TlaParseException.class).hasMessageStartingWith("bad.dot:2: ");
    }
}
