package dev.devmap.harness.report;

import dev.devmap.harness.scenario.ScenarioResult;

import java.util.List;
import java.util.Locale;

/** JUnit XML (the surefire shape CI servers read): one testsuite per group and one for the requirement rows. */
public final class JunitXml {
    private JunitXml() { }

    static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                case '"': sb.append("&quot;"); break;
                default:
                    if (c < 0x20 && c != '\n' && c != '\t') sb.append(' '); else sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String secs(long millis) { return String.format(Locale.ROOT, "%.3f", millis / 1000.0); }

    public static String render(RunResult run) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        long fail = run.count(ScenarioResult.Status.FAIL);
        long err = run.count(ScenarioResult.Status.ERROR);
        long skip = run.count(ScenarioResult.Status.SKIP);
        sb.append("<testsuites name=\"dmap conform\" tests=\"").append(run.results.size()).append("\" failures=\"")
                .append(fail).append("\" errors=\"").append(err).append("\" skipped=\"").append(skip).append("\" time=\"")
                .append(secs(run.millis)).append("\">\n");
        for (String group : List.of("guided", "random")) {
            List<ScenarioResult> rs = run.results.stream().filter(r -> r.scenario().group().equals(group)).toList();
            if (rs.isEmpty()) continue;
            long t = rs.stream().mapToLong(ScenarioResult::millis).sum();
            sb.append("  <testsuite name=\"dmap.conform.").append(group).append("\" tests=\"").append(rs.size())
                    .append("\" failures=\"").append(rs.stream().filter(r -> r.status() == ScenarioResult.Status.FAIL).count())
                    .append("\" errors=\"").append(rs.stream().filter(r -> r.status() == ScenarioResult.Status.ERROR).count())
                    .append("\" skipped=\"").append(rs.stream().filter(r -> r.status() == ScenarioResult.Status.SKIP).count())
                    .append("\" time=\"").append(secs(t)).append("\">\n");
            sb.append("    <properties>\n      <property name=\"device\" value=\"").append(esc(run.device))
                    .append("\"/>\n      <property name=\"agent\" value=\"").append(esc(run.caps.agent()))
                    .append("\"/>\n      <property name=\"seed\" value=\"").append(run.seed).append("\"/>\n    </properties>\n");
            for (ScenarioResult r : rs) {
                sb.append("    <testcase classname=\"dmap.conform.").append(group).append("\" name=\"")
                        .append(esc(r.scenario().id())).append("\" time=\"").append(secs(r.millis())).append('"');
                switch (r.status()) {
                    case PASS: sb.append("/>\n"); break;
                    case DIFFERENCE:
                        sb.append(">\n      <system-out>").append(esc("difference from the model, explained by the protocol choice "
                                + r.choice() + " (" + r.verdict().requirement().spec() + " under the standard model); minimal trace:\n"));
                        for (String l : Texts.trace(r)) sb.append(esc("  " + l + "\n"));
                        sb.append("</system-out>\n    </testcase>\n");
                        break;
                    case SKIP:
                        sb.append(">\n      <skipped message=\"").append(esc(r.reason())).append("\"/>\n    </testcase>\n");
                        break;
                    case ERROR:
                        sb.append(">\n      <error type=\"Agent\" message=\"").append(esc(r.reason()))
                                .append("\"/>\n    </testcase>\n");
                        break;
                    default: {
                        RunResult.Numbered n = run.failureOf(r);
                        sb.append(">\n      <failure type=\"").append(r.verdict().requirement().spec()).append("\" message=\"")
                                .append(esc(r.verdict().requirement().spec() + ": " + r.verdict().why())).append("\">");
                        sb.append(esc("failure " + (n == null ? "?" : n.number) + ", minimal trace:\n"));
                        for (String l : Texts.trace(r)) sb.append(esc("  " + l + "\n"));
                        if (n != null && n.tlaModule != null) {
                            sb.append(esc((n.acceptedByTlc ? "TLA+ trace (TLC accepts it: harness-only): " : "TLA+ trace: ")
                                    + n.tlaModule + "\n"));
                        }
                        if (n != null && n.tlc != null) sb.append(esc(n.tlc + "\n"));
                        sb.append("</failure>\n    </testcase>\n");
                    }
                }
            }
            sb.append("  </testsuite>\n");
        }
        List<RunResult.Row> rows = run.rows();
        sb.append("  <testsuite name=\"dmap.conform.requirements\" tests=\"").append(rows.size()).append("\" failures=\"")
                .append(rows.stream().filter(r -> r.status().equals("FAIL")).count()).append("\" errors=\"0\" skipped=\"")
                .append(rows.stream().filter(r -> r.status().equals("skip")).count()).append("\" time=\"0\">\n");
        for (RunResult.Row row : rows) {
            sb.append("    <testcase classname=\"dmap.conform.requirements\" name=\"").append(row.requirement().spec())
                    .append("\" time=\"0\"");
            switch (row.status()) {
                case "FAIL":
                    sb.append(">\n      <failure type=\"").append(row.requirement().spec()).append("\" message=\"")
                            .append(esc(row.detail())).append("\"/>\n    </testcase>\n");
                    break;
                case "skip":
                    sb.append(">\n      <skipped message=\"").append(esc(row.detail())).append("\"/>\n    </testcase>\n");
                    break;
                default: sb.append("/>\n");
            }
        }
        sb.append("  </testsuite>\n</testsuites>\n");
        return sb.toString();
    }
}
