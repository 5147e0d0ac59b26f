package dev.devmap.model;

/** A DMA in flight from importer {@code i} to page {@code o} of {@code f}, at block {@code b}. */
public record Dma(String i, String f, int o, int b, DmaOp op, int v) {}
