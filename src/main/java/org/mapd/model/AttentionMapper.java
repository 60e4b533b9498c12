package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** The trained part: image features -> soft prompt tokens (method.md §1). */
public final class AttentionMapper {
  private AttentionMapper() {}

  public static String key(int index) { return "model.mm_projector.vars." + index; }

  public static Map<String, NDArray> init(MapperConfig config, NDManager manager, long seed) { throw new UnsupportedOperationException("helper A"); }

  /** features [B,N,dClip] -> [B,prefixLength,dLlm]. */
  public static NDArray forward(MapperConfig config, Map<String, NDArray> vars, NDArray features) { throw new UnsupportedOperationException("helper A"); }
}
