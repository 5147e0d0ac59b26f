package dev.devmap.harness;

import dev.devmap.model.Liveness;
import dev.devmap.spec.model.Manifest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocol document, {@code spec/PROTOCOL.md}, exists, every reference to it (or to the agent
 * protocol, {@code hw-harness/AGENT-PROTOCOL.md}) in the project resolves, and what it restates
 * agrees with the fact's home: its property tables name the spec's properties (models.json's CI
 * model), its variant table the mistakes of models.json, its fair actions {@link Liveness#FAIR}.
 */
class ProtocolDocumentTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DOC = ROOT.resolve("spec/PROTOCOL.md");
    /** A file name ending in PROTOCOL.md, with the path written before it. */
    private static final Pattern REFERENCE = Pattern.compile("([A-Za-z0-9_./-]*PROTOCOL\\.md)");
    private static final Set<String> TEXT = Set.of(".md", ".java", ".tla", ".c", ".h", ".sh", ".py", ".cfg", ".json");

    /** Every file of the project that can refer to a document (sources, docs, scripts), build output left out. */
    static List<Path> projectFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(ROOT, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                boolean skip = !dir.equals(ROOT) && (name.startsWith(".") || name.equals("target") || name.equals("build"));
                return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String s = file.getFileName().toString();
                // this test's own planted references are not the project's
                if (!s.equals("ProtocolDocumentTest.java") && TEXT.stream().anyMatch(s::endsWith)) out.add(file);
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    /** The unresolved references in file (relative to the file's directory, else to the project root). */
    static List<String> unresolved(Path file, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        while (m.find()) {
            String ref = m.group(1);
            Path dir = file.getParent() == null ? ROOT : file.getParent();
            if (Files.isRegularFile(dir.resolve(ref)) || Files.isRegularFile(ROOT.resolve(ref))) continue;
            int line = text.substring(0, m.start()).split("\n", -1).length;
            out.add(ROOT.relativize(file) + ":" + line + ": " + ref);
        }
        return out;
    }

    @Test
    void theDocumentExistsAndEveryReferenceToItResolves() throws IOException {
        assertThat(DOC).isRegularFile();
        List<String> bad = new ArrayList<>();
        int refs = 0;
        for (Path p : projectFiles()) {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            if (!text.contains("PROTOCOL.md")) continue;
            Matcher m = REFERENCE.matcher(text);
            while (m.find()) refs++;
            bad.addAll(unresolved(p, text));
        }
        assertThat(refs).as("references found (the scan reads the project)").isGreaterThan(10);
        assertThat(bad).as("references to a protocol document that names no file of the project").isEmpty();
    }

    /** The check fails on a planted bad reference (a document that is not there). */
    @Test
    void aReferenceToAMissingDocumentIsCaught() {
        Path agent = ROOT.resolve("hw-harness/linux/agent/agent.h");
        assertThat(unresolved(agent, "see spec/PROTOCOL.md and AGENT-PROTOCOL.md")).hasSize(1);
        assertThat(unresolved(agent, "see ../../../spec/PROTOCOL.md")).isEmpty();
        assertThat(unresolved(ROOT.resolve("spec/DeviceMap.tla"), "(PROTOCOL.md S1-S14)")).isEmpty();
        assertThat(unresolved(ROOT.resolve("README.md"), "[x](docs/PROTOCOL.md)")).hasSize(1);
    }

    private static Set<String> firstColumn(String doc, String heading) {
        int at = doc.indexOf(heading);
        assertThat(at).as(heading).isNotNegative();
        Set<String> out = new LinkedHashSet<>();
        for (String l : doc.substring(at).split("\n")) {
            if (l.startsWith("## ") && !l.startsWith(heading)) break;
            if (!l.startsWith("| ") || l.startsWith("| name") || l.startsWith("| variant")) continue;
            out.add(l.substring(2, l.indexOf(" |", 2)).strip());
        }
        return out;
    }

    @Test
    void itsPropertiesVariantsAndFairActionsAreTheirHomes() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        Manifest mf = Manifest.bundled();
        Set<String> properties = new LinkedHashSet<>();   // every property some model of models.json checks
        for (String model : mf.modelNames()) {
            properties.addAll(mf.plan(model).invariants());
            properties.addAll(mf.plan(model).properties());
        }
        properties.remove("TypeOK");
        // the kernel choices' witnesses are facts about the choices, not the protocol's: their own table
        assertThat(properties).containsAll(mf.witnesses());
        properties.removeAll(mf.witnesses());
        assertThat(firstColumn(doc, "## Witnesses of the kernel choices")).containsExactlyInAnyOrderElementsOf(mf.witnesses());
        assertThat(firstColumn(doc, "## The properties")).containsExactlyInAnyOrderElementsOf(properties);
        // the report's rows are the spec's properties (and the two harness rows, Reference and Agent)
        Set<String> rows = new LinkedHashSet<>();
        for (Requirement r : Requirement.values()) if (r != Requirement.REF && r != Requirement.AGENT) rows.add(r.spec());
        assertThat(rows).containsExactlyInAnyOrderElementsOf(properties);

        Set<String> mistakes = mf.variants().keySet();   // the kernel's choices are models.json's "choices"
        assertThat(firstColumn(doc, "## Variants")).containsExactlyInAnyOrderElementsOf(mistakes);

        // which property each refusal protects: the model's Reason#protects
        for (dev.devmap.model.Reason r : dev.devmap.model.Reason.values()) {
            String id = r.protects().substring(0, r.protects().indexOf('_'));
            if (!id.equals("S10")) assertThat(doc).as(r.tla()).contains("`" + r.tla() + "` " + id);
        }
        assertThat(doc).contains("the others S10");

        Matcher fair = Pattern.compile("weak fairness of the system's own steps \\(([^)]*)\\)").matcher(doc.replace("\n", " "));
        assertThat(fair.find()).as("the fair actions in the document").isTrue();
        assertThat(List.of(fair.group(1).split(",\\s*"))).containsExactlyElementsOf(
                Liveness.FAIR.stream().map(Liveness.Fair::operator).toList());
    }
}
