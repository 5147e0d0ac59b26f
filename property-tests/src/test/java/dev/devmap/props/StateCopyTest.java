package dev.devmap.props;

import static org.assertj.core.api.Assertions.assertThat;

import dev.devmap.explore.Explorer;
import dev.devmap.model.DeviceMapModel;
import dev.devmap.model.State;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * State's copy-with methods (the harness builds the states it expects with them: an agent's answer
 * applied to the model's state): each {@code withX(v)} gives the state with component X set to v and
 * every other component as it was. Checked for every component on reachable states of the pair
 * model, with a value that differs from the state's own (so a copy that drops the new value, or that
 * puts it in another component, is seen); vflag and dtag, which only their variants change, with
 * their flags negated and their numbers plus one.
 */
class StateCopyTest {
    @Test
    void eachCopyWithChangesItsComponentOnly() throws Exception {
        Explorer.Result g = new Explorer(new DeviceMapModel(Specs.model("pair")), List.of(), List.of()).keepGraph(true).run();
        List<State> states = g.states();
        State s = states.get(0);
        RecordComponent[] parts = State.class.getRecordComponents();
        int checked = 0;
        for (RecordComponent c : parts) {
            Object own = c.getAccessor().invoke(s);
            Object other = null;
            for (State t : states) {
                Object v = c.getAccessor().invoke(t);
                if (!v.equals(own)) { other = v; break; }
            }
            if (other == null) other = changed((List<?>) own);   // vflag, dtag: only their variants change them
            String name = "with" + Character.toUpperCase(c.getName().charAt(0)) + c.getName().substring(1);
            Method with = State.class.getMethod(name, c.getType());
            State copy = (State) with.invoke(s, other);
            List<Object> want = new ArrayList<>();
            for (RecordComponent d : parts) want.add(d == c ? other : d.getAccessor().invoke(s));
            List<Object> got = new ArrayList<>();
            for (RecordComponent d : parts) got.add(d.getAccessor().invoke(copy));
            assertThat(got).as(name).isEqualTo(want);
            checked++;
        }
        assertThat(checked).isEqualTo(parts.length).isEqualTo(15);
    }

    /** A list of booleans negated or of numbers plus one: a value of the component other than its own. */
    private static List<Object> changed(List<?> own) {
        List<Object> out = new ArrayList<>();
        for (Object o : own) out.add(o instanceof Boolean b ? (Object) !b : (Object) ((Integer) o + 1));
        return out;
    }
}
