package org.mapd.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** CLIP vision tower configuration, bound to HF config.json (CLIPVisionConfig or CLIPConfig.vision_config). */
public record VisionConfig(
    int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
    int numChannels, int imageSize, int patchSize, String hiddenAct, double layerNormEps) {

  public VisionConfig {
    if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("vision: hidden_size must be a positive multiple of num_attention_heads");
    }
    if (patchSize <= 0 || imageSize % patchSize != 0) {
      throw new IllegalArgumentException("vision: image_size must be a multiple of patch_size");
    }
    if (!"quick_gelu".equals(hiddenAct)) {
      throw new IllegalArgumentException("vision: only hidden_act quick_gelu is implemented, got " + hiddenAct);
    }
  }

  public int patches() { return (imageSize / patchSize) * (imageSize / patchSize); }

  public int headDim() { return hiddenSize / numAttentionHeads; }

  /** Reads config.json of a folder; the openai repos nest the vision part under "vision_config". */
  public static VisionConfig load(Path modelDir) {
    return of(HfConfig.read(modelDir), modelDir);
  }

  /** From a parsed config.json; {@code modelDir} names it in errors. */
  public static VisionConfig of(JsonNode root, Path modelDir) {
    JsonNode c = root.has("vision_config") ? root.get("vision_config") : root;
    // Defaults are those of transformers' CLIPVisionConfig (a CLIPConfig may omit unchanged fields).
    return new VisionConfig(
        HfConfig.intField(c, "hidden_size", 768, modelDir),
        HfConfig.intField(c, "intermediate_size", 3072, modelDir),
        HfConfig.intField(c, "num_hidden_layers", 12, modelDir),
        HfConfig.intField(c, "num_attention_heads", 12, modelDir),
        HfConfig.intField(c, "num_channels", 3, modelDir),
        HfConfig.intField(c, "image_size", 224, modelDir),
        HfConfig.intField(c, "patch_size", 32, modelDir),
        c.hasNonNull("hidden_act") ? c.get("hidden_act").asText() : "quick_gelu",
        HfConfig.doubleField(c, "layer_norm_eps", 1e-5));
  }
}
