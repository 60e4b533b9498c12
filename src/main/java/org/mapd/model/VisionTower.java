package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/** CLIP ViT forward pass over named HF tensors (vision_model.*). */
public final class VisionTower {
  public VisionTower(VisionConfig config) { throw new UnsupportedOperationException("helper A"); }

  public static Map<String, NDArray> init(VisionConfig config, NDManager manager, long seed) { throw new UnsupportedOperationException("helper A"); }

  /** pixels [B,3,H,W] -> L+1 arrays [B,1+patches,hidden]; 0 = after pre_layrnorm. */
  public NDList hiddenStates(Map<String, NDArray> w, NDArray pixels) { throw new UnsupportedOperationException("helper A"); }

  /** LLaVA's features: hidden_states[-2] without CLS -> [B,patches,hidden]. */
  public NDArray features(Map<String, NDArray> w, NDArray pixels) { throw new UnsupportedOperationException("helper A"); }
}
