package org.mapd.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.mapd.model.LoadedModel;
import org.mapd.model.TokenizedExample;

/** First-order inner loop on a support set (skeleton: helper D). */
public final class InnerLoop {
  private InnerLoop() {}

  /**
   * Evaluation-time adaptation (FT mode): theta_{k+1} = theta_k - lrs[name][k] * grad L_support(theta_k),
   * with fixed rates. Calls {@code onStep(k, weights)} for k = 0 (theta itself) .. steps; the weights passed
   * are valid only during the call. theta is never modified.
   *
   * @param features [images in support order, patches, dClip]
   */
  public static void adapt(LoadedModel model, Map<String, NDArray> theta, List<TokenizedExample> support, NDArray features, Map<String, double[]> lrs, int steps, BiConsumer<Integer, Map<String, NDArray>> onStep) { throw new UnsupportedOperationException("helper D"); }
}
