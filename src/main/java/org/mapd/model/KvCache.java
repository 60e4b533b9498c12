package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

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

  /**
   * Appends k/v [B,kvHeads,T,d] of one layer and returns the full cached ones. The previous, shorter
   * arrays are closed at once: left to their manager, a decode of n tokens would hold O(n^2) copies.
   */
  NDArray[] append(int layer, NDArray k, NDArray v) {
    keys[layer] = grow(keys[layer], k);
    values[layer] = grow(values[layer], v);
    return new NDArray[] {keys[layer], values[layer]};
  }

  private static NDArray grow(NDArray cached, NDArray added) {
    if (cached == null) return added;
    NDArray longer = Ops.concat(cached, added, 2);
    cached.close();
    return longer;
  }

  void advance(int tokens) { length += tokens; }

  /** Takes layer {@code layer}'s arrays out of the current NDScope (the decoder frees each layer's scope). */
  void unregister(int layer) {
    NDScope.unregister(keys[layer], values[layer]);
  }

  /** Puts them into the current NDScope, which frees them with the prompt's other arrays. */
  void register(int layer) {
    NDScope.register(keys[layer]);
    NDScope.register(values[layer]);
  }
}
