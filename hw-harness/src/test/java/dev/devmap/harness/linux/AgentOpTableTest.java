package dev.devmap.harness.linux;

import dev.devmap.kernelapi.OpSchema;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The C agent's operation table (AGENT_OPS in hw-harness/linux/agent/proto.c, read as source: no
 * compiler, no QEMU) against the protocol's operation list on the Java side ({@link OpSchema#WIRE_NAMES}, the operation schema that also drives Op, the wire codec and the trace writer): the
 * same names in the same order (the hello lists them in table order), and every handler it names is a
 * function the agent defines.
 */
class AgentOpTableTest {
    static final Path AGENT = Path.of("linux", "agent");

    /** One entry of AGENT_OPS: the op's name and its handlers on the memfd and on a filesystem device. */
    record Entry(String name, String memfd, String fs) {}

    private static final Pattern TABLE = Pattern.compile("const struct agent_op AGENT_OPS\\[\\] = \\{\\n(.*?)\\n\\};", Pattern.DOTALL);
    private static final Pattern ENTRY = Pattern.compile("^\\s*\\{ \"([a-z_]+)\", (\\w+), (\\w+) \\},\\s*$");

    /** The table's entries, or an exception naming the line that is not an entry. */
    static List<Entry> table(String source) {
        Matcher m = TABLE.matcher(source);
        if (!m.find()) throw new IllegalArgumentException("no 'const struct agent_op AGENT_OPS[] = {' ... '};' in the source");
        List<Entry> out = new ArrayList<>();
        for (String line : m.group(1).split("\n")) {
            Matcher e = ENTRY.matcher(line);
            if (!e.matches()) throw new IllegalArgumentException("not a table entry { \"name\", memfd, fs }: " + line.strip());
            out.add(new Entry(e.group(1), e.group(2), e.group(3)));
        }
        return out;
    }

    /** What differs between the agent's op names and the protocol's, in one line; empty when they agree. */
    static String mismatch(List<String> agent, List<String> protocol) {
        List<String> missing = new ArrayList<>(protocol);
        missing.removeAll(agent);
        List<String> extra = new ArrayList<>(agent);
        extra.removeAll(protocol);
        if (!missing.isEmpty() || !extra.isEmpty()) return "agent lacks " + missing + ", agent has extra " + extra;
        if (!agent.equals(protocol)) return "same names, other order: agent " + agent + ", protocol " + protocol;
        return "";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String allSources() throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(AGENT)) {
            s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(p -> sb.append(read(p)).append('\n'));
        }
        return sb.toString();
    }

    @Test
    void theAgentsOperationTableIsTheProtocolsOperationList() {
        List<Entry> t = table(read(AGENT.resolve("proto.c")));
        List<String> names = t.stream().map(Entry::name).toList();
        assertThat(mismatch(names, OpSchema.WIRE_NAMES)).isEmpty();
        assertThat(names).containsExactlyElementsOf(OpSchema.WIRE_NAMES);
    }

    @Test
    void everyHandlerTheTableNamesIsAFunctionOfTheAgent() throws IOException {
        String src = allSources();
        for (Entry e : table(read(AGENT.resolve("proto.c")))) {
            for (String h : List.of(e.memfd(), e.fs())) {
                if (h.equals("NULL")) continue;
                assertThat(Pattern.compile("(?m)^(static )?void " + h + "\\(struct req \\*r\\)").matcher(src).find())
                        .as("handler %s of %s is defined as void %s(struct req *r)", h, e.name(), h).isTrue();
            }
        }
    }

    @Test
    void aTableThatDriftsFromTheProtocolIsCaught() {
        String src = read(AGENT.resolve("proto.c"));
        // planted: an op dropped, an op renamed, two ops swapped, an entry in another shape
        String dropped = src.replace("\t{ \"evict\", NULL, op_evict_fs },\n", "");
        String renamed = src.replace("{ \"inv_ack\",", "{ \"inv_acks\",");
        String swapped = src.replace("\t{ \"mmap\", op_mmap, op_mmap },\n\t{ \"munmap\", op_munmap, op_munmap },",
                "\t{ \"munmap\", op_munmap, op_munmap },\n\t{ \"mmap\", op_mmap, op_mmap },");
        assertThat(dropped).isNotEqualTo(src);
        assertThat(renamed).isNotEqualTo(src);
        assertThat(swapped).isNotEqualTo(src);
        assertThat(mismatch(names(dropped), OpSchema.WIRE_NAMES)).contains("agent lacks [evict]");
        assertThat(mismatch(names(renamed), OpSchema.WIRE_NAMES)).contains("agent lacks [inv_ack]").contains("extra [inv_acks]");
        assertThat(mismatch(names(swapped), OpSchema.WIRE_NAMES)).startsWith("same names, other order");
        String odd = src.replace("{ \"settle\", op_settle, op_settle_fs },", "{ \"settle\", op_settle },");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table(odd))
                .hasMessageContaining("not a table entry").hasMessageContaining("\"settle\"");
    }

    private static List<String> names(String source) {
        return table(source).stream().map(Entry::name).toList();
    }
}
