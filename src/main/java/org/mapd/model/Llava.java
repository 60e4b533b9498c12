package org.mapd.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/** Vision tower + attention mapper + decoder, LLaVA-style: mapper outputs spliced at image tokens. */
public final class Llava {
  public static final int IMAGE_TOKEN = -200;
  public static final int IGNORE = -100;

  public Llava(VisionConfig vision, DecoderConfig decoder, MapperConfig mapper) { throw new UnsupportedOperationException("helper A"); }

  /** features [nImages, patches, dClip] in order of appearance over the batch; token-mean CE (scalar). */
  public NDArray loss(Map<String, NDArray> decoderW, Map<String, NDArray> mapperVars, List<TokenizedExample> batch, NDArray features, int padId) { throw new UnsupportedOperationException("helper A"); }

  /** Greedy decoding with a KV cache; stops at stopId or maxNewTokens; returns the new tokens only. */
  public List<int[]> generate(Map<String, NDArray> decoderW, Map<String, NDArray> mapperVars, List<int[]> prompts, NDArray features, int maxNewTokens, int stopId) { throw new UnsupportedOperationException("helper A"); }
}
