package dev.devmap.harness.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.OpSchema;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.Capabilities;
import dev.devmap.harness.DutConfig;
import dev.devmap.harness.Request;
import dev.devmap.harness.Response;
import dev.devmap.model.DmaOp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agent line protocol, version 1 (see hw-harness/AGENT-PROTOCOL.md): one JSON object per line. Writing is
 * done by hand (fast, stable field order); reading with Jackson. Anything that does not parse as
 * the protocol raises {@link ProtocolException}.
 */
public final class Wire {
    public static final int VERSION = 1;
    /** Strict: one object per line, nothing after it, no key twice. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Wire() { }

    /** A line that is not the protocol. */
    public static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) { super(message); }
    }

    public static JsonNode parse(String line) throws ProtocolException {
        try {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) throw new ProtocolException("not a JSON object: " + clip(line));
            return n;
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage();
            throw new ProtocolException((why != null && why.startsWith("Duplicate field") ? "a key twice: "
                    : why != null && why.startsWith("Trailing token") ? "something after the JSON object: " : "not JSON: ")
                    + clip(line));
        }
    }

    static String clip(String s) { return s.length() > 120 ? s.substring(0, 120) + "..." : s; }

    // ------------------------------------------------------------------ writing

    /** A minimal JSON object writer. */
    static final class Obj {
        private final StringBuilder sb = new StringBuilder(96).append('{');
        private boolean first = true;

        private Obj key(String k) {
            if (!first) sb.append(',');
            first = false;
            sb.append('"').append(k).append("\":");
            return this;
        }

        Obj put(String k, String v) {
            if (v == null) return this;
            key(k);
            str(sb, v);
            return this;
        }

        Obj put(String k, long v) {
            key(k).sb.append(v);
            return this;
        }

        Obj put(String k, Integer v) {
            if (v != null) key(k).sb.append(v.intValue());
            return this;
        }

        Obj put(String k, boolean v) {
            key(k).sb.append(v);
            return this;
        }

        Obj strings(String k, Collection<String> vs) {
            if (vs == null) return this;
            key(k).sb.append('[');
            boolean f = true;
            for (String v : vs) {
                if (!f) sb.append(',');
                f = false;
                str(sb, v);
            }
            sb.append(']');
            return this;
        }

        Obj numbers(String k, Collection<? extends Number> vs) {
            key(k).sb.append('[');
            boolean f = true;
            for (Number v : vs) {
                if (!f) sb.append(',');
                f = false;
                sb.append(v.longValue());
            }
            sb.append(']');
            return this;
        }

        Obj raw(String k, String json) {
            if (json == null) return this;
            key(k).sb.append(json);
            return this;
        }

        String done() { return sb.append('}').toString(); }
    }

    static void str(StringBuilder sb, String s) {
        sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
    }

    public static String hello(String harness, Map<String, String> resources) {
        Obj o = new Obj().put("devmap", VERSION).put("op", "hello").put("harness", harness);
        for (Map.Entry<String, String> e : resources.entrySet()) o.put(e.getKey(), e.getValue());
        return o.done();
    }

    /** A JSON object of strings. */
    private static String stringMap(Map<String, String> m) {
        StringBuilder out = new StringBuilder("{");
        boolean f = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!f) out.append(',');
            f = false;
            str(out, e.getKey());
            out.append(':');
            str(out, e.getValue());
        }
        return out.append('}').toString();
    }

    public static String helloReply(Capabilities c) {
        List<String> silent = new ArrayList<>();
        for (Event.Type k : c.silent()) silent.add(k.wire());
        String uns = stringMap(c.unsupported());
        return new Obj().put("devmap", c.version()).put("ok", true).put("agent", c.agent()).strings("ops", c.ops())
                .strings("silent", silent).strings("observes", new TreeSet<>(c.observes())).raw("unsupported", uns.toString())
                .raw("config", config(c.config())).strings("choices", c.choices().isEmpty() ? null : c.choices())
                .raw("beyond", c.beyond().isEmpty() ? null : stringMap(c.beyond())).done();
    }

    public static String config(DutConfig c) {
        StringBuilder imps = new StringBuilder("[");
        for (int k = 0; k < c.importers().size(); k++) {
            DutConfig.Importer i = c.importers().get(k);
            if (k > 0) imps.append(',');
            imps.append(new Obj().put("name", i.name()).put("route", i.route()).put("atomic", i.atomic())
                    .put("write", i.write()).done());
        }
        imps.append(']');
        return new Obj().strings("files", c.files()).put("pages", c.pages()).put("blocks", c.blocks())
                .raw("importers", imps.toString()).put("bar_pages", c.barPages()).put("bar_base", c.barBase())
                .put("pin", c.pinSupport()).put("reverse_map", c.bdevInvalidate()).put("page_cache", c.pageCache()).put("file_size", c.fileSize()).done();
    }

    public static String reset(long id, DutConfig proposed) {
        return new Obj().put("id", id).put("op", "reset").raw("config", config(proposed)).done();
    }

    public static String bye(long id) { return new Obj().put("id", id).put("op", "bye").done(); }

    /** A request: its op's name and arguments as its row of {@link OpSchema} says (the FLAG arguments as one array). */
    public static String request(long id, Request r) {
        Op op = r.op();
        OpSchema.Entry row = OpSchema.of(op);
        Obj o = new Obj().put("id", id).put("op", row.wire());
        List<Object> values = row.values(op);
        boolean flagsWritten = false;
        for (int k = 0; k < values.size(); k++) {
            OpSchema.Arg a = row.args().get(k);
            Object v = values.get(k);
            switch (a.type()) {
                case TEXT -> o.put(a.key(), (String) v);
                case INT -> o.put(a.key(), (int) (Integer) v);
                case BOOL -> o.put(a.key(), (boolean) (Boolean) v);
                case DIR -> o.put(a.key(), ((DmaOp) v).tla());
                case FLAG -> {
                    if (!flagsWritten) {   // all of the row's flags, as one array where the first stands
                        List<String> flags = new ArrayList<>();
                        for (int j = k; j < values.size(); j++) {
                            if (row.args().get(j).type() == OpSchema.Type.FLAG && (Boolean) values.get(j)) {
                                flags.add(row.args().get(j).key());
                            }
                        }
                        o.strings(OpSchema.FLAGS, flags);
                        flagsWritten = true;
                    }
                }
            }
        }
        o.put("value", r.value());
        return o.done();
    }

    public static String event(Event e) {
        return new Obj().put("event", e.kind().wire()).put("imp", e.imp()).put("file", e.file()).put("value", e.value())
                .done();
    }

    public static String response(long id, Response r) {
        Outcome o = r.outcome();
        Obj j = new Obj().put("id", id).put("ok", o.kind() != Outcome.Answer.ERROR);
        if (o.kind() == Outcome.Answer.ERROR) {
            j.put("errno", r.errno() == null ? "EIO" : r.errno()).put("message", r.message());
        } else {
            j.put("result", o.kind().wire()).put("reason", o.reason()).put("value", o.value())
                    .put("path", o.path() == null ? null : o.path().wire());
            if (o.notified() != null) j.strings("notified", new TreeSet<>(o.notified()));
            if (!r.addrs().isEmpty()) j.numbers("addrs", r.addrs());
            if (!r.blocks().isEmpty()) j.numbers("blocks", r.blocks());
            j.put("dmabuf", r.dmabuf());
            if (o.kind() == Outcome.Answer.BUSY) j.put("errno", r.errno());
        }
        if (r.byKernel()) j.put("by", "kernel");
        j.put("bar", o.bar());
        if (!r.after().isEmpty()) {
            StringBuilder es = new StringBuilder("[");
            for (int k = 0; k < r.after().size(); k++) es.append(k == 0 ? "" : ",").append(event(r.after().get(k)));
            j.raw("events", es.append(']').toString());
        }
        return j.done();
    }

    // ------------------------------------------------------------------ reading

    static String text(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new ProtocolException("missing or non-string field \"" + field + "\"");
        return v.asText();
    }

    static String optText(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw new ProtocolException("field \"" + field + "\" is not a string");
        return v.asText();
    }

    static int integer(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ProtocolException("missing or non-integer field \"" + field + "\"");
        }
        return v.asInt();
    }

    static Integer optInt(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new ProtocolException("field \"" + field + "\" is not an integer");
        return v.asInt();
    }

    /** An optional count (BAR pages in use): absent, null or an integer >= 0. */
    static Integer optCount(JsonNode n, String field) throws ProtocolException {
        Integer v = optInt(n, field);
        if (v != null && v < 0) throw new ProtocolException("field \"" + field + "\" is a count, not " + v);
        return v;
    }

    static boolean bool(JsonNode n, String field, boolean dflt) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isBoolean()) throw new ProtocolException("field \"" + field + "\" is not a boolean");
        return v.asBoolean();
    }

    static List<String> strings(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        for (JsonNode x : array(n, field)) {
            if (!x.isTextual()) throw new ProtocolException("field \"" + field + "\" has a non-string element");
            out.add(x.asText());
        }
        return out;
    }

    /** An optional array field: absent or null is empty; anything else but an array is an error. */
    static JsonNode array(JsonNode n, String field) throws ProtocolException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) return JSON.createArrayNode();
        if (!v.isArray()) throw new ProtocolException("field \"" + field + "\" is not an array");
        if (v.size() > MAX_ARRAY) throw new ProtocolException("field \"" + field + "\" has more than " + MAX_ARRAY + " elements");
        return v;
    }

    /** The most elements an array in a line may have. */
    static final int MAX_ARRAY = 4096;

    /** The id of an answer: an integer, nothing else. */
    public static long id(JsonNode n) throws ProtocolException {
        JsonNode v = n.get("id");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ProtocolException("missing or non-integer \"id\"");
        }
        return v.asLong();
    }

    public static DutConfig parseConfig(JsonNode c) throws ProtocolException {
        if (c == null || !c.isObject()) throw new ProtocolException("missing config object");
        List<DutConfig.Importer> imps = new ArrayList<>();
        JsonNode is = c.get("importers");
        if (is == null || !is.isArray()) throw new ProtocolException("config has no importers array");
        for (JsonNode i : array(c, "importers")) {
            if (!i.isObject()) throw new ProtocolException("an importer is not an object");
            imps.add(new DutConfig.Importer(text(i, "name"), bool(i, "route", false), bool(i, "atomic", false),
                    bool(i, "write", false)));
        }
        JsonNode base = c.get("bar_base");
        if (base != null && !base.isNull() && (!base.isIntegralNumber() || !base.canConvertToLong() || base.asLong() < 0)) {
            throw new ProtocolException("field \"bar_base\" is not a non-negative integer");
        }
        try {
            return new DutConfig(strings(c, "files"), integer(c, "pages"), integer(c, "blocks"), imps,
                    integer(c, "bar_pages"), base == null ? 0 : base.asLong(), bool(c, "pin", true),
                    bool(c, "reverse_map", true), bool(c, "page_cache", true),
                    bool(c, "file_size", false));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("bad config: " + e.getMessage());
        }
    }

    public static Capabilities parseHello(JsonNode n) throws ProtocolException {
        if (!bool(n, "ok", false)) throw new ProtocolException("the agent refused the handshake: " + n);
        int version = integer(n, "devmap");
        Set<Event.Type> silent = new LinkedHashSet<>();
        for (String s : strings(n, "silent")) {
            try {
                silent.add(Event.Type.of(s));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(e.getMessage());
            }
        }
        Map<String, String> uns = new LinkedHashMap<>();
        JsonNode u = n.get("unsupported");
        if (u != null && u.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = u.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                uns.put(e.getKey(), e.getValue().asText());
            }
        }
        List<String> choices = new ArrayList<>();
        for (String c : strings(n, "choices")) {
            dev.devmap.model.Variant v;
            try {
                v = dev.devmap.model.Variant.of(c);
            } catch (IllegalArgumentException e) {
                v = null;
            }
            if (v == null || !v.choice()) {
                throw new ProtocolException("unknown protocol choice '" + c + "' in \"choices\" (known: "
                        + String.join(", ", choiceNames()) + ")");
            }
            choices.add(c);
        }
        JsonNode w = n.get("witness");
        if (w != null && !w.isNull()) {
            if (!w.isObject()) throw new ProtocolException("\"witness\" must map test names to \"CLASS REQ REQ...\"");
            for (Iterator<Map.Entry<String, JsonNode>> it = w.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    dev.devmap.harness.KernelWitness.claim(e.getValue().asText(), "\"witness\" of " + e.getKey());
                } catch (IllegalArgumentException x) {
                    throw new ProtocolException(x.getMessage());
                }
            }
        }
        Map<String, String> beyond = new LinkedHashMap<>();
        JsonNode b = n.get("beyond");
        if (b != null && !b.isNull()) {
            if (!b.isObject()) throw new ProtocolException("\"beyond\" must map a bound of the model to why the device exceeds it");
            for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!Capabilities.BOUNDS.contains(e.getKey())) {
                    throw new ProtocolException("unknown bound '" + e.getKey() + "' in \"beyond\" (known: "
                            + String.join(", ", new TreeSet<>(Capabilities.BOUNDS)) + ")");
                }
                beyond.put(e.getKey(), e.getValue().asText());
            }
        }
        return new Capabilities(text(n, "agent"), version, new LinkedHashSet<>(strings(n, "ops")), silent,
                new LinkedHashSet<>(strings(n, "observes")), uns, parseConfig(n.get("config")), choices, beyond);
    }

    static List<String> choiceNames() {
        List<String> out = new ArrayList<>();
        for (dev.devmap.model.Variant v : dev.devmap.model.Variant.values()) if (v.choice()) out.add(v.tla());
        return out;
    }

    public static Event parseEvent(JsonNode n) throws ProtocolException {
        try {
            Event.Type k = Event.Type.of(text(n, "event"));
            Event e = new Event(k, optText(n, "imp"), optText(n, "file"), optInt(n, "value"));
            boolean needsImp = k != Event.Type.INV_END && k != Event.Type.UNPLUG_END;
            if (needsImp && e.imp() == null) throw new ProtocolException("event " + k.wire() + " needs \"imp\"");
            if ((k == Event.Type.ACK || k == Event.Type.INV_END) && e.file() == null) {
                throw new ProtocolException("event " + k.wire() + " needs \"file\"");
            }
            return e;
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    public static Response parseResponse(JsonNode n, List<Event> before) throws ProtocolException {
        boolean ok = bool(n, "ok", false);
        Integer bar = optCount(n, "bar");
        List<Event> after = new ArrayList<>();
        JsonNode es = n.get("events");
        if (es != null && !es.isNull()) {
            for (JsonNode e : array(n, "events")) after.add(parseEvent(e));
        }
        boolean byKernel = byKernel(n);
        if (!ok) {
            return new Response(before, Outcome.of(Outcome.Answer.ERROR).withBar(bar), after, null, null, null,
                    optText(n, "errno"), optText(n, "message"), byKernel);
        }
        Outcome.Answer kind;
        Outcome.Path path;
        try {
            kind = Outcome.Answer.of(text(n, "result"));
            String p = optText(n, "path");
            path = p == null ? null : Outcome.Path.of(p);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage());
        }
        if (kind == Outcome.Answer.ERROR) throw new ProtocolException("result \"error\" must be sent as \"ok\":false");
        String reason = optText(n, "reason");
        if (kind == Outcome.Answer.REFUSED && reason == null) throw new ProtocolException("a refusal needs a \"reason\"");
        if (kind == Outcome.Answer.VALUE && optInt(n, "value") == null) throw new ProtocolException("a value needs \"value\"");
        Set<String> notified = n.has("notified") ? new LinkedHashSet<>(strings(n, "notified")) : null;
        List<Long> addrs = new ArrayList<>();
        for (JsonNode a : array(n, "addrs")) {
            if (!a.isIntegralNumber() || !a.canConvertToLong()) throw new ProtocolException("\"addrs\" has a non-integer element");
            addrs.add(a.asLong());
        }
        List<Integer> blocks = new ArrayList<>();
        for (JsonNode b : array(n, "blocks")) {
            if (!b.isIntegralNumber() || !b.canConvertToInt()) throw new ProtocolException("\"blocks\" has a non-integer element");
            blocks.add(b.asInt());
        }
        Outcome o = new Outcome(kind, reason, optInt(n, "value"), path, notified, bar);
        return new Response(before, o, after, blocks, addrs, optInt(n, "dmabuf"), optText(n, "errno"),
                optText(n, "message"), byKernel);
    }

    /** {@code "by":"kernel"}: a kernel call made the decision; absent: the agent did. */
    static boolean byKernel(JsonNode n) throws ProtocolException {
        JsonNode b = n.get("by");
        if (b == null || b.isNull()) return false;
        if (!b.isTextual() || !b.textValue().equals("kernel")) {
            throw new ProtocolException("\"by\" must be \"kernel\" (a kernel call decided) or absent (the agent decided), not " + b);
        }
        return true;
    }

    /** A request as the agent side reads it: the op's row of {@link OpSchema} says which fields it has. */
    public static Request parseRequest(JsonNode n) throws ProtocolException {
        String op = text(n, "op");
        Integer value = optInt(n, "value");
        OpSchema.Entry row = OpSchema.of(op);
        if (row == null) throw new ProtocolException("unknown op \"" + op + "\"");
        List<String> flags = null;
        List<Object> values = new ArrayList<>();
        for (OpSchema.Arg a : row.args()) {
            switch (a.type()) {
                case TEXT -> values.add(text(n, a.key()));
                case INT -> values.add(integer(n, a.key()));
                case BOOL -> values.add(bool(n, a.key(), true));
                case DIR -> {
                    String dir = text(n, a.key());
                    if (!dir.equals("read") && !dir.equals("write")) throw new ProtocolException(a.key() + " must be read or write");
                    values.add(DmaOp.of(dir));
                }
                case FLAG -> {
                    if (flags == null) flags = flags(n, row);
                    values.add(flags.contains(a.key()));
                }
            }
        }
        return new Request(row.make(values), value);
    }

    /** The "flags" array of a request, each element one of the row's FLAG names. */
    private static List<String> flags(JsonNode n, OpSchema.Entry row) throws ProtocolException {
        List<String> known = new ArrayList<>();
        for (OpSchema.Arg a : row.args()) if (a.type() == OpSchema.Type.FLAG) known.add(a.key());
        List<String> flags = strings(n, OpSchema.FLAGS);
        for (String f : flags) if (!known.contains(f)) throw new ProtocolException("unknown flag " + f);
        return flags;
    }
}
