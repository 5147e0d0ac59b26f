package dev.devmap.spec.tla;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlaStateTest {

    @Test
    void parsesConjunctsInPrintedOrder() {
        TlaState s = TlaState.parse("""
                /\\ m = [alpha |-> {}, bravo |-> {1}]
                /\\ s = <<0>>
                /\\ x = 1
                """);
        assertThat(s.vars().keySet()).containsExactly("m", "s", "x");
        assertThat(s.require("x")).isEqualTo(TlaValue.integer(1));
        assertThat(s.print()).isEqualTo("/\\ m = [alpha |-> {}, bravo |-> {1}]\n/\\ s = <<0>>\n/\\ x = 1");
        assertThat(TlaState.parse(s.print())).isEqualTo(s);
    }

    @Test
    void parsesMultiLineValues() {
        TlaState s = TlaState.parse("""
                /\\ a = { [ type |-> "prepare",
                    bal |-> 1 ],
                  [ type |-> "prepare",
                    bal |-> 2 ] }
                /\\ d = << 1000,
                   2000 >>
                /\\ c = <<"a", "b">>""");
        assertThat(s.vars()).hasSize(3);
        assertThat(s.get("d")).isEqualTo(TlaValues.parse("<<1000, 2000>>"));
        assertThat(((TlaValue.Set) s.get("a")).size()).isEqualTo(2);
    }

    @Test
    void parsesSingleVariableForm() {
        assertThat(TlaState.parse("x = 3\n").vars()).containsExactly(Map.entry("x", TlaValue.integer(3)));
    }

    @Test
    void equalityIgnoresVariableOrder() {
        Map<String, TlaValue> a = new LinkedHashMap<>();
        a.put("x", TlaValue.integer(1));
        a.put("y", TlaValue.integer(2));
        Map<String, TlaValue> b = new LinkedHashMap<>();
        b.put("y", TlaValue.integer(2));
        b.put("x", TlaValue.integer(1));
        assertThat(new TlaState(a)).isEqualTo(new TlaState(b)).hasSameHashCodeAs(new TlaState(b));
    }

    @Test
    void rejectsMalformedStates() {
        assertThatThrownBy(() -> TlaState.parse("/\\ x = 1\n/\\ x = 2"))
                .isInstanceOf(TlaParseException.class).hasMessageContaining("'x' appears twice");
        assertThatThrownBy(() -> TlaState.parse("/\\ x 1"))
                .isInstanceOf(TlaParseException.class).hasMessageContaining("expected '='");
        assertThatThrownBy(() -> TlaState.parse("x = 1 y = 2"))
                .isInstanceOf(TlaParseException.class).hasMessageContaining("unexpected text after the state");
        assertThatThrownBy(() -> TlaState.parse("/\\ x = 1\n/\\ y = {"))
                .isInstanceOf(TlaParseException.class).hasMessageContaining("line 2");
        assertThatThrownBy(() -> TlaState.parse("/\\ x = 1").require("y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no variable 'y'");
    }
}
