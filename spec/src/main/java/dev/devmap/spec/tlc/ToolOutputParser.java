package dev.devmap.spec.tlc;

import dev.devmap.spec.tla.TlaParseException;
import dev.devmap.spec.tla.TlaState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Incremental parser of TLC's {@code -tool} output. Feed it stdout line by line with
 * {@link #line(String)}; it frames messages, reports progress to the listener, and collects
 * what {@link #result} needs. Messages are small, so per-message regular expressions are fine;
 * the state text is parsed with the hand-written value parser.
 */
public final class ToolOutputParser {
    private static final String START = "@!@!@STARTMSG ";
    private static final String END = "@!@!@ENDMSG ";
    private static final String FRAME_TAIL = " @!@!@";

    private static final Pattern INVARIANT = Pattern.compile("^Invariant (\\S+) is violated");
    private static final Pattern ACTION_PROPERTY = Pattern.compile("^Action property (\\S+) is violated");
    private static final Pattern FINAL = Pattern.compile(
            "^(-?[\\d,]+) states generated, (-?[\\d,]+) distinct states found, (-?[\\d,]+) states left on queue");
    private static final Pattern DEPTH = Pattern.compile("depth of the complete state graph search is (\\d+)");
    private static final Pattern STEP = Pattern.compile("^(\\d+): <([^>\\s]+)(?: [^>]*)?>");
    private static final Pattern STEP_INITIAL = Pattern.compile("^(\\d+): <Initial predicate>");
    private static final Pattern STUTTER = Pattern.compile("^(\\d+): Stuttering");
    private static final Pattern BACK = Pattern.compile("^(\\d+): Back to state: <([^>\\s]+)");

    private final TlcListener listener;
    private final String temporalProperty;

    // framing
    private int code = -1;
    private int level;
    private final StringBuilder body = new StringBuilder();

    // collected
    private boolean inSany;
    private final List<String> sanyLines = new ArrayList<>();
    private final List<String> unframed = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private String invariant;
    private String actionProperty;
    private boolean temporal;
    private boolean deadlock;
    private boolean parseFailed;
    private long generated = -1;
    private long distinct = -1;
    private int depth = -1;
    private int progressDepth = -1;
    private final List<TraceStep> trace = new ArrayList<>();
    private TraceLoop loop;

    /**
     * @param listener         progress / message callbacks
     * @param temporalProperty the run's single PROPERTY, named as the violated one on message
     *                         2116 (which names none); null if the run has several or none
     */
    public ToolOutputParser(TlcListener listener, String temporalProperty) {
        this.listener = listener == null ? TlcListener.NONE : listener;
        this.temporalProperty = temporalProperty;
    }

    /** Parses a complete recorded output. */
    public static TlcResult parse(String output, int exitCode, String temporalProperty) {
        ToolOutputParser p = new ToolOutputParser(TlcListener.NONE, temporalProperty);
        try (BufferedReader r = new BufferedReader(new StringReader(output))) {
            String l;
            while ((l = r.readLine()) != null) {
                p.line(l);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.result(exitCode, Duration.ZERO, "");
    }

    /** Feeds one line of TLC's stdout (without the line break). */
    public void line(String line) {
        String rest = line;
        while (rest != null) {
            if (code < 0) {
                int s = rest.indexOf(START);
                if (s < 0) {
                    unframed(rest);
                    return;
                }
                if (s > 0) {
                    unframed(rest.substring(0, s));
                }
                int tail = rest.indexOf(FRAME_TAIL, s + START.length());
                if (tail < 0) {
                    unframed(rest.substring(s));
                    return;
                }
                String head = rest.substring(s + START.length(), tail).trim();
                int colon = head.indexOf(':');
                try {
                    code = Integer.parseInt(colon < 0 ? head : head.substring(0, colon));
                    level = colon < 0 ? 0 : Integer.parseInt(head.substring(colon + 1));
                } catch (NumberFormatException e) {
                    code = -1;
                    unframed(rest);
                    return;
                }
                body.setLength(0);
                rest = rest.substring(tail + FRAME_TAIL.length());
                if (rest.isEmpty()) {
                    return;
                }
            } else {
                int e = rest.indexOf(END);
                if (e < 0) {
                    appendBody(rest);
                    return;
                }
                if (e > 0) {
                    appendBody(rest.substring(0, e));
                }
                int tail = rest.indexOf(FRAME_TAIL, e + END.length());
                rest = tail < 0 ? "" : rest.substring(tail + FRAME_TAIL.length());
                finishMessage();
                if (rest.isEmpty()) {
                    return;
                }
            }
        }
    }

    private void appendBody(String s) {
        body.append(s).append('\n');
    }

    private void unframed(String l) {
        listener.onUnframedLine(l);
        if (inSany) {
            sanyLines.add(l);
        } else if (!l.isBlank()) {
            unframed.add(l);
        }
    }

    private void finishMessage() {
        String text = stripTrailing(body);
        TlcMessage m = new TlcMessage(code, level, text);
        code = -1;
        body.setLength(0);
        listener.onMessage(m);
        handle(m);
    }

    private static String stripTrailing(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && Character.isWhitespace(sb.charAt(n - 1))) {
            n--;
        }
        return sb.substring(0, n);
    }

    private void handle(TlcMessage m) {
        String b = m.body();
        switch (m.code()) {
            case TlcMessage.SANY_START -> inSany = true;
            case TlcMessage.SANY_END -> inSany = false;
            case TlcMessage.PROGRESS, TlcMessage.SIMULATION_PROGRESS -> {
                TlcProgress p = TlcProgress.parse(b, m.code() == TlcMessage.SIMULATION_PROGRESS);
                if (p != null) {
                    if (p.depth() >= 0) {
                        progressDepth = p.depth();
                    }
                    if (p.generated() >= 0) {
                        generated = p.generated();
                    }
                    if (p.distinct() >= 0) {
                        distinct = p.distinct();
                    }
                    listener.onProgress(p);
                }
            }
            case TlcMessage.FINAL_COUNTS -> {
                Matcher x = FINAL.matcher(b);
                if (x.find()) {
                    generated = TlcProgress.num(x.group(1));
                    distinct = TlcProgress.num(x.group(2));
                }
            }
            case TlcMessage.DEPTH -> {
                Matcher x = DEPTH.matcher(b);
                if (x.find()) {
                    depth = Integer.parseInt(x.group(1));
                }
            }
            case TlcMessage.INVARIANT_VIOLATED -> {
                Matcher x = INVARIANT.matcher(b);
                invariant = x.find() ? x.group(1) : "?";
            }
            case TlcMessage.INVARIANT_VIOLATED_INITIAL -> {
                // "Invariant X is violated by the initial state:\n<state>"
                Matcher x = INVARIANT.matcher(b);
                invariant = x.find() ? x.group(1) : "?";
                int nl = b.indexOf('\n');
                if (nl >= 0) {
                    trace.add(new TraceStep(1, TraceStep.INITIAL, state(b.substring(nl + 1))));
                }
            }
            case TlcMessage.ACTION_PROPERTY_VIOLATED -> {
                Matcher x = ACTION_PROPERTY.matcher(b);
                actionProperty = x.find() ? x.group(1) : "?";
            }
            case TlcMessage.TEMPORAL_VIOLATED -> temporal = true;
            case TlcMessage.DEADLOCK -> deadlock = true;
            case TlcMessage.TRACE_STATE -> traceState(b);
            case TlcMessage.TRACE_STUTTERING -> {
                Matcher x = STUTTER.matcher(b);
                loop = new TraceLoop(TraceLoop.Shape.STUTTERING, x.find() ? Integer.parseInt(x.group(1)) : -1, null);
            }
            case TlcMessage.TRACE_BACK_TO_STATE -> {
                Matcher x = BACK.matcher(b);
                loop = x.find()
                        ? new TraceLoop(TraceLoop.Shape.BACK_TO_STATE, Integer.parseInt(x.group(1)), x.group(2))
                        : new TraceLoop(TraceLoop.Shape.BACK_TO_STATE, -1, null);
            }
            case TlcMessage.PARSE_FAILED -> parseFailed = true;
            case TlcMessage.BEHAVIOR_HEADER, TlcMessage.COUNTEREXAMPLE_HEADER -> { }
            default -> {
                if (m.isError()) {
                    errors.add(b);
                }
            }
        }
    }

    private void traceState(String b) {
        int nl = b.indexOf('\n');
        String first = nl < 0 ? b : b.substring(0, nl);
        String stateText = nl < 0 ? "" : b.substring(nl + 1);
        int index;
        String action;
        Matcher init = STEP_INITIAL.matcher(first);
        if (init.find()) {
            index = Integer.parseInt(init.group(1));
            action = TraceStep.INITIAL;
        } else {
            Matcher x = STEP.matcher(first);
            if (!x.find()) {
                errors.add("unrecognized trace state header: " + first);
                return;
            }
            index = Integer.parseInt(x.group(1));
            action = x.group(2);
        }
        trace.add(new TraceStep(index, action, state(stateText)));
    }

    private static TlaState state(String text) {
        try {
            return TlaState.parse(text);
        } catch (TlaParseException e) {
            throw new TlaParseException("cannot parse a state TLC printed: " + e.getMessage(), e.offset());
        }
    }

    /**
     * The result once TLC has ended.
     *
     * @param stderr what TLC wrote to stderr (used in the error text of ERROR results)
     */
    public TlcResult result(int exitCode, Duration wallTime, String stderr) {
        TlcResult.Outcome outcome;
        String violated = null;
        String errorText = "";
        if (invariant != null) {
            outcome = TlcResult.Outcome.INVARIANT_VIOLATED;
            violated = invariant;
        } else if (actionProperty != null) {
            outcome = TlcResult.Outcome.PROPERTY_VIOLATED;
            violated = actionProperty;
        } else if (temporal) {
            outcome = TlcResult.Outcome.PROPERTY_VIOLATED;
            violated = temporalProperty;
        } else if (deadlock) {
            outcome = TlcResult.Outcome.DEADLOCK;
        } else if (parseFailed || exitCode == 150) {
            outcome = TlcResult.Outcome.PARSE_ERROR;
            errorText = sanyText();
            if (errorText.isEmpty()) {
                errorText = String.join("\n", errors);
            }
        } else if (exitCode == 0 && errors.isEmpty()) {
            outcome = TlcResult.Outcome.OK;
        } else {
            outcome = TlcResult.Outcome.ERROR;
            List<String> parts = new ArrayList<>(errors);
            if (parts.isEmpty()) {
                parts.addAll(unframed);
            }
            if (stderr != null && !stderr.isBlank()) {
                parts.add(stderr.strip());
            }
            if (parts.isEmpty()) {
                parts.add("TLC exited with code " + exitCode + " without an error message");
            }
            errorText = String.join("\n", parts);
        }
        int d = depth >= 0 ? depth : progressDepth;
        return new TlcResult(outcome, generated, distinct, d, violated, trace, loop, exitCode, wallTime, errorText);
    }

    /** SANY's messages without its progress chatter. */
    private String sanyText() {
        List<String> out = new ArrayList<>();
        for (String l : sanyLines) {
            if (l.startsWith("Parsing file ") || l.startsWith("Semantic processing of module ")) {
                continue;
            }
            if (l.isBlank() && (out.isEmpty() || out.get(out.size() - 1).isBlank())) {
                continue;
            }
            out.add(l);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
            out.remove(out.size() - 1);
        }
        if (out.isEmpty()) {
            for (String l : unframed) {
                out.add(l);
            }
        }
        return String.join("\n", out);
    }
}
