package dev.devmap.kernelapi;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operation schema: one row per Op record, its arguments the record's components. */
class OpSchemaTest {
    @Test
    void everyOpRecordHasExactlyOneRow() {
        Set<Class<?>> rows = new HashSet<>();
        for (OpSchema.Entry e : OpSchema.TABLE) assertThat(rows.add(e.type())).as(e.wire()).isTrue();
        assertThat(rows).containsExactlyInAnyOrder(Op.class.getPermittedSubclasses());
    }

    @Test
    void aRowWhoseArgumentsAreNotTheRecordsComponentsIsRejected() {
        // planted: arguments swapped, one missing
        assertThatThrownBy(() -> new OpSchema.Entry("punch", Op.PunchHoleCall.class, "PunchHole({f}, {lo}, {hi})", "",
                new OpSchema.Arg("f", "file", OpSchema.Type.TEXT), new OpSchema.Arg("hi", "hi", OpSchema.Type.INT),
                new OpSchema.Arg("lo", "lo", OpSchema.Type.INT)))
                .hasMessageContaining("argument 1 is hi, the record's component is lo");
        assertThatThrownBy(() -> new OpSchema.Entry("mmap", Op.MmapCall.class, "Mmap({f})", ""))
                .hasMessageContaining("0 arguments for 1 components");
    }

    @Test
    void aTemplateNamingNoArgumentFails() {
        OpSchema.Entry bad = new OpSchema.Entry("mmap", Op.MmapCall.class, "Mmap({file})", "mmap {f}",
                new OpSchema.Arg("f", "file", OpSchema.Type.TEXT));
        assertThatThrownBy(() -> bad.tla(new Op.MmapCall("f1"))).hasMessageContaining("no argument {file}");
        assertThat(bad.show(new Op.MmapCall("f1"))).isEqualTo("mmap f1");
    }

    @Test
    void valuesAndMakeAreInverse() {
        Op op = new Op.DeviceMapCall("gpu", "f1", 1, 2, true, false, true, false);
        OpSchema.Entry e = OpSchema.of(op);
        assertThat(e.make(e.values(op))).isEqualTo(op);
        assertThat(OpSchema.of("device_map")).isSameAs(e);
        assertThat(OpSchema.of("no_such_op")).isNull();
    }
}
