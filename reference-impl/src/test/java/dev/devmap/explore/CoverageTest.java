package dev.devmap.explore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.tla.TlaBridge;
import dev.devmap.spec.model.Manifest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reachability coverage of the CI set of models (every model of models.json not marked heavy). */
class CoverageTest {
    static final Manifest MANIFEST = Manifest.loadFromSpecDir(Path.of("..", "spec"));
    static final Map<String, Map<String, Long>> BY_MODEL = new LinkedHashMap<>();

    @BeforeAll
    static void measure() {
        for (String name : MANIFEST.modelNames()) {
            if (MANIFEST.model(name).heavy()) continue;
            BY_MODEL.put(name, Coverage.of(new DeviceMapModel(TlaBridge.constants(MANIFEST.plan(name).constants()))));
        }
    }

    @Test
    void theCiSetOfModelsReachesEveryPath() {
        assertThat(BY_MODEL).containsKey("ci").hasSizeGreaterThan(1);
        assertThat(Coverage.holes(BY_MODEL)).as(Coverage.table(BY_MODEL)).isEmpty();
    }

    /** The hole the issue measured: with one data value the ci model never has a device write in flight. */
    @Test
    void theCiModelAloneHasHoles() {
        Map<String, Map<String, Long>> ci = Map.of("ci", BY_MODEL.get("ci"));
        assertThat(Coverage.holes(ci)).contains("DmaStart write", "DmaEnd write", "refusal no-route none",
                "refusal write-not-allowed WRITE", "refusal pin-unsupported PIN", "refusal bar-full none",
                "granted ATOMIC", "WritePage: write-through to a pinned block", "Apply: Move without a free block (unchanged)");
        assertThat(Coverage.table(ci)).contains("DmaStart write").contains("HOLE");
    }

    /**
     * The paths only pair reaches: without it two importers never hold grants, prepared maps or DMA at
     * once (values' BAR holds one grant, caps' dsp has no route), so a guard's importer name
     * ({@code g.i = i}) decides nothing in any model.
     */
    @Test
    void withoutPairTwoImportersNeverMeet() {
        Map<String, Map<String, Long>> withoutPair = new LinkedHashMap<>(BY_MODEL);
        assertThat(withoutPair.remove("pair")).isNotNull();
        assertThat(Coverage.holes(withoutPair)).containsExactly("two importers: grants at once",
                "two importers: prepared maps at once", "two importers: DMA in flight at once");
    }

    /**
     * The path only daxcow reaches: with dax's one data value the write that makes a page mappable is
     * the last, so no fs-dax write to a shared block follows a grant of it (WriteBlock's copy-on-write
     * invalidation; dax writes in place into fallocated blocks).
     */
    @Test
    void withoutDaxcowNoFsDaxWriteFollowsAGrant() {
        Map<String, Map<String, Long>> withoutDaxcow = new LinkedHashMap<>(BY_MODEL);
        assertThat(withoutDaxcow.remove("daxcow")).isNotNull();
        assertThat(Coverage.holes(withoutDaxcow)).containsExactly("WriteBlock: invalidate a shared block's grants first");
    }

    /** Counts are over the reachable graph: every state has exactly one exporter state. */
    @Test
    void exporterRowsCountEveryStateOnce() {
        for (var e : BY_MODEL.entrySet()) {
            long states = e.getValue().get("exporter up") + e.getValue().get("exporter removing") + e.getValue().get("exporter gone");
            long distinct = MANIFEST.model(e.getKey()).expect().distinct();
            assertThat(states).as(e.getKey()).isEqualTo(distinct);
        }
    }
}
