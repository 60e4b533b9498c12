package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Qwen2 decoder forward pass over named HF tensors (model.*, lm_head), method.md §9. */
public final class Qwen2Decoder {
  /** Additive mask value: finite, so a fully masked row gives a uniform softmax instead of NaN. */
  private static final float MASKED = -1e9f;
  private final DecoderConfig config;

  public Qwen2Decoder(DecoderConfig config) { this.config = config; }

  public DecoderConfig config() { return config; }

  /** HF names and shapes; lm_head only when the embeddings are not tied. */
  public static Map<String, Shape> shapes(DecoderConfig c) {
    int h = c.hiddenSize();
    int kv = c.numKeyValueHeads() * c.headDim();
    Map<String, Shape> s = new LinkedHashMap<>();
    s.put("model.embed_tokens.weight", new Shape(c.vocabSize(), h));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String l = layer(i);
      s.put(l + "input_layernorm.weight", new Shape(h));
      s.put(l + "self_attn.q_proj.weight", new Shape(h, h));
      s.put(l + "self_attn.q_proj.bias", new Shape(h));
      s.put(l + "self_attn.k_proj.weight", new Shape(kv, h));
      s.put(l + "self_attn.k_proj.bias", new Shape(kv));
      s.put(l + "self_attn.v_proj.weight", new Shape(kv, h));
      s.put(l + "self_attn.v_proj.bias", new Shape(kv));
      s.put(l + "self_attn.o_proj.weight", new Shape(h, h));
      s.put(l + "post_attention_layernorm.weight", new Shape(h));
      s.put(l + "mlp.gate_proj.weight", new Shape(c.intermediateSize(), h));
      s.put(l + "mlp.up_proj.weight", new Shape(c.intermediateSize(), h));
      s.put(l + "mlp.down_proj.weight", new Shape(h, c.intermediateSize()));
    }
    s.put("model.norm.weight", new Shape(h));
    if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new Shape(c.vocabSize(), h));
    return s;
  }

  /** Mini warm-up init: N(0, 0.02) weights, zero biases, RMSNorm weights 1, from java.util.Random(seed). */
  public static Map<String, NDArray> init(DecoderConfig config, NDManager manager, long seed) {
    return Ops.initNamed(shapes(config), name -> name.endsWith("layernorm.weight") || name.equals("model.norm.weight")
        ? Float.valueOf(1f) : name.endsWith(".bias") ? Float.valueOf(0f) : null, manager, seed);
  }

  /** Token embeddings: ids [B,T] (int) -> [B,T,H]. */
  public NDArray embed(Map<String, NDArray> w, NDArray ids) {
    return Ops.rows(get(w, "model.embed_tokens.weight"), ids);
  }

  /**
   * Decoder stack + final norm. embeds [B,T,H]; keyMask [B][T] true = may be attended (null = all); with a
   * cache, positions continue after the cached ones and new keys/values are appended to it.
   *
   * @return hidden states after model.norm [B,T,H]
   */
  public NDArray forward(Map<String, NDArray> w, NDArray embeds, boolean[][] keyMask, KvCache cache) {
    return run(w, embeds, keyMask, cache, null);
  }

  /**
   * As {@link #forward}, keeping every hidden state in HF's output_hidden_states convention: L+1 arrays [B,T,H],
   * 0 = embeds, k = after layer k for k < L, L = after model.norm (the last layer's raw output is not kept).
   */
  public NDList hiddenStates(Map<String, NDArray> w, NDArray embeds, boolean[][] keyMask, KvCache cache) {
    NDList states = new NDList(embeds);
    states.add(run(w, embeds, keyMask, cache, states));
    return states;
  }

  /** The decoder stack; adds the output of every layer but the last to {@code states} when it is not null. */
  private NDArray run(Map<String, NDArray> w, NDArray embeds, boolean[][] keyMask, KvCache cache, NDList states) {
    Context ctx = context(embeds, keyMask, cache);
    NDArray x = embeds;
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      // Each layer's intermediates (a prompt's [T,T] scores among them) are freed when the layer is done;
      // what backward needs stays referenced by the graph, not by these handles.
      NDArray next;
      try (NDScope layer = new NDScope()) {
        next = layer(w, i, x, ctx, cache);
        NDScope.unregister(next);
        if (cache != null) cache.unregister(i);
      }
      NDScope.register(next);
      if (cache != null) cache.register(i);
      if (x != embeds && states == null) { // hidden states are kept for the caller
        NDScope.unregister(x);
        x.close();
      }
      x = next;
      if (states != null && i + 1 < config.numHiddenLayers()) states.add(x);
    }
    if (cache != null) cache.advance(ctx.t);
    return Ops.rmsNorm(x, get(w, "model.norm.weight"), config.rmsNormEps());
  }

  /** What every layer of one forward pass shares: RoPE tables, the additive mask and the score scale. */
  private record Context(int t, NDArray[] rope, NDArray mask, NDArray scale) {}

  private Context context(NDArray embeds, boolean[][] keyMask, KvCache cache) {
    int b = Math.toIntExact(embeds.getShape().get(0));
    int t = Math.toIntExact(embeds.getShape().get(1));
    int past = cache == null ? 0 : cache.length();
    NDArray[] rope = rope(embeds.getManager(), past, t); // cos, sin [T,d]
    NDArray mask = mask(embeds.getManager(), keyMask, b, past, t); // [B,1,T,past+T]
    return new Context(t, rope, mask, Ops.scalar(embeds, 1.0 / Math.sqrt(config.headDim())));
  }

  /** Decoder layer {@code i}: x [B,T,H] -> [B,T,H]. */
  private NDArray layer(Map<String, NDArray> w, int i, NDArray x, Context ctx, KvCache cache) {
    NDArray[] kv = keysValues(w, i, x, ctx); // [B,kv,T,d] each
    if (cache != null) kv = cache.append(i, kv[0], kv[1]); // [B,kv,past+T,d]
    return rows(w, i, x, repeatHeads(kv[0]), repeatHeads(kv[1]), ctx, 0);
  }

  /** Rotated keys and values of layer {@code i} for the rows of x: two [B,kv,T,d]. */
  private NDArray[] keysValues(Map<String, NDArray> w, int i, NDArray x, Context ctx) {
    String l = layer(i);
    int kvHeads = config.numKeyValueHeads();
    NDArray n = Ops.rmsNorm(x, get(w, l + "input_layernorm.weight"), config.rmsNormEps());
    NDArray k = rotate(Ops.splitHeads(proj(w, l + "self_attn.k_proj", n, true), kvHeads), ctx.rope); // [B,kv,T,d]
    NDArray v = Ops.splitHeads(proj(w, l + "self_attn.v_proj", n, true), kvHeads); // [B,kv,T,d]
    return new NDArray[] {k, v};
  }

  /** GQA: query head j reads kv head j / (heads / kvHeads): [B,kv,T,d] -> [B,h,T,d]. */
  private NDArray repeatHeads(NDArray kv) {
    int heads = config.numAttentionHeads();
    int kvHeads = config.numKeyValueHeads();
    return heads == kvHeads ? kv : kv.repeat(1, heads / kvHeads);
  }

  /**
   * Layer {@code i} for the query rows x [B,r,H] that start at row {@code from} of the pass, given every
   * key and value they may attend to ([B,h,Tk,d]): attention, then the row-wise rest of the layer. -> [B,r,H]
   */
  private NDArray rows(Map<String, NDArray> w, int i, NDArray x, NDArray k, NDArray v, Context ctx, int from) {
    String l = layer(i);
    int r = Math.toIntExact(x.getShape().get(1));
    boolean all = from == 0 && r == ctx.t;
    NDArray[] rope = all ? ctx.rope : new NDArray[] {ctx.rope[0].get(from + ":" + (from + r)), ctx.rope[1].get(from + ":" + (from + r))};
    NDArray mask = all ? ctx.mask : ctx.mask.get(":, :, " + from + ":" + (from + r)); // [B,1,r,Tk]
    NDArray n = Ops.rmsNorm(x, get(w, l + "input_layernorm.weight"), config.rmsNormEps());
    NDArray q = rotate(Ops.splitHeads(proj(w, l + "self_attn.q_proj", n, true), config.numAttentionHeads()), rope); // [B,h,r,d]
    x = x.add(proj(w, l + "self_attn.o_proj", Ops.mergeHeads(Ops.attention(q, k, v, ctx.scale, mask)), false));
    n = Ops.rmsNorm(x, get(w, l + "post_attention_layernorm.weight"), config.rmsNormEps());
    NDArray g = proj(w, l + "mlp.gate_proj", n, false); // [B,r,inter]
    NDArray gate = g.mul(Activation.sigmoid(g)); // silu; DJL's swish multiplies by a Java number (djl.md)
    return x.add(proj(w, l + "mlp.down_proj", gate.mul(proj(w, l + "mlp.up_proj", n, false)), false));
  }

  /** Query rows per attention block in recompute passes (tests shrink it). */
  static int attentionRows = 512;

  /**
   * Layer {@code i} without a graph, {@link #attentionRows} query rows at a time: attention scores exist
   * for one block of rows, never for the whole [T,T] square.
   */
  private NDArray blockedLayer(Map<String, NDArray> w, int i, NDArray x, Context ctx) {
    NDArray[] kv = keysValues(w, i, x, ctx);
    NDArray k = repeatHeads(kv[0]);
    NDArray v = repeatHeads(kv[1]);
    NDList out = new NDList();
    for (int from = 0; from < ctx.t; from += attentionRows) {
      int to = Math.min(ctx.t, from + attentionRows);
      try (NDScope block = new NDScope()) { // frees this block's scores before the next block's
        NDArray rows = rows(w, i, x.get(":, " + from + ":" + to), k, v, ctx, from);
        NDScope.unregister(rows);
        out.add(rows);
      }
    }
    NDArray joined = NDArrays.concat(out, 1);
    out.forEach(NDArray::close);
    return joined;
  }

  /**
   * Backward of layer {@code i} from its kept input, block by block: {@code leaf} [B,T,H] records gradients,
   * {@code g} [B,T,H] is d objective / d output. Keys and values are computed once and cut loose as leaves of
   * their own, so each block of query rows runs its own small graph backward (their gradients reach the
   * keys and values through those leaves, and the rows' own path reaches {@code leaf}); a last backward then
   * carries the keys' and values' gradients into {@code leaf}.
   */
  private void blockedLayerBackward(Map<String, NDArray> w, int i, NDArray leaf, NDArray g, Context ctx,
      GradientCollector gc) {
    NDArray[] kv = keysValues(w, i, leaf, ctx); // with a graph from leaf
    NDArray kLeaf = Ops.leaf(kv[0]);
    NDArray vLeaf = Ops.leaf(kv[1]);
    for (int from = 0; from < ctx.t; from += attentionRows) {
      int to = Math.min(ctx.t, from + attentionRows);
      try (NDScope block = new NDScope()) {
        String rows = ":, " + from + ":" + to;
        NDArray out = rows(w, i, leaf.get(rows), repeatHeads(kLeaf), repeatHeads(vLeaf), ctx, from);
        gc.backward(out.mul(g.get(rows)).sum()); // vector-Jacobian product with this block's rows of g
      }
    }
    gc.backward(kv[0].mul(kLeaf.getGradient()).sum().add(kv[1].mul(vLeaf.getGradient()).sum()));
  }

  /** An objective's value and its gradient with respect to the decoder's input embeddings. */
  public record InputGradient(double value, NDArray gradient) {}

  /**
   * A scalar objective of the final hidden states that runs its own backward (for instance in chunks of
   * rows, so that lm_head's logits never exist for the whole sequence) and returns its value.
   */
  public interface Objective {
    double backward(NDArray normedHidden, GradientCollector gc);
  }

  /**
   * Gradient of {@code objective(forward(embeds))} with respect to {@code embeds} [B,T,H] (a constant: no
   * graph), by backward with activation checkpointing: the forward runs without a graph and keeps only each
   * layer's input; the backward runs the objective on the last hidden state, then every layer again from its
   * kept input, last layer first, chaining vector-Jacobian products. Attention runs {@link #attentionRows}
   * query rows at a time in both passes. Peak memory is L layer inputs plus one layer's activations for one
   * block of rows, instead of L layers' activations with [T,T] attention scores each, for one more forward
   * pass. The weights are frozen: only input gradients are computed.
   *
   * @param objective of the hidden states after model.norm [B,T,H]
   * @param gc the open gradient collector (one per JVM, djl.md)
   * @return the objective's value and d objective / d embeds [B,T,H]; arrays belong to the caller's scope
   */
  public InputGradient recomputedGradient(Map<String, NDArray> w, NDArray embeds, boolean[][] keyMask,
      Objective objective, GradientCollector gc) {
    int layers = config.numHiddenLayers();
    NDArray[] inputs = new NDArray[layers + 1]; // inputs[i] = input of layer i; inputs[L] = last output
    inputs[0] = embeds;
    double value;
    NDArray g; // d objective / d inputs[i], walking down
    try (NDScope pass = new NDScope()) {
      Context ctx = context(embeds, keyMask, null);
      for (int i = 0; i < layers; i++) {
        try (NDScope step = new NDScope()) {
          inputs[i + 1] = blockedLayer(w, i, inputs[i], ctx);
          NDScope.unregister(inputs[i + 1]);
        }
      }
      try (NDScope head = new NDScope()) {
        NDArray leaf = Ops.leaf(inputs[layers]);
        value = objective.backward(Ops.rmsNorm(leaf, get(w, "model.norm.weight"), config.rmsNormEps()), gc);
        g = kept(leaf.getGradient());
      }
      for (int i = layers - 1; i >= 0; i--) {
        try (NDScope step = new NDScope()) {
          NDArray leaf = Ops.leaf(inputs[i]);
          blockedLayerBackward(w, i, leaf, g, ctx, gc);
          g.close();
          g = kept(leaf.getGradient());
        }
        inputs[i + 1].close();
      }
    }
    NDScope.register(g); // owned by the caller's scope, like any other result
    return new InputGradient(value, g);
  }

  /** A copy of a gradient that outlives the scope it was read in. */
  private static NDArray kept(NDArray gradient) {
    NDArray copy = gradient.duplicate();
    NDScope.unregister(copy);
    gradient.close();
    return copy;
  }

  /** lm_head (or the tied embeddings): hidden [..., H] -> logits [..., V]. */
  public NDArray logits(Map<String, NDArray> w, NDArray hidden) {
    String head = config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    return Ops.linear(hidden, get(w, head), null);
  }

  /**
   * The tokens continuing a prompt whose keys and values are in {@code cache}, from its last position's hidden
   * state [1,1,H], each picked by {@code decoding} and fed back through the cache; the end id is not returned.
   */
  public int[] generate(Map<String, NDArray> w, NDArray last, KvCache cache, Decoding decoding) {
    List<Integer> produced = new ArrayList<>();
    NDManager m = last.getManager();
    while (produced.size() < decoding.maxNewTokens()) {
      float[] logits = logits(w, last).toType(DataType.FLOAT32, false).toFloatArray(); // [V]
      int next = decoding.next(logits, produced);
      if (decoding.ends(next)) break;
      produced.add(next);
      if (produced.size() == decoding.maxNewTokens()) break;
      last = forward(w, embed(w, ids(m, new int[] {next}, 1, 1)), null, cache); // [1,1,H]
    }
    return produced.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Rotate-half RoPE tables for positions past..past+t-1: inv_freq_i = theta^(-2i/d), halves duplicated. */
  private NDArray[] rope(NDManager manager, int past, int t) {
    int d = config.headDim();
    float[] cos = new float[t * d];
    float[] sin = new float[t * d];
    for (int p = 0; p < t; p++) {
      for (int i = 0; i < d / 2; i++) {
        double angle = (past + p) * Math.pow(config.ropeTheta(), -2.0 * i / d);
        cos[p * d + i] = cos[p * d + i + d / 2] = (float) Math.cos(angle);
        sin[p * d + i] = sin[p * d + i + d / 2] = (float) Math.sin(angle);
      }
    }
    return new NDArray[] {manager.create(cos, new Shape(t, d)), manager.create(sin, new Shape(t, d))};
  }

  private static NDArray rotate(NDArray x, NDArray[] rope) {
    var halves = x.split(2, 3); // two [B,h,T,d/2]
    NDArray rotated = Ops.concat(halves.get(1).neg(), halves.get(0), 3); // [B,h,T,d]
    return x.mul(rope[0]).add(rotated.mul(rope[1]));
  }

  /** Causal + key-padding additive mask [B,1,T,past+T]; cached positions are always visible. */
  private static NDArray mask(NDManager manager, boolean[][] keyMask, int b, int past, int t) {
    int total = past + t;
    float[] m = new float[b * t * total];
    for (int s = 0; s < b; s++) {
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < total; j++) {
          boolean visible = j <= past + i && (keyMask == null || j < past || keyMask[s][j - past]);
          m[(s * t + i) * total + j] = visible ? 0f : MASKED;
        }
      }
    }
    return manager.create(m, new Shape(b, 1, t, total));
  }

  private static NDArray proj(Map<String, NDArray> w, String name, NDArray x, boolean bias) {
    return Ops.linear(x, get(w, name + ".weight"), bias ? get(w, name + ".bias") : null);
  }

  private static String layer(int i) { return "model.layers." + i + "."; }

  static NDArray get(Map<String, NDArray> w, String name) {
    NDArray a = w.get(name);
    if (a == null) throw new IllegalArgumentException("decoder: missing tensor " + name);
    return a;
  }

  static NDArray ids(NDManager manager, int[] ids, int b, int t) {
    return manager.create(ids, new Shape(b, t)).toType(DataType.INT64, false);
  }
}
