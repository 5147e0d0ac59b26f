package dev.devmap.harness.agent;

import dev.devmap.harness.Request;
import dev.devmap.kernelapi.Op;
import dev.devmap.kernelapi.OpSchema;
import dev.devmap.model.DmaOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The codec and the trace writer driven by {@link OpSchema}: the lines, short forms and spec actions
 * below are what the hand-written encoder, the records' own show() and TlaTrace's own action table
 * produced before the schema replaced them (recorded from that code), so the table changed nothing.
 */
class OpSchemaCodecTest {
    static final List<Op> OPS = List.of(new Op.MmapCall("f1"), new Op.MunmapCall("f1"), new Op.WriteCall("f1", 2),
            new Op.ReadCall("f1", 1), new Op.TruncateCall("f1", 0), new Op.PunchHoleCall("f1", 1, 2),
            new Op.FallocateCall("f1", 3), new Op.ReflinkCall("f1", 1, 3), new Op.WritebackCall("f1", 1),
            new Op.EvictCall("f1", 1), new Op.RelocateCall("f1", 2), new Op.UnshareCall("f1", 2),
            new Op.DeviceMapCall("gpu", "f1", 1, 2, true, true, false, false),
            new Op.DeviceMapCall("gpu", "f2", 2, 3, false, false, true, true),
            new Op.DeviceMapCall("nic", "f1", 1, 1, false, false, false, true), new Op.MapCommitCall("gpu"),
            new Op.DeviceUnmapCall("gpu", "f1", 1), new Op.UnpinCall("nic", "f2", 2),
            new Op.DmaStartCall("gpu", "f1", 2, DmaOp.WRITE), new Op.DmaStartCall("gpu", "f1", 1, DmaOp.READ),
            new Op.DmaEndCall("gpu"), new Op.DevReadCall("nic", "f1", 1), new Op.DevWriteCall("gpu", "f2", 3),
            new Op.InvAckCall("gpu", "f1"), new Op.RevokeAckCall("nic"), new Op.BarReclaimCall("gpu", "f1", 1),
            new Op.UnplugCall(), new Op.SettleCall());

    static final List<String> LINES = List.of(
            "{\"id\":42,\"op\":\"mmap\",\"file\":\"f1\"}",
            "{\"id\":42,\"op\":\"munmap\",\"file\":\"f1\"}",
            "{\"id\":42,\"op\":\"cpu_write\",\"file\":\"f1\",\"off\":2,\"value\":7}",
            "{\"id\":42,\"op\":\"cpu_read\",\"file\":\"f1\",\"off\":1}",
            "{\"id\":42,\"op\":\"truncate\",\"file\":\"f1\",\"pages\":0}",
            "{\"id\":42,\"op\":\"punch\",\"file\":\"f1\",\"lo\":1,\"hi\":2}",
            "{\"id\":42,\"op\":\"fallocate\",\"file\":\"f1\",\"off\":3}",
            "{\"id\":42,\"op\":\"reflink\",\"file\":\"f1\",\"off\":1,\"to\":3}",
            "{\"id\":42,\"op\":\"writeback\",\"file\":\"f1\",\"off\":1}",
            "{\"id\":42,\"op\":\"evict\",\"file\":\"f1\",\"off\":1}",
            "{\"id\":42,\"op\":\"relocate\",\"file\":\"f1\",\"off\":2}",
            "{\"id\":42,\"op\":\"unshare\",\"file\":\"f1\",\"off\":2}",
            "{\"id\":42,\"op\":\"device_map\",\"imp\":\"gpu\",\"file\":\"f1\",\"lo\":1,\"hi\":2,\"flags\":[\"PIN\",\"WRITE\"],\"commit\":false}",
            "{\"id\":42,\"op\":\"device_map\",\"imp\":\"gpu\",\"file\":\"f2\",\"lo\":2,\"hi\":3,\"flags\":[\"ATOMIC\"],\"commit\":true}",
            "{\"id\":42,\"op\":\"device_map\",\"imp\":\"nic\",\"file\":\"f1\",\"lo\":1,\"hi\":1,\"flags\":[],\"commit\":true}",
            "{\"id\":42,\"op\":\"map_commit\",\"imp\":\"gpu\"}",
            "{\"id\":42,\"op\":\"device_unmap\",\"imp\":\"gpu\",\"file\":\"f1\",\"lo\":1}",
            "{\"id\":42,\"op\":\"dmabuf_release\",\"imp\":\"nic\",\"file\":\"f2\",\"lo\":2}",
            "{\"id\":42,\"op\":\"dma_start\",\"imp\":\"gpu\",\"file\":\"f1\",\"off\":2,\"dir\":\"write\"}",
            "{\"id\":42,\"op\":\"dma_start\",\"imp\":\"gpu\",\"file\":\"f1\",\"off\":1,\"dir\":\"read\"}",
            "{\"id\":42,\"op\":\"dma_end\",\"imp\":\"gpu\"}",
            "{\"id\":42,\"op\":\"dev_read\",\"imp\":\"nic\",\"file\":\"f1\",\"off\":1}",
            "{\"id\":42,\"op\":\"dev_write\",\"imp\":\"gpu\",\"file\":\"f2\",\"off\":3}",
            "{\"id\":42,\"op\":\"inv_ack\",\"imp\":\"gpu\",\"file\":\"f1\"}",
            "{\"id\":42,\"op\":\"revoke_ack\",\"imp\":\"nic\"}",
            "{\"id\":42,\"op\":\"bar_reclaim\",\"imp\":\"gpu\",\"file\":\"f1\",\"lo\":1}",
            "{\"id\":42,\"op\":\"unplug\"}",
            "{\"id\":42,\"op\":\"settle\"}");

    static final List<String> SHOWN = List.of(
            "mmap f1",
            "munmap f1",
            "cpu_write f1 2",
            "cpu_read f1 1",
            "truncate f1 0",
            "punch f1 1..2",
            "fallocate f1 3",
            "reflink f1 1->3",
            "writeback f1 1",
            "evict f1 1",
            "relocate f1 2",
            "unshare f1 2",
            "device_map gpu f1 1..2 PIN WRITE (prepare)",
            "device_map gpu f2 2..3 ATOMIC",
            "device_map nic f1 1..1",
            "map_commit gpu",
            "device_unmap gpu f1 1",
            "dmabuf_release nic f2 2",
            "dma_start gpu f1 2 write",
            "dma_start gpu f1 1 read",
            "dma_end gpu",
            "dev_read nic f1 1",
            "dev_write gpu f2 3",
            "inv_ack gpu f1",
            "revoke_ack nic",
            "bar_reclaim gpu f1 1",
            "unplug",
            "settle");

    static final List<String> ACTIONS = List.of(
            "Mmap(\"f1\")",
            "Munmap(\"f1\")",
            "CpuWrite(\"f1\", 2)",
            "CpuRead(\"f1\", 1)",
            "Truncate(\"f1\", 0)",
            "PunchHole(\"f1\", 1, 2)",
            "Fallocate(\"f1\", 3)",
            "Reflink(\"f1\", 1, 3)",
            "Writeback(\"f1\", 1)",
            "Evict(\"f1\", 1)",
            "Relocate(\"f1\", 2)",
            "Unshare(\"f1\", 2)",
            "MapPrepare(\"gpu\", \"f1\", 1, 2, TRUE, TRUE, FALSE)",
            "MapPrepare(\"gpu\", \"f2\", 2, 3, FALSE, FALSE, TRUE)",
            "MapPrepare(\"nic\", \"f1\", 1, 1, FALSE, FALSE, FALSE)",
            "MapCommit(\"gpu\") \\/ MapRetry(\"gpu\")",
            "DeviceUnmap(\"gpu\", \"f1\", 1)",
            "DmaBufRelease(\"nic\", \"f2\", 2)",
            "Direct(\"gpu\", \"f1\", 2, \"write\")",
            "Direct(\"gpu\", \"f1\", 1, \"read\")",
            "DmaEnd(\"gpu\")",
            "Direct(\"nic\", \"f1\", 1, \"read\") \\/ DevFallbackRead(\"nic\", \"f1\", 1)",
            "Direct(\"gpu\", \"f2\", 3, \"write\") \\/ DevFallbackWrite(\"gpu\", \"f2\", 3)",
            "InvAck(\"gpu\", \"f1\")",
            "RevokeAck(\"nic\")",
            "BarReclaim(\"gpu\", \"f1\", 1)",
            "UnplugStart",
            "Internal");

    @Test
    void theSchemaWritesTheLinesTheHandWrittenEncoderWroteAndReadsThemBack() throws Exception {
        for (int k = 0; k < OPS.size(); k++) {
            Request r = new Request(OPS.get(k), OPS.get(k) instanceof Op.WriteCall ? 7 : null);
            assertThat(Wire.request(42, r)).isEqualTo(LINES.get(k));
            assertThat(Wire.parseRequest(Wire.parse(LINES.get(k)))).isEqualTo(r);
        }
    }

    @Test
    void shortFormsAndSpecActionsComeFromTheTable() {
        for (int k = 0; k < OPS.size(); k++) {
            assertThat(OPS.get(k).show()).isEqualTo(SHOWN.get(k));
            assertThat(OpSchema.of(OPS.get(k)).tla(OPS.get(k))).isEqualTo(ACTIONS.get(k));
        }
    }

    @Test
    void everyOpOfTheTableIsCoveredHereAndTheTableIsTheWireNameList() {
        List<String> names = new ArrayList<>();
        for (Op op : OPS) if (!names.contains(op.wire())) names.add(op.wire());
        assertThat(names).containsExactlyElementsOf(OpSchema.WIRE_NAMES);
        assertThat(Op.WIRE_NAMES).isSameAs(OpSchema.WIRE_NAMES);
        assertThat(OpSchema.WIRE_NAMES).hasSize(Op.class.getPermittedSubclasses().length);
    }

    @Test
    void theParserRejectsWhatTheSchemaDoesNotAllow() {
        assertThatThrownBy(() -> Wire.parseRequest(Wire.parse("{\"id\":1,\"op\":\"mmapp\",\"file\":\"f1\"}")))
                .hasMessage("unknown op \"mmapp\"");
        assertThatThrownBy(() -> Wire.parseRequest(Wire.parse(
                "{\"id\":1,\"op\":\"device_map\",\"imp\":\"gpu\",\"file\":\"f1\",\"lo\":1,\"hi\":1,\"flags\":[\"EXEC\"]}")))
                .hasMessage("unknown flag EXEC");
        assertThatThrownBy(() -> Wire.parseRequest(Wire.parse(
                "{\"id\":1,\"op\":\"dma_start\",\"imp\":\"gpu\",\"file\":\"f1\",\"off\":1,\"dir\":\"rw\"}")))
                .hasMessage("dir must be read or write");
        assertThatThrownBy(() -> Wire.parseRequest(Wire.parse("{\"id\":1,\"op\":\"reflink\",\"file\":\"f1\",\"off\":1}")))
                .hasMessage("missing or non-integer field \"to\"");
    }
}
