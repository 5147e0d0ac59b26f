package dev.devmap.spec.tlc;

/** Callbacks while TLC runs; called on the thread reading TLC's output. */
public interface TlcListener {
    TlcListener NONE = new TlcListener() { };

    /** A progress report (codes 2200 / 2209). */
    default void onProgress(TlcProgress progress) {
    }

    /** Every framed message, progress included. */
    default void onMessage(TlcMessage message) {
    }

    /** Output lines outside any message frame (SANY's output, stack traces). */
    default void onUnframedLine(String line) {
    }
}
