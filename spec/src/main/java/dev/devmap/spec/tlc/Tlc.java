package dev.devmap.spec.tlc;

import java.io.IOException;

/** Runs one TLC job: in a fresh JVM ({@link TlcRunner}) or in a warm one ({@link WarmTlcRunner}). */
public interface Tlc {
    TlcResult run(TlcJob job, TlcListener listener) throws IOException, InterruptedException;
}
