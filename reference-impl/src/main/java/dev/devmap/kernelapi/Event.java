package dev.devmap.kernelapi;

import dev.devmap.model.Action;

/**
 * An internal step the system takes by itself (not asked for by the program), as a device or
 * agent reports it: an importer acknowledged an invalidation, the filesystem finished one, a DMA
 * completed (with the value a read returned), an importer gave its mappings back to a departing
 * exporter, the removal finished, a driver committed or retried a prepared map.
 *
 * @param kind  what happened
 * @param imp   the importer, or null
 * @param file  the file, or null
 * @param value for a completed DMA: the value read or written; else null
 */
public record Event(Type kind, String imp, String file, Integer value) {
    public enum Type {
        ACK("ack"), INV_END("inv_end"), DMA_END("dma_end"), REVOKE_ACK("revoke_ack"), UNPLUG_END("unplug_end"),
        MAP_COMMIT("map_commit"), MAP_RETRY("map_retry");

        private final String wire;

        Type(String wire) { this.wire = wire; }

        public String wire() { return wire; }

        public static Type of(String wire) {
            for (Type k : values()) if (k.wire.equals(wire)) return k;
            throw new IllegalArgumentException("unknown event '" + wire + "'");
        }
    }

    public static Event ack(String i, String f) { return new Event(Type.ACK, i, f, null); }

    public static Event invEnd(String f) { return new Event(Type.INV_END, null, f, null); }

    public static Event dmaEnd(String i, int value) { return new Event(Type.DMA_END, i, null, value); }

    public static Event revokeAck(String i) { return new Event(Type.REVOKE_ACK, i, null, null); }

    public static Event unplugEnd() { return new Event(Type.UNPLUG_END, null, null, null); }

    public static Event mapCommit(String i) { return new Event(Type.MAP_COMMIT, i, null, null); }

    public static Event mapRetry(String i) { return new Event(Type.MAP_RETRY, i, null, null); }

    /** The spec's action this event is. */
    public Action action() {
        switch (kind) {
            case ACK: return new Action.InvAck(imp, file);
            case INV_END: return new Action.InvEnd(file);
            case DMA_END: return new Action.DmaEnd(imp);
            case REVOKE_ACK: return new Action.RevokeAck(imp);
            case UNPLUG_END: return new Action.UnplugEnd();
            case MAP_COMMIT: return new Action.MapCommit(imp);
            default: return new Action.MapRetry(imp);
        }
    }

    public String show() {
        StringBuilder sb = new StringBuilder(kind.wire());
        if (imp != null) sb.append(' ').append(imp);
        if (file != null) sb.append(' ').append(file);
        if (value != null) sb.append(" value=").append(value);
        return sb.toString();
    }
}
