package dev.devmap.harness.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An agent's stdout as lines, read by a thread of its own, so that a wait for a line ends at its
 * deadline whoever holds the pipe (a wrapper that does not exec, a child that inherited stdout).
 * Lines are bounded ({@code maxLine} bytes; the rest of a longer line is skipped and the line is
 * marked overlong) and so is the queue (the reader waits while it is full), so an agent cannot
 * exhaust the harness's memory.
 */
final class LineReader {
    /** A line; text null means end of stream; overlong: the first bytes of a line that was too long. */
    record Line(String text, boolean overlong) {}

    private static final Line EOF = new Line(null, false);
    private static final long SLICE = 50_000_000L;
    private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(16);

    LineReader(InputStream in, int maxLine) {
        Thread t = new Thread(() -> read(in, maxLine), "dmap-agent-stdout");
        t.setDaemon(true);
        t.start();
    }

    private void read(InputStream in, int maxLine) {
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean skipping = false;
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int from = 0;
                for (int k = 0; k < n; k++) {
                    if (buf[k] != '\n') continue;
                    if (!skipping) {
                        line.write(buf, from, k - from);
                        lines.put(new Line(text(line), false));
                    }
                    line.reset();
                    skipping = false;
                    from = k + 1;
                }
                if (!skipping) {
                    line.write(buf, from, n - from);
                    if (line.size() > maxLine) {
                        lines.put(new Line(text(line).substring(0, 200), true));
                        line.reset();
                        skipping = true;
                    }
                }
            }
            if (line.size() > 0 && !skipping) lines.put(new Line(text(line), false));
        } catch (IOException ignored) {
            // the agent is gone
        } catch (InterruptedException e) {
            return;
        }
        try {
            lines.put(EOF);
        } catch (InterruptedException ignored) {
            // nobody waits any more
        }
    }

    private static String text(ByteArrayOutputStream b) {
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * The next line, or null if none came within the timeout; spins for up to {@code spinNanos}
     * first (an answer usually comes within tens of microseconds).
     */
    Line next(Duration timeout, long spinNanos) throws DutInterrupted {
        return next(timeout, spinNanos, null);
    }

    /**
     * As above; when {@code proc} has exited and nothing more came for a moment, the end of the
     * stream (a descendant may still hold the pipe open, but the agent is gone).
     */
    Line next(Duration timeout, long spinNanos, Process proc) throws DutInterrupted {
        long start = System.nanoTime();
        Line l = null;
        if (spinNanos > 0) {
            long busy = start + Math.min(spinNanos, AgentDevice.BUSY_NANOS);
            while ((l = lines.poll()) == null && System.nanoTime() - (start + spinNanos) < 0) {
                if (System.nanoTime() - busy < 0) Thread.onSpinWait(); else Thread.yield();
            }
        }
        long deadAt = 0;
        while (l == null) {
            long left = timeout.toNanos() - (System.nanoTime() - start);
            if (left <= 0) return null;
            try {
                l = lines.poll(proc == null ? left : Math.min(left, SLICE), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DutInterrupted();
            }
            if (l == null && proc != null && !proc.isAlive()) {
                if (deadAt == 0) deadAt = System.nanoTime();
                else if (System.nanoTime() - deadAt > SLICE) return EOF;
            }
        }
        if (l == EOF) lines.offer(EOF);   // stays at the end for the next reader
        return l;
    }

    /** The harness was interrupted while it waited. */
    static final class DutInterrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
