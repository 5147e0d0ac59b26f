package dev.devmap.spec.tlc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One TLC run to do. Build with {@link #builder(Path, String, String)}.
 *
 * @param specDir     directory whose {@code *.tla} files are copied into the work directory
 * @param mainModule  the module TLC checks (file {@code mainModule.tla})
 * @param cfgFileName name of the cfg file to write
 * @param cfg         the cfg text
 * @param extraFiles  more files to write into the work directory (e.g. a generated {@code MC.tla})
 * @param workers     TLC worker threads
 * @param workDir     the run's directory (kept after the run), or null for a fresh temporary
 *                    directory that is deleted after the run
 * @param dumpDot     if not null: {@code -dump dot,actionlabels} to this file
 * @param tlcArgs     more TLC arguments (before the module file), e.g. {@code -simulate num=10 -depth 50}
 * @param jvmArgs     more arguments for the child JVM, e.g. {@code -Xmx4g}
 * @param timeout     kill TLC after this long (null: no limit)
 */
public record TlcJob(Path specDir, String mainModule, String cfgFileName, String cfg, Map<String, String> extraFiles,
                     int workers, Path workDir, Path dumpDot, List<String> tlcArgs, List<String> jvmArgs,
                     Duration timeout) {
    private static final Pattern PROPERTY_LINE = Pattern.compile("(?m)^\\s*PROPERT(?:Y|IES)\\s+(.*)$");

    public TlcJob {
        extraFiles = Collections.unmodifiableMap(new LinkedHashMap<>(extraFiles));
        tlcArgs = List.copyOf(tlcArgs);
        jvmArgs = List.copyOf(jvmArgs);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, not " + workers);
        }
    }

    public static Builder builder(Path specDir, String mainModule, String cfg) {
        return new Builder(specDir, mainModule, cfg);
    }

    /**
     * The single temporal property the cfg checks (named as the violated one when TLC reports
     * message 2116), or null when it checks none or several.
     */
    public String singleProperty() {
        List<String> names = new ArrayList<>();
        Matcher m = PROPERTY_LINE.matcher(cfg);
        while (m.find()) {
            for (String n : m.group(1).trim().split("\\s+")) {
                if (!n.isEmpty() && !n.startsWith("\\*")) {
                    names.add(n);
                }
            }
        }
        return names.size() == 1 ? names.get(0) : null;
    }

    public static final class Builder {
        private final Path specDir;
        private final String mainModule;
        private final String cfg;
        private String cfgFileName;
        private final Map<String, String> extraFiles = new LinkedHashMap<>();
        private int workers = 1;
        private Path workDir;
        private Path dumpDot;
        private final List<String> tlcArgs = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private Duration timeout;

        private Builder(Path specDir, String mainModule, String cfg) {
            this.specDir = specDir;
            this.mainModule = mainModule;
            this.cfg = cfg;
            this.cfgFileName = mainModule + ".cfg";
        }

        public Builder cfgFileName(String name) {
            this.cfgFileName = name;
            return this;
        }

        public Builder extraFile(String name, String text) {
            extraFiles.put(name, text);
            return this;
        }

        public Builder extraFiles(Map<String, String> files) {
            extraFiles.putAll(files);
            return this;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public Builder dumpDot(Path file) {
            this.dumpDot = file;
            return this;
        }

        /** Random simulation instead of model checking: {@code -simulate num=N -depth D}. */
        public Builder simulate(long behaviours, int depth) {
            tlcArgs.add("-simulate");
            tlcArgs.add("num=" + behaviours);
            tlcArgs.add("-depth");
            tlcArgs.add(Integer.toString(depth));
            return this;
        }

        public Builder tlcArgs(String... args) {
            tlcArgs.addAll(List.of(args));
            return this;
        }

        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        public TlcJob build() {
            return new TlcJob(specDir, mainModule, cfgFileName, cfg, extraFiles, workers, workDir, dumpDot,
                    tlcArgs, jvmArgs, timeout);
        }
    }
}
