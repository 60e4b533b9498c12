package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MAPD's first-order MAML with learned per-step inner learning rates (LSLR, method.md §3). For one task:
 * fast = theta; per inner step the support gradient g is taken on a detached leaf copy of fast (first
 * order: no gradient through g), then fast = fast - alpha[name][k] * g stays in the outer graph, so the
 * query loss differentiates into theta (identity path) and into every alpha[name][k] (through alpha * g).
 * Every gradient is taken micro-batch by micro-batch on detached copies ({@link Gradient}), so the support
 * and query sets may be any size the device allows.
 */
final class MetaLearner {
  /** Key of a tensor's learned rates, as the authors' state dict names them. */
  static String rateKey(String tensor) {
    return "inner_loop_optimizer.names_learning_rates_dict." + tensor.replace('.', '-');
  }

  static boolean isRate(String key) {
    return key.startsWith("inner_loop_optimizer.");
  }

  /** One rate vector of length innerSteps + 1 per tensor, all initialised to {@code innerLr}. */
  static Map<String, NDArray> initRates(Iterable<String> tensors, int innerSteps, double innerLr, NDManager manager) {
    Map<String, NDArray> rates = new LinkedHashMap<>();
    for (String t : tensors) rates.put(rateKey(t), manager.full(new Shape(innerSteps + 1), (float) innerLr));
    return rates;
  }

  /**
   * @param w theta and their rates under {@link #rateKey}, as leaves
   * @param lastChunkOnly the authors' quirk: each inner update uses only the last support chunk's gradient
   * @param gradient a batch's token-mean loss and its gradient at some mapper tensors
   * @return the query loss after the last inner step, and an objective whose gradient reaches theta
   *     (identity path) and every rate (through alpha * g)
   */
  static <E> TrainLoop.Loss queryLoss(Map<String, NDArray> w, List<E> support, List<E> query, int innerSteps,
      int chunks, boolean lastChunkOnly, GradientCollector gc, Gradient.Fn<E> gradient) {
    Map<String, NDArray> fast = new LinkedHashMap<>();
    w.forEach((k, a) -> {
      if (!isRate(k)) fast.put(k, a);
    });
    List<List<E>> parts = split(support, chunks);
    for (int k = 0; k < innerSteps; k++) {
      Map<String, NDArray> g = supportGradient(fast, parts, lastChunkOnly, gc, gradient);
      for (Map.Entry<String, NDArray> e : g.entrySet()) {
        NDArray alpha = w.get(rateKey(e.getKey())).get(k); // [] learned rate of this tensor at step k
        fast.put(e.getKey(), fast.get(e.getKey()).sub(alpha.mul(e.getValue())));
      }
    }
    Gradient q = gradient.at(fast, query, gc);
    return new TrainLoop.Loss(q.loss(), q.objective(fast));
  }

  /** Support gradient at {@code fast}, as constants; mean over chunks, or the last chunk only. */
  static <E> Map<String, NDArray> supportGradient(Map<String, NDArray> fast, List<List<E>> parts,
      boolean lastChunkOnly, GradientCollector gc, Gradient.Fn<E> gradient) {
    // The authors compute every chunk's gradient but keep only the last (acc_grads is rebound locally);
    // computing only that chunk gives the same update.
    List<List<E>> used = lastChunkOnly ? List.of(parts.get(parts.size() - 1)) : parts;
    List<Gradient> each = new ArrayList<>();
    for (List<E> part : used) each.add(gradient.at(fast, part, gc));
    return Gradient.weighted(each, 1.0 / used.size()).grads();
  }

  /** Consecutive chunks of near-equal size (the first ones one larger when the size does not divide). */
  static <E> List<List<E>> split(List<E> items, int chunks) {
    int n = Math.max(1, Math.min(chunks, items.size()));
    List<List<E>> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < n; i++) {
      int size = items.size() / n + (i < items.size() % n ? 1 : 0);
      parts.add(items.subList(start, start + size));
      start += size;
    }
    return parts;
  }
}
