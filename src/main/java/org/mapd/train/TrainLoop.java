package org.mapd.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mapd.Progress;
import org.mapd.conf.TrainConfig;
import org.mapd.model.Ops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one training loop of every stage: gradient accumulation, AdamW, cosine schedule, checkpoints and
 * exact resume. A stage supplies its data as numbered micro-steps per epoch and a loss for each.
 */
final class TrainLoop {
  private static final Logger LOG = LoggerFactory.getLogger(TrainLoop.class);
  private static final int LOSS_TAIL = 20;

  /** A stage's data order: deterministic in (epoch, micro). */
  interface Data {
    int epochs();

    int micros(int epoch);

    /**
     * Loss of one micro-step with {@code w} = leaf copies of the parameters (gradients are read from them
     * after the loop's backward). May run inner backward passes on other leaves through {@code gc}.
     */
    Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro);
  }

  /**
   * A micro-step's loss value and a scalar whose gradient with respect to the leaves is the loss's gradient:
   * the loss itself when it is one graph, or {@link Gradient#objective} when it was computed in pieces.
   */
  record Loss(double value, NDArray objective) {
    /** A loss that is one graph. */
    static Loss of(NDArray loss) {
      return new Loss(loss.getFloat(), loss);
    }
  }

  /** Trained parameters (owned by the manager given to {@link #run}), optimizer steps and last loss. */
  record Result(Map<String, NDArray> params, long steps, double finalLoss) {}

  private TrainLoop() {}

  static long totalSteps(TrainConfig cfg, Data data) {
    long total = 0;
    for (int e = 0; e < data.epochs(); e++) total += (data.micros(e) + cfg.gradAccum() - 1) / cfg.gradAccum();
    return cfg.maxSteps() > 0 ? Math.min(total, cfg.maxSteps()) : total;
  }

  /**
   * Trains {@code init} (taken over: updated in place) or, if {@code out} has a checkpoint, continues
   * from the newest one.
   */
  static Result run(TrainConfig cfg, Map<String, NDArray> init, boolean lslr, Data data, Path out, long seed,
      Progress progress, NDManager manager) {
    return run(cfg, init, lslr, data, new Checkpoints(out), seed, progress, manager);
  }

  /**
   * The same, with the checkpoint store given. A NaN or infinite loss, or a parameter that is no longer finite
   * when a checkpoint is due, stops the run with {@link NonFiniteLoss} before the optimizer applies it or the
   * checkpoint is written.
   */
  static Result run(TrainConfig cfg, Map<String, NDArray> init, boolean lslr, Data data, Checkpoints checkpoints,
      long seed, Progress progress, NDManager manager) {
    Map<String, NDArray> params = new LinkedHashMap<>(init);
    AdamW adam = new AdamW(cfg.weightDecay());
    long step = 0;
    int epoch = 0;
    int micro = 0;
    List<Double> tail = new ArrayList<>();
    String newest = null;
    Optional<Checkpoints.Loaded> resumed = checkpoints.loadNewest(manager);
    if (resumed.isPresent()) {
      Checkpoints.Loaded c = resumed.get();
      if (!c.params().keySet().equals(params.keySet())) {
        throw new IllegalStateException(c.dir() + ": parameters " + c.params().keySet() + " differ from " + params.keySet());
      }
      params.values().forEach(NDArray::close);
      params = c.params();
      adam.restore(c.state().adamSteps(), c.m(), c.v());
      step = c.state().step();
      epoch = c.state().epoch();
      micro = c.state().micro();
      tail.addAll(c.state().lossTail());
      LOG.info("resuming from {} (step {}, epoch {}, micro-step {})", c.dir(), step, epoch, micro);
      newest = c.dir().toString();
    }
    long total = totalSteps(cfg, data);
    CosineSchedule schedule = CosineSchedule.of(cfg.lr(), cfg.warmupRatio(), total);
    Map<String, NDArray> grads = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) grads.put(e.getKey(), manager.zeros(e.getValue().getShape()));
    double lastLoss = tail.isEmpty() ? Double.NaN : tail.get(tail.size() - 1);
    while (step < total && epoch < data.epochs()) {
      int n = data.micros(epoch);
      if (micro >= n) {
        epoch++;
        micro = 0;
        continue;
      }
      int group = Math.min(cfg.gradAccum(), n - micro);
      double lossSum = 0;
      for (int j = 0; j < group; j++) lossSum += microStep(params, grads, data, epoch, micro + j, cfg.gradAccum(), manager);
      if (!Double.isFinite(lossSum)) {
        throw new NonFiniteLoss("loss is " + lossSum, step + 1, epoch, micro, newest);
      }
      adam.step(params, grads, schedule.lr(step));
      grads.values().forEach(g -> g.muli(0));
      step++;
      micro += group;
      lastLoss = lossSum / group;
      tail.add(lastLoss);
      if (tail.size() > LOSS_TAIL) tail.remove(0);
      if (step % cfg.checkpointEvery() == 0 || step == total) {
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          if (!finite(e.getValue())) throw new NonFiniteLoss("parameter " + e.getKey() + " is not finite", step, epoch, micro, newest);
        }
        TrainState state = new TrainState(step, epoch, micro, adam.steps(), lslr, seed, List.copyOf(tail));
        newest = checkpoints.save(state, params, adam).toString();
      }
      progress.report(step, total, lastLoss, newest);
    }
    grads.values().forEach(NDArray::close);
    return new Result(params, step, lastLoss);
  }

  /** Whether every element is a finite number; the temporaries are freed at once. */
  static boolean finite(NDArray a) {
    try (NDScope scope = new NDScope()) {
      return !a.isNaN().logicalOr(a.isInfinite()).any().getBoolean();
    }
  }

  /** Forward + backward of one micro-step; adds its gradient (loss / gradAccum) to {@code grads}. */
  private static double microStep(Map<String, NDArray> params, Map<String, NDArray> grads, Data data, int epoch,
      int micro, int gradAccum, NDManager manager) {
    try (NDScope scope = new NDScope();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Map<String, NDArray> leaves = Ops.leaves(params);
      Loss loss = data.loss(leaves, gc, epoch, micro);
      NDArray scale = manager.full(new Shape(), 1f / gradAccum); // kept alive until after backward
      gc.backward(loss.objective().mul(scale));
      for (Map.Entry<String, NDArray> e : leaves.entrySet()) {
        NDArray g = e.getValue().getGradient();
        grads.get(e.getKey()).addi(g);
        g.close();
      }
      return loss.value();
    }
  }
}
