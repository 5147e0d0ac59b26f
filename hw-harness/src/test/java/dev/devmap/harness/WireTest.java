package dev.devmap.harness;

import dev.devmap.kernelapi.Event;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.Outcome;
import dev.devmap.harness.agent.CommandSplitter;
import dev.devmap.harness.agent.Wire;
import dev.devmap.model.DmaOp;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The agent line protocol codec. */
class WireTest {
    static final List<Op> OPS = List.of(new Op.MmapCall("f1"), new Op.MunmapCall("f1"), new Op.WriteCall("f1", 2), new Op.ReadCall("f1", 1),
            new Op.TruncateCall("f1", 0), new Op.PunchHoleCall("f1", 1, 2), new Op.FallocateCall("f1", 3), new Op.ReflinkCall("f1", 1, 3),
            new Op.WritebackCall("f1", 1), new Op.EvictCall("f1", 1), new Op.RelocateCall("f1", 2), new Op.UnshareCall("f1", 2),
            new Op.DeviceMapCall("gpu", "f1", 1, 2, true, true, false, false), new Op.MapCommitCall("gpu"),
            new Op.DeviceUnmapCall("gpu", "f1", 1), new Op.UnpinCall("nic", "f2", 2), new Op.DmaStartCall("gpu", "f1", 2, DmaOp.WRITE),
            new Op.DmaEndCall("gpu"), new Op.DevReadCall("nic", "f1", 1), new Op.DevWriteCall("gpu", "f2", 3), new Op.InvAckCall("gpu", "f1"),
            new Op.RevokeAckCall("nic"), new Op.BarReclaimCall("gpu", "f1", 1), new Op.UnplugCall(), new Op.SettleCall());

    @Test
    void everyRequestRoundTrips() throws Exception {
        assertThat(OPS.stream().map(Op::wire).toList()).containsExactlyElementsOf(Op.WIRE_NAMES);
        for (Op op : OPS) {
            Request r = new Request(op, op instanceof Op.WriteCall ? 7 : null);
            String line = Wire.request(42, r);
            assertThat(line).doesNotContain("\n").startsWith("{\"id\":42,\"op\":\"" + op.wire() + "\"");
            assertThat(Wire.parseRequest(Wire.parse(line))).isEqualTo(r);
        }
    }

    @Test
    void namesWithQuotesBackslashesAndControlCharactersStayOneLineAndRoundTrip() throws Exception {
        String odd = "f\"1\\x\n\t\u0001";
        Request r = new Request(new Op.MmapCall(odd), null);
        String line = Wire.request(1, r);
        assertThat(line).doesNotContain("\n").doesNotContain("\u0001");
        assertThat(Wire.parseRequest(Wire.parse(line))).isEqualTo(r);
    }

    @Test
    void aQuotedWordSplitsBackUnchanged() {
        for (String w : List.of("plain", "with space", "it's", "'", "a\\b", "\"q\"")) {
            assertThat(CommandSplitter.split("cmd " + CommandSplitter.quote(w))).containsExactly("cmd", w);
        }
    }

    @Test
    void responsesAndEventsRoundTrip() throws Exception {
        List<Response> rs = List.of(
                new Response(List.of(), new Outcome(Outcome.Answer.GRANTED, null, null, null, null, 2), List.of(Event.invEnd("f1")),
                        List.of(3, 4), List.of(0xF0000000L, 0xF0001000L), 5, null, null),
                Response.of(new Outcome(Outcome.Answer.REFUSED, "no-route", null, null, null, 0)),
                Response.of(new Outcome(Outcome.Answer.VALUE, null, 9, Outcome.Path.DIRECT, null, 1)),
                Response.of(new Outcome(Outcome.Answer.STARTED, null, null, null, Set.of("gpu", "nic"), 1)),
                new Response(List.of(), Outcome.of(Outcome.Answer.ERROR).withBar(0), List.of(), null, null, null, "EFAULT", "no"));
        for (Response r : rs) {
            Response back = Wire.parseResponse(Wire.parse(Wire.response(3, r)), List.of());
            assertThat(back.outcome()).isEqualTo(r.outcome());
            assertThat(back.after()).isEqualTo(r.after());
            assertThat(back.addrs()).isEqualTo(r.addrs());
        }
        for (Event e : List.of(Event.ack("gpu", "f1"), Event.dmaEnd("gpu", 4), Event.unplugEnd(), Event.mapRetry("nic"))) {
            assertThat(Wire.parseEvent(Wire.parse(Wire.event(e)))).isEqualTo(e);
        }
    }

    @Test
    void garbageIsAProtocolError() {
        for (String bad : List.of("", "[1,2]", "not json", "{\"id\":1,\"ok\":true,\"result\":\"maybe\"}",
                "{\"id\":1,\"ok\":true,\"result\":\"refused\"}", "{\"id\":1,\"ok\":true,\"result\":\"value\"}",
                "{\"id\":1,\"ok\":true,\"result\":\"done\",\"events\":[{\"event\":\"ack\"}]}")) {
            assertThatThrownBy(() -> Wire.parseResponse(Wire.parse(bad), List.of())).as(bad)
                    .isInstanceOf(Wire.ProtocolException.class);
        }
        assertThatThrownBy(() -> Wire.parseRequest(Wire.parse("{\"id\":1,\"op\":\"device_map\",\"imp\":\"gpu\",\"file\":"
                + "\"f1\",\"lo\":1,\"hi\":1,\"flags\":[\"FAST\"]}"))).hasMessageContaining("unknown flag FAST");
    }

    @Test
    void agentCommandsSplitLikeAShell() {
        assertThat(CommandSplitter.split("./agent --x 'a b' \"c \\\"d\\\"\" e\\ f")).containsExactly("./agent", "--x", "a b",
                "c \"d\"", "e f");
        assertThatThrownBy(() -> CommandSplitter.split("  ")).isInstanceOf(IllegalArgumentException.class);
    }
}
