package org.mapd.train;

/**
 * A finished mapper: {@code dir} holds mm_projector.safetensors (authors' key names, plus learned inner
 * rates for MAPD) and config.json.
 */
public record MapperCheckpoint(String dir, long steps, double finalLoss) {}
