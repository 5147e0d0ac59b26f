package dev.devmap.harness;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a real kernel showed for the protocol's requirements: the agent's KTAP self-test, where a
 * line {@code # witnesses S1 S2 L1: what} before a result names the requirements that test stands
 * for, and {@code # cannot-witness S3: why} names those no facility of the kernel shows.
 * A requirement is witnessed by the kernel only when one of its tests passed.
 *
 * @param source what ran (e.g. the kernel under QEMU)
 * @param tests  the self-test results in order
 * @param cannot the requirements the kernel cannot show, with the reason
 * @param millis how long the self-test took, boot included
 */
public record KernelWitness(String source, List<Test> tests, Map<Requirement, String> cannot, long millis) {

    public enum Status { PASS, FAIL, SKIP }

    /** One self-test: its KTAP number and name, the result, and the requirements it stands for. */
    public record Test(int number, String name, Status status, String skipReason, List<Requirement> witnesses, String what) {
        public String show() { return "selftest " + number + " " + name; }
    }

    private static final Pattern RESULT = Pattern.compile("^(ok|not ok) (\\d+) (\\S+)(?:\\s+#\\s*SKIP\\s*(.*))?\\s*$");
    private static final Pattern WITNESSES = Pattern.compile("^# witnesses ([A-Z0-9 ]+): (.*)$");
    private static final Pattern CANNOT = Pattern.compile("^# cannot-witness ([A-Z0-9]+): (.*)$");
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d+)$");

    /**
     * Parses the self-test's KTAP.
     *
     * @throws IllegalArgumentException when it is not a complete KTAP run (no plan, results missing,
     *         an unknown requirement): the message says what is wrong in one line
     */
    public static KernelWitness parse(String source, List<String> lines, long millis) {
        List<Test> tests = new ArrayList<>();
        Map<Requirement, String> cannot = new EnumMap<>(Requirement.class);
        int plan = -1;
        List<Requirement> pending = List.of();
        String pendingWhat = null;
        for (String raw : lines) {
            String l = raw.strip();
            Matcher m;
            if ((m = PLAN.matcher(l)).matches() && plan < 0) {
                plan = Integer.parseInt(m.group(1));
            } else if ((m = CANNOT.matcher(l)).matches()) {
                cannot.put(requirement(m.group(1), l), m.group(2));
            } else if ((m = WITNESSES.matcher(l)).matches()) {
                List<Requirement> rs = new ArrayList<>();
                for (String id : m.group(1).trim().split("\\s+")) rs.add(requirement(id, l));
                pending = rs;
                pendingWhat = m.group(2);
            } else if ((m = RESULT.matcher(l)).matches()) {
                Status st = m.group(4) != null ? Status.SKIP : m.group(1).equals("ok") ? Status.PASS : Status.FAIL;
                tests.add(new Test(Integer.parseInt(m.group(2)), m.group(3), st, m.group(4), pending, pendingWhat));
                pending = List.of();
                pendingWhat = null;
            }
        }
        if (plan < 0) throw new IllegalArgumentException("the kernel self-test printed no KTAP plan (1..N)");
        if (tests.size() != plan) {
            throw new IllegalArgumentException("the kernel self-test planned " + plan + " tests but reported " + tests.size());
        }
        return new KernelWitness(source, List.copyOf(tests), Map.copyOf(cannot), millis);
    }

    private static Requirement requirement(String id, String line) {
        try {
            return Requirement.ofSpec(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the kernel self-test names an unknown requirement '" + id + "' in: " + line);
        }
    }

    /** The tests standing for q with the given status. */
    public List<Test> of(Requirement q, Status s) {
        return tests.stream().filter(t -> t.status() == s && t.witnesses().contains(q)).toList();
    }

    /** Tests that failed (a kernel that does not keep the contract, or a broken facility). */
    public List<Test> failed() {
        return tests.stream().filter(t -> t.status() == Status.FAIL).toList();
    }

    public long count(Status s) {
        return tests.stream().filter(t -> t.status() == s).count();
    }
}
