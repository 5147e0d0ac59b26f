package dev.devmap.harness;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a real kernel showed for the protocol's requirements: the agent's KTAP self-test, where a
 * line {@code # witnesses CLASS S1 S2 L1: what} before a result names the requirements that test
 * stands for and how strongly it shows them (its {@link Evidence} class), and
 * {@code # cannot-witness S3: why} names those no facility of the kernel shows.
 * A requirement is witnessed by the kernel only when one of its tests passed, and counts as
 * witnessed by the real kernel only when that test is {@code kernel-decided}.
 *
 * @param source what ran (e.g. the kernel under QEMU)
 * @param tests  the self-test results in order
 * @param cannot the requirements the kernel cannot show, with the reason
 * @param millis how long the self-test took, boot included
 */
public record KernelWitness(String source, List<Test> tests, Map<Requirement, String> cannot, long millis) {

    public enum Status { PASS, FAIL, SKIP }

    /** How strongly an observation shows a requirement; the order is from strongest to weakest. */
    public enum Evidence {
        /** The kernel made the decision or the ordering the requirement is about (during the wait, for an order). */
        KERNEL_DECIDED("kernel-decided"),
        /** The state after a synchronous call is consistent with it: says nothing about order. */
        POST_SYSCALL("post-syscall"),
        /** The agent's own logic decided it. */
        AGENT_DECIDED("agent-decided");

        private final String wire;

        Evidence(String wire) { this.wire = wire; }

        public String wire() { return wire; }

        public static Evidence of(String s) {
            for (Evidence e : values()) if (e.wire.equals(s)) return e;
            return null;
        }
    }

    /** What a test claims: its evidence class and the requirements it stands for. */
    public record Claim(Evidence evidence, List<Requirement> requirements) {}

    /** One self-test: its KTAP number and name, the result, its evidence class and the requirements it stands for. */
    public record Test(int number, String name, Status status, String skipReason, Evidence evidence,
                       List<Requirement> witnesses, String what) {
        public String show() { return "selftest " + number + " " + name; }
    }

    private static final Pattern RESULT = Pattern.compile("^(ok|not ok) (\\d+) (\\S+)(?:\\s+#\\s*SKIP\\s*(.*))?\\s*$");
    private static final Pattern WITNESSES = Pattern.compile("^# witnesses ([A-Za-z0-9 -]+): (.*)$");
    private static final Pattern CANNOT = Pattern.compile("^# cannot-witness ([A-Z0-9]+): (.*)$");
    private static final Pattern PLAN = Pattern.compile("^1\\.\\.(\\d+)$");

    /**
     * Parses the self-test's KTAP.
     *
     * @throws IllegalArgumentException when it is not a complete KTAP run (no plan, results missing,
     *         an unknown requirement, a witnesses line without an evidence class): the message says
     *         what is wrong in one line
     */
    public static KernelWitness parse(String source, List<String> lines, long millis) {
        List<Test> tests = new ArrayList<>();
        Map<Requirement, String> cannot = new EnumMap<>(Requirement.class);
        int plan = -1;
        Claim pending = null;
        String pendingWhat = null;
        for (String raw : lines) {
            String l = raw.strip();
            Matcher m;
            if ((m = PLAN.matcher(l)).matches() && plan < 0) {
                plan = Integer.parseInt(m.group(1));
            } else if ((m = CANNOT.matcher(l)).matches()) {
                cannot.put(requirement(m.group(1), l), m.group(2));
            } else if ((m = WITNESSES.matcher(l)).matches()) {
                pending = claim(m.group(1), l);
                pendingWhat = m.group(2);
            } else if ((m = RESULT.matcher(l)).matches()) {
                Status st = m.group(4) != null ? Status.SKIP : m.group(1).equals("ok") ? Status.PASS : Status.FAIL;
                tests.add(new Test(Integer.parseInt(m.group(2)), m.group(3), st, m.group(4),
                        pending == null ? null : pending.evidence(), pending == null ? List.of() : pending.requirements(),
                        pendingWhat));
                pending = null;
                pendingWhat = null;
            }
        }
        if (plan < 0) throw new IllegalArgumentException("the kernel self-test printed no KTAP plan (1..N)");
        if (tests.size() != plan) {
            throw new IllegalArgumentException("the kernel self-test planned " + plan + " tests but reported " + tests.size());
        }
        return new KernelWitness(source, List.copyOf(tests), Map.copyOf(cannot), millis);
    }

    /**
     * Parses {@code CLASS REQ REQ...} (a witnesses line, or a value of the hello's "witness" object).
     *
     * @param where the line or field, for the message
     */
    public static Claim claim(String text, String where) {
        String[] parts = text.trim().split("\\s+");
        Evidence e = Evidence.of(parts[0]);
        if (e == null) {
            throw new IllegalArgumentException("the kernel self-test names no evidence class (kernel-decided, post-syscall, "
                    + "agent-decided) before the requirements, as '# witnesses CLASS REQ...: what' needs, in: " + where);
        }
        if (parts.length < 2) throw new IllegalArgumentException("the kernel self-test names no requirement in: " + where);
        List<Requirement> rs = new ArrayList<>();
        for (int k = 1; k < parts.length; k++) rs.add(requirement(parts[k], where));
        return new Claim(e, List.copyOf(rs));
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

    /** The strongest evidence class among the passed tests standing for q, or null. */
    public Evidence strongest(Requirement q) {
        Evidence best = null;
        for (Test t : of(q, Status.PASS)) {
            if (t.evidence() != null && (best == null || t.evidence().ordinal() < best.ordinal())) best = t.evidence();
        }
        return best;
    }

    /** Tests that failed (a kernel that does not keep the contract, or a broken facility). */
    public List<Test> failed() {
        return tests.stream().filter(t -> t.status() == Status.FAIL).toList();
    }

    public long count(Status s) {
        return tests.stream().filter(t -> t.status() == s).count();
    }
}
