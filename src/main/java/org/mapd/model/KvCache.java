package org.mapd.model;

import ai.djl.ndarray.NDArray;

/** Keys and values of every decoder layer seen so far, for incremental (one token at a time) decoding. */
public final class KvCache {
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(int layers) {
    keys = new NDArray[layers];
    values = new NDArray[layers];
  }

  /** Number of positions already cached (= position of the next token). */
  public int length() { return length; }

  /** Appends k/v [B,kvHeads,T,d] of one layer and returns the full cached ones. */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    keys[layer] = keys[layer] == null ? k : Ops.concat(keys[layer], k, 2);
    values[layer] = values[layer] == null ? v : Ops.concat(values[layer], v, 2);
    return new NDArray[] {keys[layer], values[layer]};
  }

  void advance(int tokens) { length += tokens; }
}
