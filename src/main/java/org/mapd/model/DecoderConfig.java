package org.mapd.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Qwen2 decoder configuration, bound to HF config.json (Qwen2Config). */
public record DecoderConfig(
    int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
    int numKeyValueHeads, int vocabSize, int maxPositionEmbeddings, double rmsNormEps,
    double ropeTheta, boolean tieWordEmbeddings) {

  public DecoderConfig {
    if (hiddenSize <= 0 || numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException("decoder: hidden_size must be a positive multiple of num_attention_heads");
    }
    if (numKeyValueHeads <= 0 || numAttentionHeads % numKeyValueHeads != 0) {
      throw new IllegalArgumentException("decoder: num_attention_heads must be a multiple of num_key_value_heads");
    }
    if ((hiddenSize / numAttentionHeads) % 2 != 0) {
      throw new IllegalArgumentException("decoder: head dim must be even for rotary embeddings");
    }
  }

  public int headDim() { return hiddenSize / numAttentionHeads; }

  public static DecoderConfig load(Path modelDir) {
    return of(HfConfig.read(modelDir), modelDir);
  }

  /** From a parsed config.json; {@code modelDir} names it in errors. */
  public static DecoderConfig of(JsonNode c, Path modelDir) {
    String type = c.hasNonNull("model_type") ? c.get("model_type").asText() : "qwen2";
    if (!type.equals("qwen2")) throw new IllegalArgumentException(modelDir + ": model_type " + type + " is not qwen2");
    int heads = HfConfig.intField(c, "num_attention_heads", null, modelDir);
    return new DecoderConfig(
        HfConfig.intField(c, "hidden_size", null, modelDir),
        HfConfig.intField(c, "intermediate_size", null, modelDir),
        HfConfig.intField(c, "num_hidden_layers", null, modelDir),
        heads,
        HfConfig.intField(c, "num_key_value_heads", heads, modelDir),
        HfConfig.intField(c, "vocab_size", null, modelDir),
        HfConfig.intField(c, "max_position_embeddings", 32768, modelDir),
        HfConfig.doubleField(c, "rms_norm_eps", 1e-6),
        HfConfig.doubleField(c, "rope_theta", 10000.0),
        c.has("tie_word_embeddings") && c.get("tie_word_embeddings").asBoolean());
  }
}
