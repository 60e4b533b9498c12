package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** First-order LSLR gradients against a closed form on a separable quadratic. */
class MetaLearnerTest {
  static final double[] C = {1.0, 0.5, 2.0};
  static final double[][] X = {{1, 2, 3}, {-1, 0, 1}, {0.5, 0.5, -2}, {2, -1, 0}, {3, 1, 1}, {-2, 2, 0.5}};
  static final List<Integer> SUPPORT = List.of(0, 1, 2, 3);
  static final List<Integer> QUERY = List.of(4, 5);

  /** mean over examples of sum_i C_i (w_i - x_i)^2, as a DJL graph. */
  static BiFunction<Map<String, NDArray>, List<Integer>, NDArray> loss(NDManager manager) {
    return (w, ex) -> {
      float[][] x = new float[ex.size()][];
      for (int i = 0; i < ex.size(); i++) x[i] = AdamWTest.toFloat(X[ex.get(i)]);
      NDArray xs = manager.create(x); // [n, 3]
      NDArray c = manager.create(AdamWTest.toFloat(C)); // [3]
      return w.get("t").sub(xs).square().mul(c).sum(new int[] {1}).mean();
    };
  }

  /** The toy loss as a gradient function: one backward on detached copies. */
  static Gradient.Fn<Integer> gradient(NDManager manager) {
    var loss = loss(manager);
    return (at, ex, gc) -> Gradient.byBackward(at, gc, w -> loss.apply(w, ex));
  }

  /** d/dw of the loss over {@code ex} at w. */
  static double[] grad(double[] w, List<Integer> ex) {
    double[] g = new double[3];
    for (int e : ex) for (int i = 0; i < 3; i++) g[i] += 2 * C[i] * (w[i] - X[e][i]) / ex.size();
    return g;
  }

  @Test
  void thetaAndRateGradientsMatchClosedForm() {
    for (boolean lastOnly : new boolean[] {true, false}) {
      double[] theta = {0.3, -0.2, 0.1};
      double[] rates = {0.1, 0.05, 0.2, 0.1};
      int steps = 3;
      // closed form
      double[] fast = theta.clone();
      double[][] gs = new double[steps][];
      for (int k = 0; k < steps; k++) {
        double[] g;
        if (lastOnly) g = grad(fast, SUPPORT.subList(2, 4));
        else {
          double[] g1 = grad(fast, SUPPORT.subList(0, 2));
          double[] g2 = grad(fast, SUPPORT.subList(2, 4));
          g = new double[3];
          for (int i = 0; i < 3; i++) g[i] = (g1[i] + g2[i]) / 2;
        }
        gs[k] = g;
        for (int i = 0; i < 3; i++) fast[i] -= rates[k] * g[i];
      }
      double[] dFast = grad(fast, QUERY);
      double[] dRates = new double[rates.length];
      for (int k = 0; k < steps; k++) for (int i = 0; i < 3; i++) dRates[k] -= dFast[i] * gs[k][i];

      try (NDManager manager = NDManager.newBaseManager();
          NDScope scope = new NDScope();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        w.put("t", manager.create(AdamWTest.toFloat(theta)));
        w.put(MetaLearner.rateKey("t"), manager.create(AdamWTest.toFloat(rates)));
        w.values().forEach(a -> a.setRequiresGradient(true));
        TrainLoop.Loss q = MetaLearner.queryLoss(w, SUPPORT, QUERY, steps, 2, lastOnly, gc, gradient(manager));
        gc.backward(q.objective());
        float[] gTheta = w.get("t").getGradient().toFloatArray();
        float[] gRates = w.get(MetaLearner.rateKey("t")).getGradient().toFloatArray();
        for (int i = 0; i < 3; i++) assertEquals(dFast[i], gTheta[i], 1e-4, "theta " + i + " lastOnly=" + lastOnly);
        for (int k = 0; k < rates.length; k++) assertEquals(dRates[k], gRates[k], 1e-4, "rate " + k + " lastOnly=" + lastOnly);
        assertEquals(0, gRates[steps], 0, "the last rate is only used at evaluation");
      }
    }
  }

  @Test
  void quirkSwitchChangesTheInnerGradient() {
    try (NDManager manager = NDManager.newBaseManager();
        NDScope scope = new NDScope();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Map<String, NDArray> fast = Map.of("t", manager.create(new float[] {0.3f, -0.2f, 0.1f}));
      List<List<Integer>> parts = MetaLearner.split(SUPPORT, 2);
      float[] last = MetaLearner.supportGradient(fast, parts, true, gc, gradient(manager)).get("t").toFloatArray();
      float[] mean = MetaLearner.supportGradient(fast, parts, false, gc, gradient(manager)).get("t").toFloatArray();
      double[] w = {0.3, -0.2, 0.1};
      double[] expLast = grad(w, List.of(2, 3));
      double[] expMean = grad(w, SUPPORT); // equal chunk sizes: mean of chunk means = full mean
      for (int i = 0; i < 3; i++) {
        assertEquals(expLast[i], last[i], 1e-5);
        assertEquals(expMean[i], mean[i], 1e-5);
      }
      assertTrue(Math.abs(last[0] - mean[0]) > 0.1);
    }
  }

  @Test
  void splitKeepsOrderAndSizes() {
    assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5)), MetaLearner.split(List.of(1, 2, 3, 4, 5), 2));
    assertEquals(List.of(List.of(1), List.of(2)), MetaLearner.split(List.of(1, 2), 5));
    assertEquals("inner_loop_optimizer.names_learning_rates_dict.model-mm_projector-vars-3",
        MetaLearner.rateKey("model.mm_projector.vars.3"));
  }
}
