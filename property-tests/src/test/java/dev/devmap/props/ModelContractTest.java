package dev.devmap.props;

import dev.devmap.model.Constants;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.Dma;
import dev.devmap.model.DmaOp;
import dev.devmap.model.Extent;
import dev.devmap.model.ExtentKind;
import dev.devmap.model.Page;
import dev.devmap.model.CacheState;
import dev.devmap.model.SafetyProperties;
import dev.devmap.model.Reason;
import dev.devmap.model.State;
import dev.devmap.model.Variant;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the chains never reach, checked directly: TypeOK rejects states outside the spec's types
 * (no step of the model produces one, so only a hand-made state shows that the check works), and
 * names that the manifest or a trace could carry but the model does not know are refused.
 */
class ModelContractTest {
    final Constants c = Specs.model("large");
    final DeviceMapModel m = new DeviceMapModel(c);
    final SafetyProperties p = new SafetyProperties(m);
    final State init = m.init();

    private State with(UnaryOperator<Object[]> change) {
        return edit(init, change);
    }

    /** State b with some of its variables changed (indexes in the record's order: extent 0 ... dtag 14). */
    private static State edit(State b, UnaryOperator<Object[]> change) {
        Object[] f = {b.extent(), b.data(), b.cache(), b.lastw(), b.nextv(), b.vma(), b.maps(),
                b.pend(), b.dma(), b.inv(), b.vflag(), b.bar(), b.exp(), b.rev(), b.dtag()};
        Object[] g = change.apply(f);
        @SuppressWarnings("unchecked")
        State s = new State((List<Extent>) g[0], (List<Integer>) g[1], (List<Page>) g[2], (List<Integer>) g[3],
                (Integer) g[4], (Set<String>) g[5], (Set<dev.devmap.model.Grant>) g[6], (Set<dev.devmap.model.Pending>) g[7],
                (Set<Dma>) g[8], (List<dev.devmap.model.Inv>) g[9], (List<Boolean>) g[10], (Integer) g[11],
                (dev.devmap.model.Exp) g[12], (Set<String>) g[13], (List<Integer>) g[14]);
        return s;
    }

    private static <T> List<T> set(List<T> xs, int k, T v) {
        List<T> out = new ArrayList<>(xs);
        out.set(k, v);
        return out;
    }

    @Test
    void typeOkHoldsInInitAndRejectsEachKindOfIllTypedState() {
        assertThat(p.holds("TypeOK", init)).isTrue();
        List<State> bad = List.of(
                with(f -> { f[0] = set(init.extent(), 0, new Extent(ExtentKind.WRITTEN, c.nBlocks() + 1)); return f; }),
                with(f -> { f[0] = set(init.extent(), 0, new Extent(ExtentKind.WRITTEN, -1)); return f; }),
                with(f -> { f[1] = set(init.data(), 0, c.maxVal() + 1); return f; }),
                with(f -> { f[1] = List.of(0); return f; }),
                with(f -> { f[2] = set(init.cache(), 0, new Page(CacheState.DIRTY, c.maxVal() + 1)); return f; }),
                with(f -> { f[3] = set(init.lastw(), 0, -1); return f; }),
                with(f -> { f[4] = c.maxVal() + 1; return f; }),
                with(f -> { f[4] = -1; return f; }),
                with(f -> { f[8] = Set.of(new Dma("gpu", "f1", 1, 1, DmaOp.READ, 0), new Dma("gpu", "f1", 2, 2, DmaOp.READ, 0));
                    return f; }),
                with(f -> { f[11] = -1; return f; }),
                with(f -> { f[13] = Set.of("nobody"); return f; }));
        for (State s : bad) assertThat(p.holds("TypeOK", s)).as("%s", s).isFalse();
        // with one importer (ci): two DMAs of it (counting the other importers' DMAs instead misses this)
        DeviceMapModel ci = new DeviceMapModel(Specs.model("ci"));
        State twoDmas = edit(ci.init(), f -> { f[8] = Set.of(new Dma("gpu", "f1", 1, 1, DmaOp.READ, 0),
                new Dma("gpu", "f1", 2, 2, DmaOp.READ, 0)); return f; });
        assertThat(new SafetyProperties(ci).holds("TypeOK", twoDmas)).isFalse();
        dev.devmap.model.Pending one = new dev.devmap.model.Pending("gpu", "f1", 1, 1, List.of(1), false, false, false, false);
        State twoPends = edit(ci.init(), f -> { f[7] = Set.of(one, new dev.devmap.model.Pending("gpu", "f1", 2, 2, List.of(2),
                false, false, false, false)); return f; });
        assertThat(new SafetyProperties(ci).holds("TypeOK", twoPends)).isFalse();
        assertThat(new SafetyProperties(ci).holds("TypeOK", edit(ci.init(), f -> { f[7] = Set.of(one); return f; }))).isTrue();
        // a state whose per-page variables have the wrong length
        assertThat(p.holds("TypeOK", with(f -> { f[0] = init.extent().subList(0, 1); return f; }))).isFalse();
        assertThat(new SafetyProperties(ci).holds("TypeOK", ci.init())).isTrue();
        assertThat(p.allViolated(bad.get(9))).contains("TypeOK");
        assertThat(p.invariantNames()).startsWith("TypeOK").contains("S1_NoStaleBlock", "S10_Capability");
        assertThat(p.stepPropertyNames()).containsSequence("S2_InvalidateBeforeLayoutChange", "S11_PinLifetime",
                "S12_BarReturnedOnUnmap", "S13_ReadsLastWrite", "S15_InvalidationKept");
        // and the kernel choices' witnesses, the spec's W_ step properties, each under its spec name
        assertThat(p.stepPropertyNames()).filteredOn(n -> n.startsWith("W_"))
                .containsExactlyInAnyOrderElementsOf(Specs.manifest().witnesses());
    }

    private State after(DeviceMapModel model, State s, dev.devmap.model.Action... as) {
        for (dev.devmap.model.Action a : as) {
            dev.devmap.model.Step st = model.step(s, a);
            assertThat(st).as("%s", a).isInstanceOf(dev.devmap.model.Step.Next.class);
            s = ((dev.devmap.model.Step.Next) st).state();
        }
        return s;
    }

    private static State withMapsBarVma(State s, Set<dev.devmap.model.Grant> maps, int bar, Set<String> vma) {
        return new State(s.extent(), s.data(), s.cache(), s.lastw(), s.nextv(), vma, maps, s.pend(), s.dma(), s.inv(),
                s.vflag(), bar, s.exp(), s.rev(), s.dtag());
    }

    /** f1[1] written (value 1), written back and evicted, f1 mmapped: a page device_map can grant. */
    private State written() {
        return after(m, init, new dev.devmap.model.Action.Mmap("f1"), new dev.devmap.model.Action.CpuWrite("f1", 1),
                new dev.devmap.model.Action.Writeback("f1", 1), new dev.devmap.model.Action.Evict("f1", 1));
    }

    /**
     * S11-S14 as SafetyProperties checks them: each holds on a step of the model and is broken by a
     * hand-made step or state that breaks it (the model never makes one, so only these show that
     * the check can fail).
     */
    @Test
    void theSpecsStepPropertiesAndRefusalOrderRejectWhatBreaksThem() {
        State pinned = after(m, written(), new dev.devmap.model.Action.MapPrepare("gpu", "f1", 1, 1, true, false, false),
                new dev.devmap.model.Action.MapCommit("gpu"));
        dev.devmap.model.Grant g = pinned.maps().iterator().next();
        State released = after(m, pinned, new dev.devmap.model.Action.DmaBufRelease("gpu", "f1", 1));
        assertThat(p.holdsOnStep("S11_PinLifetime", pinned, released)).isTrue();
        assertThat(p.holdsOnStep("S12_BarReturnedOnUnmap", pinned, released)).isTrue();
        // S11: the pinned grant gone with the vma (a munmap that drops it)
        State droppedByMunmap = withMapsBarVma(pinned, Set.of(), pinned.bar() - 1, Set.of());
        assertThat(p.holdsOnStep("S11_PinLifetime", pinned, droppedByMunmap)).isFalse();
        // S12: the grant released, its BAR page kept
        State barKept = withMapsBarVma(pinned, Set.of(), pinned.bar(), pinned.vma());
        assertThat(p.holdsOnStep("S12_BarReturnedOnUnmap", pinned, barKept)).isFalse();
        assertThat(p.holdsOnStep("S11_PinLifetime", pinned, barKept)).isTrue();

        // S13: a read filling the cache with a value other than the last write
        State w = written();
        State read = after(m, w, new dev.devmap.model.Action.CpuRead("f1", 1));
        assertThat(p.holdsOnStep("S13_ReadsLastWrite", w, read)).isTrue();
        State staleTo = new State(w.extent(), w.data(), set(w.cache(), c.page("f1", 1), new Page(CacheState.CLEAN, 0)),
                w.lastw(), w.nextv(), w.vma(), w.maps(), w.pend(), w.dma(), w.inv(), w.vflag(), w.bar(), w.exp(), w.rev(), w.dtag());
        assertThat(p.holdsOnStep("S13_ReadsLastWrite", w, staleTo)).isFalse();
        // S13: a DMA read completing from a block that does not hold the last write
        State granted = after(m, w, new dev.devmap.model.Action.MapPrepare("gpu", "f1", 1, 1, false, false, false),
                new dev.devmap.model.Action.MapCommit("gpu"), new dev.devmap.model.Action.DmaStart("gpu", "f1", 1, 1, DmaOp.READ));
        State done = after(m, granted, new dev.devmap.model.Action.DmaEnd("gpu"));
        assertThat(p.holdsOnStep("S13_ReadsLastWrite", granted, done)).isTrue();
        State wiped = new State(granted.extent(), set(granted.data(), g.blk(1) - 1, 0), granted.cache(), granted.lastw(),
                granted.nextv(), granted.vma(), granted.maps(), granted.pend(), granted.dma(), granted.inv(), granted.vflag(),
                granted.bar(), granted.exp(), granted.rev(), granted.dtag());
        State wipedDone = new State(wiped.extent(), wiped.data(), wiped.cache(), wiped.lastw(), wiped.nextv(), wiped.vma(),
                wiped.maps(), wiped.pend(), Set.of(), wiped.inv(), wiped.vflag(), wiped.bar(), wiped.exp(), wiped.rev(), wiped.dtag());
        assertThat(p.holdsOnStep("S13_ReadsLastWrite", wiped, wipedDone)).isFalse();

        // S13 on the last page of the file (a check that stops one page short misses it)
        State staleTo2 = edit(w, f -> { f[2] = set(w.cache(), c.page("f1", 2), new Page(CacheState.CLEAN, 1)); return f; });
        assertThat(p.holdsOnStep("S13_ReadsLastWrite", w, staleTo2)).isFalse();
        // S11: a revoke that takes two grants of the importer, one of them pinned, is a legal end of the pin
        dev.devmap.model.Grant other = new dev.devmap.model.Grant("gpu", "f1", 2, 2, List.of(3 - g.blk(1)), false, false, false);
        State two = edit(pinned, f -> { f[6] = Set.of(g, other); f[11] = 2; return f; });
        State removing = after(m, two, new dev.devmap.model.Action.UnplugStart());
        State revoked = after(m, removing, new dev.devmap.model.Action.RevokeAck("gpu"));
        assertThat(revoked.maps()).isEmpty();
        assertThat(p.holdsOnStep("S11_PinLifetime", removing, revoked)).isTrue();
        // the first broken step property is named
        assertThat(p.firstViolatedOnStep(List.of("S11_PinLifetime", "S12_BarReturnedOnUnmap"), pinned, barKept))
                .contains("S12_BarReturnedOnUnmap");
        assertThat(p.firstViolatedOnStep(List.of("S11_PinLifetime", "S12_BarReturnedOnUnmap"), pinned, released)).isEmpty();
        // S2: an extent changed under a DMA (no grant left), and on the last page under a grant
        State dmaOn = after(m, granted, new dev.devmap.model.Action.DmaEnd("gpu"),
                new dev.devmap.model.Action.DmaStart("gpu", "f1", 1, 1, DmaOp.READ));
        State movedUnderDma = edit(dmaOn, f -> { f[6] = Set.of(); f[0] = set(dmaOn.extent(), c.page("f1", 1),
                new Extent(ExtentKind.WRITTEN, 3 - g.blk(1))); return f; });
        assertThat(p.holdsOnStep(Run.S2, dmaOn, movedUnderDma)).isFalse();
        State onPage2 = edit(w, f -> { f[6] = Set.of(other); return f; });
        State page2Moved = edit(onPage2, f -> { f[0] = set(w.extent(), c.page("f1", 2), new Extent(ExtentKind.WRITTEN, 1)); return f; });
        assertThat(p.holdsOnStep(Run.S2, onPage2, page2Moved)).isFalse();
        assertThat(p.holdsOnStep(Run.S2, w, read)).isTrue();
        // S15: an invalidation that waits for an ack keeps its range and cause; a second one replacing it breaks it
        State grantedW = after(m, w, new dev.devmap.model.Action.MapPrepare("gpu", "f1", 1, 1, false, false, false),
                new dev.devmap.model.Action.MapCommit("gpu"));
        State relocating = after(m, grantedW, new dev.devmap.model.Action.Relocate("f1", 1));
        dev.devmap.model.Inv running = relocating.inv().get(0);
        assertThat(running.on()).isTrue();
        State acked = after(m, relocating, new dev.devmap.model.Action.InvAck("gpu", "f1"));
        assertThat(p.holdsOnStep("S15_InvalidationKept", relocating, acked)).isTrue();
        State replaced = edit(relocating, f -> { f[9] = List.of(new dev.devmap.model.Inv(true, 1, 2,
                dev.devmap.model.Cause.MUNMAP, 0, false, running.await(), running.victims(), false)); return f; });
        assertThat(p.holdsOnStep("S15_InvalidationKept", relocating, replaced)).isFalse();
        State rewonly = edit(relocating, f -> { f[9] = List.of(new dev.devmap.model.Inv(true, running.lo(), running.hi(),
                running.cause(), running.arg(), !running.wonly(), running.await(), running.victims(), false)); return f; });
        assertThat(p.holdsOnStep("S15_InvalidationKept", relocating, rewonly)).isFalse();
        // S16: an unpinned grant without its file's vma; a pinned one may outlive it
        assertThat(p.holds("S16_GrantNeedsVma", grantedW)).isTrue();
        assertThat(p.holds("S16_GrantNeedsVma", withMapsBarVma(grantedW, grantedW.maps(), grantedW.bar(), Set.of()))).isFalse();
        assertThat(p.holds("S16_GrantNeedsVma", withMapsBarVma(pinned, pinned.maps(), pinned.bar(), Set.of()))).isTrue();
        // S17: a call's change is there once applied (at once, or at InvEnd); the step without it is caught,
        // the one that changes nothing included (a fallocate or munmap whose change is lost)
        dev.devmap.model.Cause fallocate = dev.devmap.model.Cause.FALLOCATE;
        State allocated = after(m, init, new dev.devmap.model.Action.Fallocate("f1", 1));
        assertThat(p.callEffect(init, allocated, "f1", 1, 1, fallocate, 0)).isTrue();
        assertThat(p.callEffect(init, init, "f1", 1, 1, fallocate, 0)).isFalse();
        State moved = after(m, acked, new dev.devmap.model.Action.InvEnd("f1"));
        assertThat(p.callEffect(acked, moved, "f1", 1, 1, dev.devmap.model.Cause.RELOCATE, 0)).isTrue();
        State notMoved = edit(moved, f -> { f[0] = acked.extent(); return f; });
        assertThat(p.callEffect(acked, notMoved, "f1", 1, 1, dev.devmap.model.Cause.RELOCATE, 0)).isFalse();
        State mapped = after(m, init, new dev.devmap.model.Action.Mmap("f1"));
        State unmapped = after(m, mapped, new dev.devmap.model.Action.Munmap("f1"));
        assertThat(p.callEffect(mapped, unmapped, "f1", 1, 2, dev.devmap.model.Cause.MUNMAP, 0)).isTrue();
        assertThat(p.callEffect(mapped, mapped, "f1", 1, 2, dev.devmap.model.Cause.MUNMAP, 0)).isFalse();
        for (State s : List.of(init, mapped, grantedW, relocating, acked, moved)) assertThat(p.holds("S17_CallsTakeEffect", s)).isTrue();
        // S18: a refused map leaves nothing behind; the kernel choice whose refused ATOMIC map tags the
        // page (dax-exclusive-faults-first) breaks it where a written page's ATOMIC map is refused (nic: no atomic route), and
        // only there (a hole is refused "hole" first, a tag already there is no change)
        for (State s : List.of(init, mapped, w, grantedW, pinned, relocating, acked, moved)) {
            assertThat(p.holds("S18_RefusalHasNoEffect", s)).isTrue();
        }
        DeviceMapModel ff = new DeviceMapModel(new Constants(c.files(), c.nOff(), c.nBlocks(), c.importers(), c.route(),
                c.atomicRoute(), c.writeOK(), c.barSize(), c.maxVal(), false, c.bdevCanInvalidate(), false,
                Variant.DAX_EXCLUSIVE_FAULTS_FIRST));   // fs-dax: no PIN, no page cache
        SafetyProperties pf = new SafetyProperties(ff);
        State fMapped = after(ff, ff.init(), new dev.devmap.model.Action.Mmap("f1"));
        assertThat(pf.holds("S18_RefusalHasNoEffect", fMapped)).as("every page a hole").isTrue();
        State fWritten = after(ff, fMapped, new dev.devmap.model.Action.CpuWrite("f1", 1));
        assertThat(pf.holds("S18_RefusalHasNoEffect", fWritten)).isFalse();
        State fTagged = after(ff, fWritten, new dev.devmap.model.Action.MapPrepare("nic", "f1", 1, 1, false, false, true));
        assertThat(fTagged.maps()).isEmpty();
        assertThat(pf.holds("S18_RefusalHasNoEffect", fTagged)).as("the page is tagged already").isTrue();
        // S14: holds where the model refuses in the protocol's order; write-to-hole skips "hole" for writes
        assertThat(p.holds("S14_RefusalOrder", init)).isTrue();
        assertThat(p.holds("S14_RefusalOrder", w)).isTrue();
        assertThat(p.holds("S14_RefusalOrder", pinned)).isTrue();
        DeviceMapModel holes = new DeviceMapModel(c.withVariant(Variant.WRITE_TO_HOLE));
        assertThat(new SafetyProperties(holes).holds("S14_RefusalOrder", init)).isFalse();
        // and on a model of one page (a check that stops one range short misses every range there)
        DeviceMapModel onePage = new DeviceMapModel(Specs.model("values").withVariant(Variant.WRITE_TO_HOLE));
        assertThat(new SafetyProperties(onePage).holds("S14_RefusalOrder", onePage.init())).isFalse();
        DeviceMapModel onePageOk = new DeviceMapModel(Specs.model("values"));
        assertThat(new SafetyProperties(onePageOk).holds("S14_RefusalOrder", onePageOk.init())).isTrue();
    }

    /**
     * Each invariant the chains check is broken by a hand-made state that breaks it, next to a
     * reachable state where it holds: the model never makes such a state, so only these show that
     * the check can fail (a checker that always answers TRUE passes every chain of a correct model).
     */
    @Test
    void eachInvariantRejectsAStateThatBreaksIt() {
        dev.devmap.model.Action.MapPrepare pin = new dev.devmap.model.Action.MapPrepare("gpu", "f1", 1, 1, true, false, false);
        dev.devmap.model.Action.MapPrepare wr = new dev.devmap.model.Action.MapPrepare("gpu", "f1", 1, 1, false, true, false);
        State pinned = after(m, written(), pin, new dev.devmap.model.Action.MapCommit("gpu"));
        State writable = after(m, written(), wr, new dev.devmap.model.Action.MapCommit("gpu"));
        State prepared = after(m, written(), wr);
        for (State ok : List.of(pinned, writable, prepared)) {
            assertThat(p.allViolated(ok)).as("%s", ok).isEmpty();
        }
        int k = c.page("f1", 1);
        int b = pinned.extent().get(k).b();
        Extent moved = new Extent(ExtentKind.WRITTEN, 3 - b);
        // S1 and S7: the pinned page's extent moved to the other block under the grant
        State s1 = edit(pinned, f -> { f[0] = set(pinned.extent(), k, moved); return f; });
        assertThat(p.holds("S1_NoStaleBlock", s1)).isFalse();
        assertThat(p.holds("S7_PinFreeze", s1)).isFalse();
        // S1: a DMA through the block the page no longer has
        State dma = after(m, writable, new dev.devmap.model.Action.DmaStart("gpu", "f1", 1, 1, DmaOp.READ));
        assertThat(p.holds("S1_NoStaleBlock", dma)).isTrue();
        State s1dma = edit(dma, f -> { f[6] = Set.of(); f[0] = set(dma.extent(), k, moved); return f; });
        assertThat(p.holds("S1_NoStaleBlock", s1dma)).isFalse();
        // S7: the pinned page punched to a hole
        assertThat(p.holds("S7_PinFreeze", edit(pinned, f -> { f[0] = set(pinned.extent(), k, Extent.HOLE); return f; })))
                .isFalse();
        // S4: an invalidation applied while an acknowledgement is still awaited
        dev.devmap.model.Inv early = new dev.devmap.model.Inv(true, 1, 1, dev.devmap.model.Cause.PUNCH, 0, false, Set.of("gpu"),
                writable.maps(), true);
        assertThat(p.holds("S4_AckBeforeProceed", edit(writable, f -> { f[9] = List.of(early); return f; }))).isFalse();
        assertThat(p.holds("S4_AckBeforeProceed", edit(writable, f -> { f[9] = List.of(new dev.devmap.model.Inv(true, 1, 1,
                dev.devmap.model.Cause.PUNCH, 0, false, Set.of("gpu"), writable.maps(), false)); return f; }))).isTrue();
        // S3: a grant of the range the running invalidation does not revoke
        assertThat(p.holds("S3_NoEstablishDuringInvalidate", edit(writable, f -> { f[9] = List.of(new dev.devmap.model.Inv(true,
                1, 1, dev.devmap.model.Cause.PUNCH, 0, false, Set.of("gpu"), Set.of(), false)); return f; }))).isFalse();
        // S5: a writable grant beside a cached copy; a page whose visible value is not the last write;
        // a granted block that does not hold the last write
        assertThat(p.holds("S5_CacheExclusion", edit(writable, f -> {
            f[2] = set(writable.cache(), k, new Page(CacheState.CLEAN, 1)); return f; }))).isFalse();
        assertThat(p.holds("S5_CacheExclusion", edit(writable, f -> { f[3] = set(writable.lastw(), k + 1, 1); return f; })))
                .isFalse();
        State stale = edit(pinned, f -> { f[1] = set(pinned.data(), b - 1, 0);
            f[2] = set(pinned.cache(), k, new Page(CacheState.DIRTY, 1)); return f; });
        assertThat(p.holds("S5_CacheExclusion", stale)).isFalse();
        // S6: a clean cached page that differs from its block
        assertThat(p.holds("S6_WritebackCoherence", edit(writable, f -> {
            f[2] = set(writable.cache(), k, new Page(CacheState.CLEAN, 0)); return f; }))).isFalse();
        // S8: the exporter gone with a grant, a prepared map or a DMA left
        assertThat(p.holds("S8_ExporterLifetime", edit(writable, f -> { f[12] = dev.devmap.model.Exp.GONE; return f; }))).isFalse();
        assertThat(p.holds("S8_ExporterLifetime", edit(prepared, f -> { f[12] = dev.devmap.model.Exp.GONE; return f; }))).isFalse();
        assertThat(p.holds("S8_ExporterLifetime", edit(dma, f -> { f[6] = Set.of(); f[12] = dev.devmap.model.Exp.GONE; return f; })))
                .isFalse();
        assertThat(p.holds("S8_ExporterLifetime", edit(init, f -> { f[12] = dev.devmap.model.Exp.GONE; return f; }))).isTrue();
        // S9: a BAR that holds less than the grants, or more than it has
        assertThat(p.holds("S9_BarAccounting", edit(pinned, f -> { f[11] = 0; return f; }))).isFalse();
        assertThat(p.holds("S9_BarAccounting", edit(prepared, f -> { f[11] = 0; return f; }))).isFalse();
        assertThat(p.holds("S9_BarAccounting", edit(init, f -> { f[11] = c.barSize() + 1; return f; }))).isFalse();
        assertThat(p.holds("S9_BarAccounting", edit(init, f -> { f[11] = c.barSize(); return f; }))).isTrue();
        // S10: grants beyond the importer's capabilities; a prepared writable map over a hole or a moved block
        dev.devmap.model.Grant g = writable.maps().iterator().next();
        for (dev.devmap.model.Grant bad : List.of(
                new dev.devmap.model.Grant("nic", "f1", 1, 1, g.bs(), true, false, false),
                new dev.devmap.model.Grant("nic", "f1", 1, 1, g.bs(), false, true, false))) {
            assertThat(p.holds("S10_Capability", edit(writable, f -> { f[6] = Set.of(bad); return f; }))).as("%s", bad).isFalse();
        }
        assertThat(p.holds("S10_Capability", edit(writable, f -> { f[6] = Set.of(new dev.devmap.model.Grant("nic", "f1", 1, 1,
                g.bs(), false, false, false)); return f; }))).isTrue();
        Constants unrouted = ModelChainProperties.refusalConstants();
        SafetyProperties q = new SafetyProperties(new DeviceMapModel(unrouted));
        State fpga = edit(writable, f -> { f[6] = Set.of(new dev.devmap.model.Grant("fpga", "f1", 1, 1, g.bs(), false, false, false));
            return f; });
        assertThat(q.holds("S10_Capability", fpga)).isFalse();
        State pinNoSupport = edit(pinned, f -> f);
        assertThat(q.holds("S10_Capability", pinNoSupport)).isFalse();
        assertThat(p.holds("S10_Capability", edit(prepared, f -> { f[0] = set(prepared.extent(), k, moved); return f; }))).isFalse();
        assertThat(p.holds("S10_Capability", edit(prepared, f -> { f[0] = set(prepared.extent(), k, Extent.HOLE); return f; })))
                .isFalse();
    }

    @Test
    void unknownNamesAreRefused() {
        assertThatThrownBy(() -> p.holds("NoSuchInvariant", init)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.holdsOnStep("NoSuchProperty", init, init)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.fileIndex("f9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.importerIndex("tpu")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.page("f1", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.page("f1", c.nOff() + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reason.of("tired")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Variant.of("no-such-variant")).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.importerIndex(c.importers().get(1))).isEqualTo(1);
        assertThat(c.importerIndex(c.importers().get(0))).isZero();
        assertThat(c.fileIndex("f1")).isZero();
        assertThat(c.withVariant(Variant.NO_ACK_WAIT).is(Variant.NO_ACK_WAIT)).isTrue();
        assertThat(Reason.of("bar-full")).isEqualTo(Reason.BAR_FULL);
        assertThat(Reason.BAR_FULL.decidedBy()).isEqualTo("block device");
        assertThat(Reason.HOLE.decidedBy()).isEqualTo("filesystem");
    }
}
