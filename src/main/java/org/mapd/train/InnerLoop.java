package org.mapd.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** First-order inner loop on a support set, used by evaluation in FT mode (method.md §5). */
public final class InnerLoop {
  private InnerLoop() {}

  /**
   * Evaluation-time adaptation (FT mode): theta_{k+1} = theta_k - lrs[name][k] * grad L_support(theta_k),
   * with fixed rates. Calls {@code onStep(k, weights)} for k = 0 (theta itself) .. steps; the weights passed
   * are valid only during the call. theta is never modified. The whole support set is one batch (the
   * authors' evaluation uses grad_acc_part 1), cut into micro-batches only as the device requires.
   *
   * @param gradient the support loss's gradient (the evaluation's padding: {@code <|endoftext|>})
   * @param lrs per mapper tensor name, at least {@code steps} rates
   */
  public static void adapt(MapperGradient gradient, Map<String, NDArray> theta, List<Sequence> support,
      Map<String, double[]> lrs, int steps, BiConsumer<Integer, Map<String, NDArray>> onStep) {
    for (String name : theta.keySet()) {
      double[] r = lrs.get(name);
      if (steps > 0 && (r == null || r.length < steps)) {
        throw new IllegalArgumentException("inner loop: need " + steps + " rates for " + name);
      }
    }
    onStep.accept(0, theta);
    Map<String, NDArray> fast = theta;
    for (int k = 0; k < steps; k++) {
      Map<String, NDArray> next = new LinkedHashMap<>();
      try (NDScope scope = new NDScope();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> g = gradient.at(fast, support, gc).grads();
        for (Map.Entry<String, NDArray> e : fast.entrySet()) {
          NDArray updated = e.getValue().sub(g.get(e.getKey()).mul(lrs.get(e.getKey())[k])); // constants: no graph
          NDScope.unregister(updated);
          next.put(e.getKey(), updated);
        }
      }
      if (fast != theta) fast.values().forEach(NDArray::close);
      fast = next;
      onStep.accept(k + 1, fast);
    }
    if (fast != theta) fast.values().forEach(NDArray::close);
  }
}
