package org.mapd.model;

import java.nio.file.Path;

/** Qwen2 decoder configuration, bound to HF config.json (Qwen2Config). */
public record DecoderConfig(
    int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
    int numKeyValueHeads, int vocabSize, int maxPositionEmbeddings, double rmsNormEps,
    double ropeTheta, boolean tieWordEmbeddings) {

  public int headDim() { return hiddenSize / numAttentionHeads; }

  public static DecoderConfig load(Path modelDir) { throw new UnsupportedOperationException("helper A"); }
}
