package org.mapd.model;

import java.nio.file.Path;

/** CLIP vision tower configuration, bound to HF config.json (CLIPVisionConfig or CLIPConfig.vision_config). */
public record VisionConfig(
    int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
    int numChannels, int imageSize, int patchSize, String hiddenAct, double layerNormEps) {

  public int patches() { return (imageSize / patchSize) * (imageSize / patchSize); }

  public static VisionConfig load(Path modelDir) { throw new UnsupportedOperationException("helper A"); }
}
