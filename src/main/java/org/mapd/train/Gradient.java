package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mapd.model.Ops;

/**
 * A loss value and its gradient with respect to named tensors, as constants. Gradients are computed on
 * detached copies, micro-batch by micro-batch, and only then carried into a graph by
 * {@link #objective}: a graph's backward can run once, and MAPD's query loss must reach theta and the
 * learned rates through the fast weights however many micro-batches the query set needs.
 */
record Gradient(double loss, Map<String, NDArray> grads) {
  /** A batch's loss and gradient at some tensors (which may carry a graph: only their values are used). */
  interface Fn<E> {
    Gradient at(Map<String, NDArray> at, List<E> batch, GradientCollector gc);
  }

  /**
   * sum_k <at_k, grads_k>: a scalar whose gradient through the graph that produced {@code at} is the chain
   * rule applied to this gradient (at_k itself gets exactly grads_k).
   */
  NDArray objective(Map<String, NDArray> at) {
    NDArray sum = null;
    for (Map.Entry<String, NDArray> e : grads.entrySet()) {
      NDArray term = at.get(e.getKey()).mul(e.getValue()).sum();
      sum = sum == null ? term : sum.add(term);
    }
    if (sum == null) throw new IllegalStateException("gradient of no tensor");
    return sum;
  }

  /** The weighted sum of gradients of the same tensors, e.g. a mean over tasks or support chunks. */
  static Gradient weighted(List<Gradient> parts, double weight) {
    double loss = 0;
    Map<String, NDArray> sum = new LinkedHashMap<>();
    for (Gradient g : parts) {
      loss += weight * g.loss;
      g.grads.forEach((k, a) -> {
        NDArray scaled = a.mul(weight); // constants: the Java-number overload is safe without a graph
        NDArray acc = sum.get(k);
        if (acc == null) sum.put(k, scaled);
        else acc.addi(scaled);
      });
    }
    return new Gradient(loss, sum);
  }

  /** The same tensors without their graph (values for a pass that must not record one). */
  static Map<String, NDArray> values(Map<String, NDArray> at) {
    Map<String, NDArray> v = new LinkedHashMap<>();
    at.forEach((k, a) -> v.put(k, a.stopGradient()));
    return v;
  }

  /** By one backward of a loss built on detached copies of {@code at} (small losses: tests, the warm-up). */
  static Gradient byBackward(Map<String, NDArray> at, GradientCollector gc, Function<Map<String, NDArray>, NDArray> loss) {
    Map<String, NDArray> leaves = Ops.leaves(at);
    NDArray l = loss.apply(leaves);
    double value = l.getFloat();
    gc.backward(l);
    Map<String, NDArray> grads = new LinkedHashMap<>();
    leaves.forEach((k, leaf) -> grads.put(k, leaf.getGradient()));
    return new Gradient(value, grads);
  }

  /** Zeros shaped like {@code at}, to accumulate into. */
  static Map<String, NDArray> zeros(Map<String, NDArray> at, NDManager manager) {
    Map<String, NDArray> z = new LinkedHashMap<>();
    at.forEach((k, a) -> z.put(k, manager.zeros(a.getShape())));
    return z;
  }
}
