package dev.devmap.kernelapi;

import dev.devmap.model.Action;
import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Guard;
import dev.devmap.model.State;
import dev.devmap.model.Step;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.devmap.kernelapi.SemanticsGuardTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kernel choice dax-writeback-mkclean, its dirty tag (the spec's {@code dtag}, {@code DaxTag},
 * {@code Tagged}): a write fault of a DAX mapping tags the page's entry dirty in the file's
 * mapping, and the tag, not a live writable grant, is what makes writeback write-protect the page.
 * What the kernel showed (fs=dax, guided scenario writeback-after-unmap): a GPU's writable
 * mapping unmapped, a NIC's read-only mapping made, then fsync: the NIC is invalidated.
 */
class DaxDirtyTagTest {
    private static final Constants DAX = new Constants(List.of("f1"), 2, 3, List.of("gpu", "nic"), Set.of("gpu", "nic"),
            Set.of(), Set.of("gpu"), 2, 100, false, true, false, Variant.DAX_WRITEBACK_MKCLEAN);
    private final DeviceMapModel m = new DeviceMapModel(DAX);
    private final Semantics sem = new Semantics(m);

    private State from(State s, Action... as) { return run(m, s, as); }

    /** f1 page 1 written, mapped WRITE by the gpu: its write fault tags the page. */
    private State gpuWroteIt() {
        return run(m, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1),
                new Action.MapPrepare("gpu", "f1", 1, 1, false, true, false), new Action.MapCommit("gpu"));
    }

    @Test
    void theTagOutlivesTheWritableGrantAndWritebackInvalidatesAReader() {
        State s = from(gpuWroteIt(), new Action.DeviceUnmap("gpu", "f1", 1),
                new Action.MapPrepare("nic", "f1", 1, 1, false, false, false), new Action.MapCommit("nic"));
        assertThat(m.tagged(s, "f1", 1)).as("unmap leaves the DAX entry dirty").isTrue();
        Semantics.Result r = sem.apply(s, new Op.WritebackCall("f1", 1));
        assertThat(r.outcome().kind()).isEqualTo(Outcome.Answer.STARTED);
        assertThat(r.outcome().notified()).containsExactly("nic");
    }

    @Test
    void aCpuWriteTagsNothingSoWritebackLeavesAReaderMapped() {
        State s = run(m, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1),
                new Action.MapPrepare("nic", "f1", 1, 1, false, false, false), new Action.MapCommit("nic"));
        assertThat(m.tagged(s, "f1", 1)).as("write(2) is dax_iomap_rw: no tag").isFalse();
        Step wb = m.step(s, new Action.Writeback("f1", 1));
        assertThat(Step.guardOf(wb)).isEqualTo(Guard.NOT_DIRTY);
    }

    @Test
    void writebackClearsTheTagOnceTheInvalidationEnds() {
        State s = gpuWroteIt();
        State t = from(s, new Action.Writeback("f1", 1), new Action.InvAck("gpu", "f1"));
        assertThat(m.tagged(t, "f1", 1)).as("cleared by the change, not by the start").isTrue();
        State u = from(t, new Action.InvEnd("f1"));
        assertThat(m.tagged(u, "f1", 1)).isFalse();
        assertThat(Step.guardOf(m.step(u, new Action.Writeback("f1", 1)))).isEqualTo(Guard.NOT_DIRTY);
    }

    @Test
    void aTaggedPageWithNoMappingLeftIsWrittenBackAtOnce() {
        State s = from(gpuWroteIt(), new Action.DeviceUnmap("gpu", "f1", 1));
        Semantics.Result r = sem.apply(s, new Op.WritebackCall("f1", 1));
        assertThat(r.outcome().kind()).isEqualTo(Outcome.Answer.DONE);
        assertThat(m.tagged(r.next(), "f1", 1)).isFalse();
    }

    @Test
    void truncateAndPunchClearTheTagMunmapKeepsIt() {
        State s = from(gpuWroteIt(), new Action.DeviceUnmap("gpu", "f1", 1), new Action.CpuWrite("f1", 2));
        assertThat(m.tagged(from(s, new Action.Munmap("f1")), "f1", 1)).as("the tag is the file's, not the vma's").isTrue();
        assertThat(m.tagged(from(s, new Action.Truncate("f1", 0)), "f1", 1)).isFalse();
        assertThat(m.tagged(from(s, new Action.PunchHole("f1", 1, 1)), "f1", 1)).isFalse();
        assertThat(m.tagged(from(s, new Action.PunchHole("f1", 2, 2)), "f1", 1)).as("outside the hole").isTrue();
    }

    @Test
    void aDeviceWriteWithoutAGrantTagsThePage() {
        State s = run(m, new Action.Mmap("f1"), new Action.DevFallbackWrite("nic", "f1", 2));
        assertThat(m.tagged(s, "f1", 2)).as("a fault through the CPU page table").isTrue();
        assertThat(m.tagged(s, "f1", 1)).isFalse();
    }

    /**
     * Kernel choice dax-exclusive-faults-first (made with dax-writeback-mkclean): the refused ATOMIC
     * map's write faults tagged the page, so the writeback after it invalidates a reader; with
     * dax-writeback-mkclean alone the refusal changes nothing.
     */
    @Test
    void aRefusedAtomicMapHasTaggedItsPagesUnderFaultsFirst() {
        DeviceMapModel ff = new DeviceMapModel(DAX.withVariant(Variant.DAX_EXCLUSIVE_FAULTS_FIRST));
        Semantics fs = new Semantics(ff);
        State s = run(ff, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1));
        Semantics.Result refused = fs.apply(s, new Op.DeviceMapCall("nic", "f1", 1, 1, false, false, true, true));
        assertThat(refused.outcome().kind()).isEqualTo(Outcome.Answer.REFUSED);
        assertThat(refused.outcome().reason()).isEqualTo("no-atomic-route");
        assertThat(refused.next().maps()).isEmpty();
        assertThat(ff.tagged(refused.next(), "f1", 1)).as("the exclusive gup write-faulted it").isTrue();
        State t = run(ff, refused.next(), new Action.MapPrepare("gpu", "f1", 1, 1, false, false, false),
                new Action.MapCommit("gpu"));
        Semantics.Result wb = fs.apply(t, new Op.WritebackCall("f1", 1));
        assertThat(wb.outcome().kind()).isEqualTo(Outcome.Answer.STARTED);
        assertThat(wb.outcome().notified()).containsExactly("gpu");
        // dax-writeback-mkclean alone: refused before any effect
        Semantics.Result plain = sem.apply(s, new Op.DeviceMapCall("nic", "f1", 1, 1, false, false, true, true));
        assertThat(plain.outcome().reason()).isEqualTo("no-atomic-route");
        assertThat(plain.next()).isEqualTo(s);
        // a refusal for another reason faults nothing under the choice either (a hole: refused first)
        assertThat(fs.apply(s, new Op.DeviceMapCall("nic", "f1", 2, 2, false, false, true, true)).next()).isEqualTo(s);
    }

    @Test
    void withoutTheChoiceNothingIsTagged() {
        DeviceMapModel ref = new DeviceMapModel(DAX.withVariant(Variant.NONE));
        State s = run(ref, new Action.Mmap("f1"), new Action.CpuWrite("f1", 1),
                new Action.MapPrepare("gpu", "f1", 1, 1, false, true, false), new Action.MapCommit("gpu"),
                new Action.DevFallbackWrite("nic", "f1", 2));
        assertThat(s.dtag()).containsOnly(0);
        assertThat(Step.guardOf(ref.step(s, new Action.Writeback("f1", 1)))).isEqualTo(Guard.NOT_DIRTY);
    }
}
