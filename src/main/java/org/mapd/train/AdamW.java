package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * torch.optim.AdamW as HF's adamw_torch uses it (betas 0.9/0.999, eps 1e-8 added after the bias-corrected
 * square root, decoupled weight decay), written by hand over a parameter map because DJL's Adam places eps
 * differently. Parameters are updated in place; they never carry a gradient themselves.
 */
final class AdamW {
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPS = 1e-8;

  private final double weightDecay;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long steps;

  AdamW(double weightDecay) {
    this.weightDecay = weightDecay;
  }

  long steps() {
    return steps;
  }

  Map<String, NDArray> firstMoments() {
    return m;
  }

  Map<String, NDArray> secondMoments() {
    return v;
  }

  /** Restores the state of a checkpoint (the arrays are taken over, not copied). */
  void restore(long steps, Map<String, NDArray> first, Map<String, NDArray> second) {
    this.steps = steps;
    m.clear();
    v.clear();
    m.putAll(first);
    v.putAll(second);
  }

  /** One update of every parameter that has a gradient; moments are created (zeros) on first use. */
  void step(Map<String, NDArray> params, Map<String, NDArray> grads, double lr) {
    steps++;
    double bc1 = 1 - Math.pow(BETA1, steps);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, steps));
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray g = grads.get(e.getKey());
      if (g == null) continue;
      NDArray p = e.getValue();
      NDManager owner = p.getManager();
      NDArray mi = m.computeIfAbsent(e.getKey(), k -> owner.zeros(p.getShape()));
      NDArray vi = v.computeIfAbsent(e.getKey(), k -> owner.zeros(p.getShape()));
      try (NDScope scope = new NDScope()) {
        if (weightDecay != 0) p.muli(1 - lr * weightDecay);
        mi.muli(BETA1).addi(g.mul(1 - BETA1));
        vi.muli(BETA2).addi(g.square().muli(1 - BETA2));
        NDArray denom = vi.sqrt().divi(bc2Sqrt).addi(EPS);
        p.subi(mi.div(denom).muli(lr / bc1));
      }
    }
  }
}
