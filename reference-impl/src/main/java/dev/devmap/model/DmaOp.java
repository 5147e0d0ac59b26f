package dev.devmap.model;

/** Direction of a DMA through a grant. */
public enum DmaOp {
    READ("read"), WRITE("write");

    private final String tla;
    DmaOp(String tla) { this.tla = tla; }
    public String tla() { return tla; }
    public static DmaOp of(String s) { for (DmaOp d : values()) if (d.tla.equals(s)) return d; throw new IllegalArgumentException("dma op " + s); }
}
