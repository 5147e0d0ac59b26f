package dev.devmap.spec.tlc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.spec.tla.TlaValue;
import dev.devmap.spec.tla.TlaValues;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On TLC 2.18 output recorded from the toy specs (see tlc-output/record.sh). */
class ToolOutputParserTest {

    static String recorded(String name) throws IOException {
        try (InputStream in = ToolOutputParserTest.class.getResourceAsStream("/tlc-output/" + name)) {
            assertThat(in).as("test resource tlc-output/" + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void ok() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("ok.out"), 0, "EventuallyZero");
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.OK);
        assertThat(r.distinct()).isEqualTo(2048);
        assertThat(r.generated()).isEqualTo(4353);
        assertThat(r.depth()).isEqualTo(16);
        assertThat(r.violated()).isNull();
        assertThat(r.trace()).isEmpty();
        assertThat(r.errorText()).isEmpty();
    }

    @Test
    void invariantViolationWithTrace() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("invariant.out"), 12, "EventuallyZero");
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.INVARIANT_VIOLATED);
        assertThat(r.violated()).isEqualTo("Small");
        assertThat(r.trace()).extracting(TraceStep::index).containsExactly(1, 2, 3);
        assertThat(r.trace()).extracting(TraceStep::action).containsExactly(TraceStep.INITIAL, "Inc", "Inc");
        assertThat(r.trace().get(0).isInitial()).isTrue();
        assertThat(r.trace().get(2).state().require("x")).isEqualTo(TlaValue.integer(2));
        assertThat(r.trace().get(2).state().require("s")).isEqualTo(TlaValues.parse("<<0, 1>>"));
        TlaValue t = r.trace().get(0).state().require("t");
        assertThat(((TlaValue.Record) t).get("k")).isEqualTo(TlaValue.str("q\"x\\y"));
        assertThat(((TlaValue.Record) t).get("mv")).isEqualTo(TlaValue.modelValue("mv"));
        assertThat(r.trace().get(0).state().vars().keySet()).containsExactly("m", "s", "t", "x");
        assertThat(r.loop()).isNull();
    }

    @Test
    void temporalViolationEndingInStuttering() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("temporal-stuttering.out"), 13, "EventuallyZero");
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
        assertThat(r.violated()).isEqualTo("EventuallyZero");
        assertThat(r.trace()).isNotEmpty();
        assertThat(r.trace().get(r.trace().size() - 1).state().require("x")).isEqualTo(TlaValue.integer(3));
        assertThat(r.loop()).isEqualTo(new TraceLoop(TraceLoop.Shape.STUTTERING, r.trace().size() + 1, null));
    }

    @Test
    void temporalViolationWithoutASinglePropertyNamesNone() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("temporal-stuttering.out"), 13, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
        assertThat(r.violated()).isNull();
    }

    @Test
    void temporalViolationWithBackEdge() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("temporal-lasso.out"), 13, "StaysThree");
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
        assertThat(r.violated()).isEqualTo("StaysThree");
        assertThat(r.loop()).isNotNull();
        assertThat(r.loop().kind()).isEqualTo(TraceLoop.Shape.BACK_TO_STATE);
        assertThat(r.loop().action()).isEqualTo("Inc");
        assertThat(r.loop().index()).isBetween(1, r.trace().size());
        // the loop target is one Inc away from the last state: x goes up by one
        long lastX = ((TlaValue.Int) r.trace().get(r.trace().size() - 1).state().require("x")).value();
        long targetX = ((TlaValue.Int) r.trace().get(r.loop().index() - 1).state().require("x")).value();
        assertThat(targetX).isEqualTo(lastX + 1);
    }

    @Test
    void actionPropertyIsNamed() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("action-property.out"), 13, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PROPERTY_VIOLATED);
        assertThat(r.violated()).isEqualTo("AlwaysInc");
        assertThat(r.trace()).extracting(TraceStep::action).endsWith("Back");
    }

    @Test
    void deadlock() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("deadlock.out"), 11, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.DEADLOCK);
        assertThat(r.trace()).isNotEmpty();
        assertThat(r.violated()).isNull();
    }

    @Test
    void parseErrorKeepsSanysMessage() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("parse-error.out"), 150, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.PARSE_ERROR);
        assertThat(r.errorText())
                .contains("Could not find declaration or definition of symbol '@@'")
                .contains("of module Broken")
                .doesNotContain("Parsing file");
    }

    @Test
    void invariantViolatedByInitialStateWithMultiLineValues() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("init-violation-multiline.out"), 12, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.INVARIANT_VIOLATED);
        assertThat(r.violated()).isEqualTo("Short");
        assertThat(r.trace()).hasSize(1);
        TraceStep s = r.trace().get(0);
        assertThat(s.isInitial()).isTrue();
        assertThat(s.state().vars().keySet()).containsExactly("a", "b", "c", "d");
        assertThat(((TlaValue.Seq) s.state().require("d")).size()).isEqualTo(20);
        assertThat(((TlaValue.Set) s.state().require("a")).size()).isEqualTo(4);
        assertThat(((TlaValue.Seq) s.state().require("b")).get(6))
                .isEqualTo(TlaValues.parse("[x |-> {6, 7, 8}, y |-> {6, 7, 8}, z |-> {6, 7, 8}]"));
    }

    @Test
    void evaluationErrorIsAnErrorWithTlcsMessage() throws IOException {
        TlcResult r = ToolOutputParser.parse(recorded("eval-error.out"), 75, null);
        assertThat(r.outcome()).isEqualTo(TlcResult.Outcome.ERROR);
        assertThat(r.errorText()).contains("out of domain");
    }

    @Test
    void simulationProgress() throws IOException {
        List<TlcProgress> progress = new ArrayList<>();
        ToolOutputParser p = new ToolOutputParser(new TlcListener() {
            @Override
            public void onProgress(TlcProgress pr) {
                progress.add(pr);
            }
        }, null);
        recorded("simulate.out").lines().forEach(p::line);
        assertThat(progress).isNotEmpty();
        assertThat(progress.get(0).simulation()).isTrue();
        assertThat(progress.get(0).generated()).isPositive();
        assertThat(p.result(0, java.time.Duration.ZERO, "").outcome()).isEqualTo(TlcResult.Outcome.OK);
    }

    @Test
    void progressIsReportedIncrementallyWithCommasAndWithoutRates() {
        List<TlcProgress> progress = new ArrayList<>();
        List<Integer> codes = new ArrayList<>();
        ToolOutputParser p = new ToolOutputParser(new TlcListener() {
            @Override
            public void onProgress(TlcProgress pr) {
                progress.add(pr);
            }

            @Override
            public void onMessage(TlcMessage m) {
                codes.add(m.code());
            }
        }, null);
        p.line("@!@!@STARTMSG 2200:0 @!@!@");
        p.line("Progress(13) at 2026-11-23 20:07:20: 641 states generated, 256 distinct states found, 0 states left on queue.");
        assertThat(progress).isEmpty();
        p.line("@!@!@ENDMSG 2200 @!@!@");
        assertThat(progress).containsExactly(new TlcProgress(13, 641, 256, 0, -1, -1, false));
        p.line("@!@!@STARTMSG 2200:0 @!@!@");
        p.line("Progress(16) at 2026-11-23 20:07:53: 6,657 states generated (266,635 s/min), "
                + "2,048 distinct states found (82,029 ds/min), 12 states left on queue.");
        p.line("@!@!@ENDMSG 2200 @!@!@");
        assertThat(progress.get(1)).isEqualTo(new TlcProgress(16, 6657, 2048, 12, 266635, 82029, false));
        assertThat(codes).containsExactly(2200, 2200);
    }

    @Test
    void frameMarkersInTheMiddleOfALineAreSplit() {
        List<TlcMessage> msgs = new ArrayList<>();
        List<String> unframed = new ArrayList<>();
        ToolOutputParser p = new ToolOutputParser(new TlcListener() {
            @Override
            public void onMessage(TlcMessage m) {
                msgs.add(m);
            }

            @Override
            public void onUnframedLine(String line) {
                unframed.add(line);
            }
        }, null);
        p.line("noise@!@!@STARTMSG 2185:0 @!@!@Starting...@!@!@ENDMSG 2185 @!@!@tail");
        assertThat(msgs).containsExactly(new TlcMessage(2185, 0, "Starting..."));
        assertThat(unframed).containsExactly("noise", "tail");
    }
}
