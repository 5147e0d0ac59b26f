package dev.devmap.mirror;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.tlc.TlcRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The mirror contract on every variant: TLC and Java break the same property first, with traces of the same length. */
class VariantMirrorTest {
    static final Path SPEC = MirrorCheckTest.SPEC;
    static final Manifest MANIFEST = MirrorCheckTest.MANIFEST;

    static List<String> variants() { return List.copyOf(MANIFEST.variants().keySet()); }

    @ParameterizedTest
    @MethodSource("variants")
    void everyVariantBreaksTheSamePropertyInBothWithTheSameTraceLength(String variant) throws Exception {
        MirrorCheck.Report r = new MirrorCheck(SPEC, new TlcRunner()).variant(MANIFEST, variant);
        assertThat(r.agree()).as(r.summary() + "\n" + r.detail()).isTrue();
        assertThat(r.summary()).contains(MANIFEST.variant(variant).violates());
    }
}
