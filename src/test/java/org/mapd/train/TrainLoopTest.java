package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Progress;
import org.mapd.conf.TrainConfig;

/** Checkpoint resume gives the same parameters as an uninterrupted run (plain and MAPD-style losses). */
class TrainLoopTest {
  static TrainConfig config(int gradAccum, int checkpointEvery, int maxSteps) {
    return new TrainConfig(2, 0.05, 1, gradAccum, 0.2, 0.01, 16, 4, 4, 2, 0.1, 2, 0, maxSteps, checkpointEvery, 0);
  }

  /** Quadratic losses whose targets depend only on (epoch, micro), like a seeded data order. */
  record Toy(boolean meta) implements TrainLoop.Data {
    @Override
    public int epochs() {
      return 2;
    }

    @Override
    public int micros(int epoch) {
      return 5;
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro) {
      Random r = new Random(epoch * 100L + micro);
      double[][] x = new double[MetaLearnerTest.X.length][3];
      for (double[] row : x) for (int i = 0; i < 3; i++) row[i] = r.nextGaussian();
      NDManager manager = w.get("t").getManager();
      var loss = MetaLearnerTest.loss(manager);
      var shifted = (java.util.function.BiFunction<Map<String, NDArray>, List<Integer>, NDArray>) (m, ex) -> {
        float[][] xs = new float[ex.size()][];
        for (int i = 0; i < ex.size(); i++) xs[i] = AdamWTest.toFloat(x[ex.get(i)]);
        return m.get("t").sub(manager.create(xs)).square().sum(new int[] {1}).mean().add(loss.apply(m, ex));
      };
      if (!meta) return TrainLoop.Loss.of(shifted.apply(w, List.of(0, 1, 2)));
      return MetaLearner.queryLoss(w, List.of(0, 1, 2, 3), List.of(4, 5), 2, 2, true, gc,
          (at, ex, c) -> Gradient.byBackward(at, c, m -> shifted.apply(m, ex)));
    }
  }

  static Map<String, NDArray> init(NDManager manager, boolean meta) {
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("t", manager.create(new float[] {0.5f, -0.5f, 1f}));
    if (meta) p.putAll(MetaLearner.initRates(List.of("t"), 2, 0.1, manager));
    return p;
  }

  static Map<String, float[]> values(Map<String, NDArray> p) {
    Map<String, float[]> v = new LinkedHashMap<>();
    p.forEach((k, a) -> v.put(k, a.toFloatArray()));
    return v;
  }

  @Test
  void resumedRunEqualsUninterrupted(@TempDir Path dir) {
    for (boolean meta : new boolean[] {false, true}) {
      TrainConfig cfg = config(2, 2, 0);
      try (NDManager manager = NDManager.newBaseManager()) {
        List<Long> steps = new ArrayList<>();
        TrainLoop.Result full = TrainLoop.run(cfg, init(manager, meta), meta, new Toy(meta), dir.resolve("full" + meta), 1,
            (s, t, l, c) -> steps.add(s), manager);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps); // 2 epochs x ceil(5 / 2)
        Path out = dir.resolve("cut" + meta);
        Progress stopAtThree = (s, t, l, c) -> {
          if (s == 3) throw new IllegalStateException("killed");
        };
        assertThrows(IllegalStateException.class,
            () -> TrainLoop.run(cfg, init(manager, meta), meta, new Toy(meta), out, 1, stopAtThree, manager));
        assertEquals(1, new Checkpoints(out).complete().size()); // step 2 only; step 3 is redone
        TrainLoop.Result resumed = TrainLoop.run(cfg, init(manager, meta), meta, new Toy(meta), out, 1, Progress.NONE, manager);
        assertEquals(6, resumed.steps());
        Map<String, float[]> a = values(full.params());
        Map<String, float[]> b = values(resumed.params());
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), 1e-7f, k);
        assertEquals(full.finalLoss(), resumed.finalLoss(), 1e-9);
        if (meta) assertTrue(Math.abs(a.get(MetaLearner.rateKey("t"))[0] - 0.1f) > 1e-4, "rates are trained");
        List<Path> kept = new Checkpoints(out).complete();
        assertEquals(List.of("step-0000004", "step-0000006"), kept.stream().map(p -> p.getFileName().toString()).toList());
        // a finished run resumes to the end at once and changes nothing
        TrainLoop.Result again = TrainLoop.run(cfg, init(manager, meta), meta, new Toy(meta), out, 1, Progress.NONE, manager);
        for (String k : a.keySet()) assertArrayEquals(a.get(k), values(again.params()).get(k), 0f, k);
      }
    }
  }

  @Test
  void maxStepsCapsTheRun(@TempDir Path dir) {
    try (NDManager manager = NDManager.newBaseManager()) {
      List<Long> totals = new ArrayList<>();
      TrainLoop.Result r = TrainLoop.run(config(1, 10, 4), init(manager, false), false, new Toy(false), dir, 1,
          (s, t, l, c) -> totals.add(t), manager);
      assertEquals(4, r.steps());
      assertEquals(List.of(4L, 4L, 4L, 4L), totals);
      assertEquals(1, new Checkpoints(dir).complete().size()); // the last step always checkpoints
    }
  }
}
