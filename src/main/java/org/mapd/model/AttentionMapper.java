package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The trained part: image features -> soft prompt tokens (method.md §1). Thirteen tensors named as in
 * the authors' checkpoints, used functionally so the inner loop can pass fast weights.
 */
public final class AttentionMapper {
  private static final double LN_EPS = 1e-5;
  private static final double LEAKY_SLOPE = 0.01;

  private AttentionMapper() {}

  public static String key(int index) { return "model.mm_projector.vars." + index; }

  /** Names and shapes of vars.0..12, in index order. */
  public static Map<String, Shape> shapes(MapperConfig c) {
    Map<String, Shape> s = new LinkedHashMap<>();
    s.put(key(0), new Shape(c.prefixLength(), c.dimClip())); // soft prompts P
    for (int i = 1; i <= 5; i += 2) { // Wq,bq  Wk,bk  Wv,bv
      s.put(key(i), new Shape(c.dimLlm(), c.dimClip()));
      s.put(key(i + 1), new Shape(c.dimLlm()));
    }
    s.put(key(7), new Shape(c.dimLlm(), c.dimLlm())); // Wo
    s.put(key(8), new Shape(c.dimLlm()));
    for (int i = 9; i <= 12; i++) s.put(key(i), new Shape(c.dimLlm())); // LN1 g,b  LN2 g,b
    return s;
  }

  /** P ~ N(0,1), weights xavier_uniform, biases 0, LayerNorm 1/0; drawn from java.util.Random(seed). */
  public static Map<String, NDArray> init(MapperConfig config, NDManager manager, long seed) {
    Random random = new Random(seed);
    Map<String, NDArray> vars = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : shapes(config).entrySet()) {
      Shape s = e.getValue();
      int index = Integer.parseInt(e.getKey().substring(e.getKey().lastIndexOf('.') + 1));
      float[] values;
      if (index == 0) {
        values = Ops.normal(random, s.size(), 1.0);
      } else if (s.dimension() == 2) {
        double bound = Math.sqrt(6.0 / (s.get(0) + s.get(1)));
        values = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < values.length; i++) values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      } else {
        values = Ops.filled(s.size(), index == 9 || index == 11 ? 1f : 0f);
      }
      vars.put(e.getKey(), manager.create(values, s));
    }
    return vars;
  }

  /** features [B,N,dClip] -> [B,prefixLength,dLlm]. */
  public static NDArray forward(MapperConfig config, Map<String, NDArray> vars, NDArray features) {
    long b = features.getShape().get(0);
    NDArray prompts = var(vars, 0).expandDims(0).broadcast(b, config.prefixLength(), config.dimClip()); // [B,P,dClip]
    NDArray z = Ops.concat(prompts, features, 1); // [B,P+N,dClip], prompts first
    int heads = config.numHeads();
    NDArray q = Ops.splitHeads(Ops.linear(z, var(vars, 1), var(vars, 2)), heads); // [B,h,P+N,w]
    NDArray k = Ops.splitHeads(Ops.linear(z, var(vars, 3), var(vars, 4)), heads);
    NDArray v = Ops.splitHeads(Ops.linear(z, var(vars, 5), var(vars, 6)), heads);
    // The authors scale by 1/sqrt(dimClip), not by the head width.
    NDArray scale = Ops.scalar(z, 1.0 / Math.sqrt(config.dimClip()));
    NDArray o = Ops.mergeHeads(q.add(Ops.attention(q, k, v, scale, null))); // [B,P+N,dLlm]
    o = Ops.layerNorm(o, var(vars, 9), var(vars, 10), LN_EPS);
    o = o.add(Activation.leakyRelu(Ops.linear(o, var(vars, 7), var(vars, 8)), (float) LEAKY_SLOPE));
    o = Ops.layerNorm(o, var(vars, 11), var(vars, 12), LN_EPS);
    return o.get(":, :" + config.prefixLength()); // [B,P,dLlm]
  }

  private static NDArray var(Map<String, NDArray> vars, int index) {
    NDArray a = vars.get(key(index));
    if (a == null) throw new IllegalArgumentException("mapper: missing tensor " + key(index));
    return a;
  }
}
