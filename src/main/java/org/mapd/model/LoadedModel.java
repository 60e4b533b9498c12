package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * Frozen backbones loaded from their folders, ready to compose with a mapper.
 *
 * @param visionWeights vision_model.* tensors
 * @param decoderWeights model.* and lm_head tensors
 */
public record LoadedModel(
    VisionConfig vision,
    DecoderConfig decoder,
    MapperConfig mapper,
    Map<String, NDArray> visionWeights,
    Map<String, NDArray> decoderWeights,
    TextTokenizer tokenizer,
    Llava llava) implements AutoCloseable {

  /** Loads config.json, safetensors and tokenizer.json from the two folders; checks shapes against the mapper. */
  public static LoadedModel load(Backbones backbones, MapperConfig mapper, NDManager manager) { throw new UnsupportedOperationException("helper A"); }

  @Override
  public void close() { tokenizer.close(); }
}
