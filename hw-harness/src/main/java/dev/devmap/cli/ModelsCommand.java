package dev.devmap.cli;

import dev.devmap.spec.model.Manifest;
import dev.devmap.spec.model.Model;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code dmap models}: one line per model with its expectations. */
@Command(mixinStandardHelpOptions = true, name = "models", description = "List the models of models.json with what a check must give.")
public final class ModelsCommand extends SpecCommand {
    @Override
    public Integer call() {
        PrintWriter out = out();
        Manifest m = manifest();
        int width = m.models().keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Model model : m.models().values()) {
            String exp = CheckCommand.expectationText(model.expect());
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-" + width + "s", model.name()));
            sb.append("  expect ").append(model.expect().outcome() == null ? "ok" : model.expect().outcome());
            sb.append(exp.isEmpty() ? " (no counts recorded)" : " " + exp);
            sb.append("  ").append(model.invariants().size()).append(" invariants, ")
                    .append(model.properties().size()).append(" properties");
            if (model.heavy()) {
                sb.append("  heavy");
            }
            if (!model.about().isBlank()) {
                sb.append("  ").append(model.about());
            }
            out.println(sb);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
