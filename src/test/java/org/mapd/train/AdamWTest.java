package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdamWTest {
  /** torch.optim.AdamW's update in plain double arithmetic, written from the algorithm's definition. */
  private static void reference(double[] p, double[] m, double[] v, double[] g, double lr, double wd, int t) {
    for (int i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      double mHat = m[i] / (1 - Math.pow(0.9, t));
      double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
      p[i] -= lr * mHat / denom;
    }
  }

  @Test
  void matchesTorchAdamWInDouble() {
    Random r = new Random(7);
    double[] p = new double[6];
    for (int i = 0; i < p.length; i++) p[i] = r.nextGaussian();
    double[] m = new double[6];
    double[] v = new double[6];
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> params = new LinkedHashMap<>();
      params.put("w", manager.create(toFloat(p)));
      AdamW adam = new AdamW(0.1);
      for (int t = 1; t <= 6; t++) {
        double[] g = new double[6];
        for (int i = 0; i < g.length; i++) g[i] = r.nextGaussian() * (t == 3 ? 1e-6 : 1); // tiny grads: eps matters
        double lr = 0.01 * t;
        reference(p, m, v, g, lr, 0.1, t);
        adam.step(params, Map.of("w", manager.create(toFloat(g))), lr);
      }
      float[] got = params.get("w").toFloatArray();
      for (int i = 0; i < p.length; i++) assertEquals(p[i], got[i], 1e-5, "param " + i);
      float[] gotV = adam.secondMoments().get("w").toFloatArray();
      for (int i = 0; i < p.length; i++) assertEquals(v[i], gotV[i], 1e-6 * Math.max(1, v[i]), "v " + i);
      assertEquals(6, adam.steps());
    }
  }

  @Test
  void cosineScheduleFollowsHf() {
    CosineSchedule s = CosineSchedule.of(2e-3, 0.03, 100);
    assertEquals(3, s.warmupSteps());
    assertEquals(0, s.lr(0), 0);
    assertEquals(2e-3 / 3, s.lr(1), 1e-15);
    assertEquals(2e-3, s.lr(3), 1e-15);
    assertEquals(2e-3 * 0.5 * (1 + Math.cos(Math.PI * 47 / 97.0)), s.lr(50), 1e-15);
    assertEquals(0, s.lr(100), 1e-15);
    assertEquals(1e-3, CosineSchedule.of(1e-3, 0.0, 10).lr(0), 0); // no warm-up: full rate at once
    assertEquals(1, CosineSchedule.of(1, 0.03, 5).warmupSteps()); // ceil(0.15)
  }

  static float[] toFloat(double[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
    return f;
  }
}
