package dev.devmap.spec.tla;

import static dev.devmap.spec.tla.TlaValue.bool;
import static dev.devmap.spec.tla.TlaValue.integer;
import static dev.devmap.spec.tla.TlaValue.modelValue;
import static dev.devmap.spec.tla.TlaValue.seq;
import static dev.devmap.spec.tla.TlaValue.set;
import static dev.devmap.spec.tla.TlaValue.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlaValuesTest {

    @Test
    void parsesScalars() {
        assertThat(TlaValues.parse("42")).isEqualTo(integer(42));
        assertThat(TlaValues.parse("-7")).isEqualTo(integer(-7));
        assertThat(TlaValues.parse("TRUE")).isEqualTo(bool(true));
        assertThat(TlaValues.parse(" FALSE ")).isEqualTo(bool(false));
        assertThat(TlaValues.parse("\"f1\"")).isEqualTo(str("f1"));
        assertThat(TlaValues.parse("mv_1")).isEqualTo(modelValue("mv_1"));
    }

    @Test
    void parsesStringEscapes() {
        TlaValue v = TlaValues.parse("\"q\\\"x\\\\y\\nz\\t\"");
        assertThat(v).isEqualTo(str("q\"x\\y\nz\t"));
        assertThat(v.print()).isEqualTo("\"q\\\"x\\\\y\\nz\\t\"");
    }

    @Test
    void parsesCompositeValuesAsTlcPrintsThem() {
        TlaValue v = TlaValues.parse(
                "[mv |-> mv, k |-> \"q\\\"x\\\\y\", g |-> (0 :> TRUE @@ 2 :> TRUE), neg |-> -1, s |-> <<1, 2>>, e |-> {}]");
        assertThat(v).isInstanceOf(TlaValue.Record.class);
        TlaValue.Record r = (TlaValue.Record) v;
        assertThat(r.fields().keySet()).containsExactly("e", "g", "k", "mv", "neg", "s");
        assertThat(r.get("mv")).isEqualTo(modelValue("mv"));
        assertThat(r.get("neg")).isEqualTo(integer(-1));
        assertThat(r.get("s")).isEqualTo(seq(integer(1), integer(2)));
        assertThat(r.get("e")).isEqualTo(TlaValue.Set.EMPTY);
        assertThat(r.get("g")).isInstanceOf(TlaValue.Fcn.class);
        assertThat(((TlaValue.Fcn) r.get("g")).apply(integer(2))).isEqualTo(bool(true));
    }

    @Test
    void setsAreSortedAndDeduplicated() {
        TlaValue a = TlaValues.parse("{3, 1, 2, 1}");
        assertThat(a).isEqualTo(set(integer(1), integer(2), integer(3)));
        assertThat(a.print()).isEqualTo("{1, 2, 3}");
        assertThat(TlaValues.parse("{\"b\", \"a\"}")).isEqualTo(TlaValues.parse("{\"a\", \"b\"}"));
    }

    @Test
    void functionOverOneToNIsASequence() {
        TlaValue f = TlaValues.parse("(2 :> \"b\" @@ 1 :> \"a\")");
        assertThat(f).isInstanceOf(TlaValue.Seq.class).isEqualTo(TlaValues.parse("<<\"a\", \"b\">>"));
        assertThat(f.print()).isEqualTo("<<\"a\", \"b\">>");
        assertThat(f.hashCode()).isEqualTo(TlaValues.parse("<<\"a\", \"b\">>").hashCode());
    }

    @Test
    void functionOverStringsIsARecord() {
        TlaValue f = TlaValues.parse("(\"y\" :> 2 @@ \"x\" :> 1)");
        assertThat(f).isInstanceOf(TlaValue.Record.class).isEqualTo(TlaValues.parse("[x |-> 1, y |-> 2]"));
        assertThat(f.print()).isEqualTo("[x |-> 1, y |-> 2]");
    }

    @Test
    void otherFunctionsStayFunctionsAndRecordFieldOrderDoesNotMatter() {
        TlaValue f = TlaValues.parse("(2 :> TRUE @@ 0 :> FALSE)");
        assertThat(f).isInstanceOf(TlaValue.Fcn.class);
        assertThat(f.print()).isEqualTo("(0 :> FALSE @@ 2 :> TRUE)");
        assertThat(TlaValues.parse("(a :> 1)")).isInstanceOf(TlaValue.Fcn.class); // model-value domain
        assertThat(TlaValues.parse("[b |-> 1, a |-> 2]")).isEqualTo(TlaValues.parse("[a |-> 2, b |-> 1]"));
    }

    @Test
    void factoriesNormalizeAndConstructorsRejectNonCanonicalFunctions() {
        Map<TlaValue, TlaValue> pairs = new LinkedHashMap<>();
        pairs.put(integer(1), str("x"));
        assertThat(TlaValue.fcn(pairs)).isEqualTo(seq(str("x")));
        assertThat(TlaValue.fcn(Map.of())).isEqualTo(TlaValue.Seq.EMPTY);
        assertThat(TlaValue.record(Map.of())).isEqualTo(TlaValue.Seq.EMPTY);
        assertThatThrownBy(() -> new TlaValue.Fcn(new TreeMap<>(pairs)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not canonical");
        assertThatThrownBy(() -> new TlaValue.Record(new TreeMap<>()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyValues() {
        assertThat(TlaValues.parse("<<>>")).isEqualTo(TlaValue.Seq.EMPTY);
        assertThat(TlaValues.parse("{ }")).isEqualTo(TlaValue.Set.EMPTY);
        assertThat(TlaValue.Seq.EMPTY.print()).isEqualTo("<<>>");
    }

    @Test
    void intervalsAndBooleanSet() {
        assertThat(TlaValues.parse("1..3")).isEqualTo(set(integer(1), integer(2), integer(3)));
        assertThat(TlaValues.parse("BOOLEAN")).isEqualTo(set(bool(true), bool(false)));
    }

    @Test
    void parsesValuesSpreadOverLines() {
        String text = """
                { [ type |-> "prepare",
                    bal |-> 1 ],
                  [ type |-> "prepare",
                    bal |-> 2 ] }""";
        TlaValue v = TlaValues.parse(text);
        assertThat(((TlaValue.Set) v).size()).isEqualTo(2);
        assertThat(v.print()).isEqualTo("{[bal |-> 1, type |-> \"prepare\"], [bal |-> 2, type |-> \"prepare\"]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "0", "-12", "\"\"", "\"a\\\"b\\\\c\\nd\"", "{}", "<<>>", "{1, 2, 3}", "<<\"a\", {1}, <<>>>>",
            "[a |-> 1, b |-> <<[c |-> {TRUE}]>>]", "(0 :> 1 @@ 2 :> 3)", "(-1 :> \"x\")", "(m1 :> 1 @@ m2 :> 2)",
            "({1} :> 2)", "{<<1, 2>>, <<1>>, {}, \"s\", m, 3, FALSE}", "(\"a b\" :> 1)"})
    void printParseRoundTrip(String text) {
        TlaValue v = TlaValues.parse(text);
        assertThat(TlaValues.parse(v.print())).isEqualTo(v);
        assertThat(TlaValues.parse(v.print()).print()).isEqualTo(v.print());
    }

    @Test
    void recordWithNonIdentifierFieldPrintsAsFunctionOfStrings() {
        TlaValue v = TlaValues.parse("(\"a b\" :> 1)");
        assertThat(v).isInstanceOf(TlaValue.Record.class);
        assertThat(v.print()).isEqualTo("(\"a b\" :> 1)");
    }

    @Test
    void totalOrderIsConsistentWithEquals() {
        List<TlaValue> vs = new ArrayList<>();
        for (String t : List.of("1", "-1", "\"a\"", "a", "TRUE", "{1}", "{}", "<<1>>", "[a |-> 1]", "(0 :> 1)",
                "{1, 2}", "<<1, 2>>", "[a |-> 2]", "[b |-> 1]")) {
            vs.add(TlaValues.parse(t));
        }
        for (TlaValue x : vs) {
            for (TlaValue y : vs) {
                assertThat(x.compareTo(y) == 0).as(x + " vs " + y).isEqualTo(x.equals(y));
                assertThat(Integer.signum(x.compareTo(y))).isEqualTo(-Integer.signum(y.compareTo(x)));
            }
        }
        assertThat(set(integer(10), integer(9), integer(-3)).elements())
                .containsExactly(integer(-3), integer(9), integer(10));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{1, 2", "<<1, 2>", "[a |-> ]", "[a = 1]", "(1 :> 2", "(1 :> 2 @ 3 :> 4)",
            "\"open", "\"bad \\q escape\"", "1 2", "@", "{1,, 2}", "[a |-> 1, a |-> 2]", "(1 :> 2 @@ 1 :> 3)",
            "99999999999999999999", "12ab"})
    void malformedValuesGiveAClearException(String text) {
        assertThatThrownBy(() -> TlaValues.parse(text))
                .isInstanceOf(TlaParseException.class)
                .hasMessageMatching("(?s).*(expected|unexpected|not closed|escape|twice|range|ended|identifier).*"
                        + "at line \\d+, column \\d+.*");
    }

    @Test
    void errorNamesLineAndColumn() {
        assertThatThrownBy(() -> TlaValues.parse("{1,\n  2,\n  ]}"))
                .isInstanceOf(TlaParseException.class)
                .hasMessageContaining("line 3, column 3")
                .satisfies(e -> assertThat(((TlaParseException) e).offset()).isEqualTo(11));
    }

    @Test
    void parsesAMillionElements() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < 200_000; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append("[i |-> ").append(i).append(", s |-> \"v").append(i % 7).append("\", f |-> <<m, TRUE>>]");
        }
        sb.append('}');
        // no timed assertion: the time is a benchmark's business; this says a large dump parses
        TlaValue v = TlaValues.parse(sb.toString());
        assertThat(((TlaValue.Set) v).size()).isEqualTo(200_000);
    }
}
