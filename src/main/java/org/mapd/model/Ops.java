package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Tensor building blocks shared by the three forward passes. */
public final class Ops {
  private Ops() {}

  /** A detached copy of {@code a} that records gradients: a backward from it stops here, not in {@code a}'s graph. */
  public static NDArray leaf(NDArray a) {
    NDArray leaf = a.stopGradient().duplicate();
    leaf.setRequiresGradient(true);
    return leaf;
  }

  /** {@link #leaf} of every tensor, same names, same order. */
  public static Map<String, NDArray> leaves(Map<String, NDArray> at) {
    Map<String, NDArray> leaves = new LinkedHashMap<>();
    at.forEach((k, a) -> leaves.put(k, leaf(a)));
    return leaves;
  }

  /**
   * A 0-d constant on the manager of {@code like}. Java-number overloads (mul(Number) ...) free their
   * temporary before backward and corrupt gradients (djl.md), so every constant goes through here; inside
   * an NDScope it lives until the scope closes, i.e. past backward.
   */
  static NDArray scalar(NDArray like, double v) {
    return like.getManager().full(new Shape(), (float) v);
  }

  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return bias == null ? Linear.linear(x, weight).head() : Linear.linear(x, weight, bias).head();
  }

  static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
    return LayerNorm.layerNorm(x, new Shape(x.getShape().get(x.getShape().dimension() - 1)), gamma, beta, (float) eps)
        .head();
  }

  /** Rows of {@code table} [N, H] picked by integer {@code rows} [...] -> [..., H]; differentiable in table. */
  static NDArray rows(NDArray table, NDArray rows) {
    return Embedding.embedding(rows, table, SparseFormat.DENSE).head();
  }

  /** x * rsqrt(mean(x^2) + eps) * w, over the last axis. */
  static NDArray rmsNorm(NDArray x, NDArray w, double eps) {
    NDArray variance = x.square().mean(new int[] {-1}, true); // [..., 1]
    return x.div(variance.add(scalar(x, eps)).sqrt()).mul(w);
  }

  /** Softmax attention per head: q [B,h,Tq,d], k/v [B,h,Tk,d], additive mask broadcastable to [B,h,Tq,Tk] or null. */
  static NDArray attention(NDArray q, NDArray k, NDArray v, NDArray scale, NDArray mask) {
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // [B,h,Tq,Tk]
    if (mask != null) scores = scores.add(mask);
    return scores.softmax(-1).matMul(v); // [B,h,Tq,d]
  }

  /** [B,T,h*d] -> [B,h,T,d]. */
  static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /** [B,h,T,d] -> [B,T,h*d]. */
  static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  static NDArray concat(NDArray a, NDArray b, int axis) {
    return NDArrays.concat(new NDList(a, b), axis);
  }

  /**
   * Mini warm-up init over named shapes, in map order from one java.util.Random(seed): {@code constant}
   * gives 1 or 0 for norm and bias tensors (null otherwise), every other tensor is N(0, 0.02).
   */
  static Map<String, NDArray> initNamed(Map<String, Shape> shapes, java.util.function.Function<String, Float> constant,
      ai.djl.ndarray.NDManager manager, long seed) {
    Random random = new Random(seed);
    Map<String, NDArray> w = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      long n = e.getValue().size();
      Float c = constant.apply(e.getKey());
      w.put(e.getKey(), manager.create(c == null ? normal(random, n, 0.02) : filled(n, c), e.getValue()));
    }
    return w;
  }

  /** Deterministic N(0, std) values from java.util.Random, so an init does not depend on the engine's RNG. */
  static float[] normal(Random random, long count, double std) {
    float[] out = new float[Math.toIntExact(count)];
    for (int i = 0; i < out.length; i++) out[i] = (float) (random.nextGaussian() * std);
    return out;
  }

  static float[] filled(long count, float value) {
    float[] out = new float[Math.toIntExact(count)];
    java.util.Arrays.fill(out, value);
    return out;
  }

  static long parameterCount(Map<String, Shape> shapes) {
    return shapes.values().stream().mapToLong(Shape::size).sum();
  }
}
