package dev.devmap.spec.tlc;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A warm TLC: the main class of a child JVM that runs one TLC job after the other in itself, so
 * that a campaign of many small runs (the mutants) pays the JVM's start and the JIT's warm-up once
 * instead of per run (measured: a run of the caps model costs about 0.7 CPU-seconds warm against
 * 2.1 in a fresh JVM). {@link WarmTlcRunner} is its other end.
 *
 * <p>Protocol, one job at a time: a line on stdin, the work directory and TLC's arguments separated
 * by tabs; TLC's output on stdout, then the line {@value #END} followed by TLC's exit code. TLC keeps
 * static state: the public static fields of {@code tlc2.TLCGlobals} are put back to their values at
 * this JVM's start before every job, and {@code util.ToolIO} is reset and pointed at the job's
 * directory. A job TLC aborts with an exception ends with exit code {@value #CRASHED}; the other end
 * then discards this JVM (its static state is no longer known).
 */
public final class TlcServer {
    /** Prefix of the line that ends a job's output. */
    public static final String END = "@!@!@DMAP-TLC-END ";
    /** Exit code of a job whose TLC threw instead of returning. */
    public static final int CRASHED = 255;

    private TlcServer() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(out);
        Map<Field, Object> defaults = snapshot(Class.forName("tlc2.TLCGlobals"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] parts = line.split("\t", -1);
            String work = parts[0];
            String[] tlcArgs = Arrays.copyOfRange(parts, 1, parts.length);
            int rc;
            try {
                restore(defaults);
                util.ToolIO.reset();
                util.ToolIO.out = out;
                util.ToolIO.err = out;
                util.ToolIO.setUserDir(work);
                tlc2.TLC tlc = new tlc2.TLC();
                if (tlc.handleParameters(tlcArgs)) {
                    // as tlc2.TLC.main: modules are looked up beside the main module; exit status from TLC's code
                    String dir = util.FileUtil.parseDirname(tlc.getMainFile());
                    tlc.setResolver(dir.isEmpty() ? new util.SimpleFilenameToStream() : new util.SimpleFilenameToStream(dir));
                    rc = tlc2.output.EC.ExitStatus.errorConstantToExitStatus(tlc.process());
                } else {
                    rc = 1;
                }
            } catch (Throwable t) {
                out.println("TLC crashed in the warm JVM: " + t);
                rc = CRASHED;
            }
            out.println();
            out.println(END + rc);
            out.flush();
            if (rc == CRASHED) System.exit(CRASHED);
        }
        System.exit(0);   // TLC leaves non-daemon threads (RMI) behind
    }

    private static Map<Field, Object> snapshot(Class<?> c) throws IllegalAccessException {
        Map<Field, Object> m = new HashMap<>();
        for (Field f : c.getFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && !Modifier.isFinal(mod)) m.put(f, f.get(null));
        }
        return m;
    }

    private static void restore(Map<Field, Object> defaults) throws IllegalAccessException {
        for (Map.Entry<Field, Object> e : defaults.entrySet()) e.getKey().set(null, e.getValue());
    }
}
