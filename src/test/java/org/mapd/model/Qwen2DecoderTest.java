package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class Qwen2DecoderTest {
  static NDManager manager;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  static DecoderConfig tiny(boolean tied) {
    return new DecoderConfig(16, 24, 2, 4, 2, 50, 128, 1e-6, 10000.0, tied);
  }

  /** Init with std 0.3 instead of 0.02-scaled weights, and non-trivial norms/biases, so every term matters. */
  static Map<String, NDArray> weights(DecoderConfig c, long seed) {
    return weightsOn(manager, c, seed);
  }

  static Map<String, NDArray> weightsOn(NDManager manager, DecoderConfig c, long seed) {
    Map<String, NDArray> w = new LinkedHashMap<>();
    Random r = new Random(seed);
    for (Map.Entry<String, Shape> e : Qwen2Decoder.shapes(c).entrySet()) {
      float[] v = new float[(int) e.getValue().size()];
      boolean norm = e.getKey().endsWith("layernorm.weight") || e.getKey().equals("model.norm.weight");
      for (int i = 0; i < v.length; i++) v[i] = (float) ((norm ? 1 : 0) + 0.3 * r.nextGaussian());
      w.put(e.getKey(), manager.create(v, e.getValue()));
    }
    return w;
  }

  static float[] logits(Qwen2Decoder d, Map<String, NDArray> w, int[] ids) {
    NDArray embeds = d.embed(w, Qwen2Decoder.ids(manager, ids, 1, ids.length));
    return d.logits(w, d.forward(w, embeds, null, null)).toFloatArray();
  }

  @Test
  void forwardMatchesPlainJavaReferenceUntiedAndTied() {
    for (boolean tied : new boolean[] {false, true}) {
      DecoderConfig c = tiny(tied);
      Map<String, NDArray> w = weights(c, tied ? 3 : 4);
      int[] ids = {5, 17, 3, 42, 8, 8, 0, 23};
      double[] expected = Ref.flatten(reference(c, w, ids));
      float[] actual = logits(new Qwen2Decoder(c), w, ids);
      double err = Ref.maxAbsDiff(expected, actual);
      assertTrue(err < 1e-4, "tied=" + tied + " max abs diff " + err);
    }
  }

  @Test
  void laterTokensDoNotChangeEarlierLogits() {
    DecoderConfig c = tiny(false);
    Map<String, NDArray> w = weights(c, 5);
    Qwen2Decoder d = new Qwen2Decoder(c);
    float[] a = logits(d, w, new int[] {1, 2, 3, 4, 5, 6});
    float[] b = logits(d, w, new int[] {1, 2, 3, 4, 9, 11});
    int v = c.vocabSize();
    for (int i = 0; i < 4 * v; i++) assertEquals(a[i], b[i], 1e-5, "position " + i / v);
    double changed = 0;
    for (int i = 4 * v; i < 6 * v; i++) changed = Math.max(changed, Math.abs(a[i] - b[i]));
    assertTrue(changed > 1e-3, "the changed positions must differ");
  }

  @Test
  void paddingKeysAreIgnored() {
    DecoderConfig c = tiny(false);
    Map<String, NDArray> w = weights(c, 6);
    Qwen2Decoder d = new Qwen2Decoder(c);
    int[] ids = {7, 8, 9, 0, 0, 10}; // positions 3 and 4 masked out as keys
    boolean[][] mask = {{true, true, true, false, false, true}};
    NDArray embeds = d.embed(w, Qwen2Decoder.ids(manager, ids, 1, 6));
    float[] masked = d.logits(w, d.forward(w, embeds, mask, null)).toFloatArray();
    int[] other = {7, 8, 9, 31, 32, 10};
    NDArray embeds2 = d.embed(w, Qwen2Decoder.ids(manager, other, 1, 6));
    float[] masked2 = d.logits(w, d.forward(w, embeds2, mask, null)).toFloatArray();
    int v = c.vocabSize();
    for (int i = 5 * v; i < 6 * v; i++) assertEquals(masked[i], masked2[i], 1e-5, "last position ignores masked keys");
  }

  @Test
  void kvCacheIncrementalLogitsEqualFullForward() {
    DecoderConfig c = tiny(false);
    Map<String, NDArray> w = weights(c, 7);
    Qwen2Decoder d = new Qwen2Decoder(c);
    int[] ids = {3, 14, 15, 9, 26, 5, 35};
    float[] full = logits(d, w, ids);
    KvCache cache = new KvCache(c.numHiddenLayers());
    int v = c.vocabSize();
    // Prefill 4 tokens, then one at a time.
    float[] prefill = d.logits(w, d.forward(w, d.embed(w, Qwen2Decoder.ids(manager, new int[] {3, 14, 15, 9}, 1, 4)), null, cache)).toFloatArray();
    for (int i = 0; i < 4 * v; i++) assertEquals(full[i], prefill[i], 1e-4);
    for (int t = 4; t < ids.length; t++) {
      float[] step = d.logits(w, d.forward(w, d.embed(w, Qwen2Decoder.ids(manager, new int[] {ids[t]}, 1, 1)), null, cache)).toFloatArray();
      for (int i = 0; i < v; i++) assertEquals(full[t * v + i], step[i], 1e-4, "position " + t);
    }
    assertEquals(ids.length, cache.length());
  }

  /** Straight from method.md §9, one sequence, no batching. */
  static double[][] reference(DecoderConfig c, Map<String, NDArray> w, int[] ids) {
    int t = ids.length;
    int d = c.headDim();
    int h = c.numAttentionHeads();
    int rep = h / c.numKeyValueHeads();
    double[][] embed = Ref.matrix(w.get("model.embed_tokens.weight"));
    double[][] x = new double[t][];
    for (int i = 0; i < t; i++) x[i] = embed[ids[i]].clone();
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] n = Ref.rmsNorm(x, Ref.vector(w.get(p + "input_layernorm.weight")), c.rmsNormEps());
      double[][] q = rope(Ref.linear(n, Ref.matrix(w.get(p + "self_attn.q_proj.weight")), Ref.vector(w.get(p + "self_attn.q_proj.bias"))), d, c.ropeTheta());
      double[][] k = rope(Ref.linear(n, Ref.matrix(w.get(p + "self_attn.k_proj.weight")), Ref.vector(w.get(p + "self_attn.k_proj.bias"))), d, c.ropeTheta());
      double[][] v = Ref.linear(n, Ref.matrix(w.get(p + "self_attn.v_proj.weight")), Ref.vector(w.get(p + "self_attn.v_proj.bias")));
      double[][] att = new double[t][h * d];
      for (int head = 0; head < h; head++) {
        int kv = head / rep;
        for (int i = 0; i < t; i++) {
          double[] s = new double[i + 1];
          for (int j = 0; j <= i; j++) {
            for (int e = 0; e < d; e++) s[j] += q[i][head * d + e] * k[j][kv * d + e];
            s[j] /= Math.sqrt(d);
          }
          double[] a = Ref.softmax(s);
          for (int e = 0; e < d; e++) for (int j = 0; j <= i; j++) att[i][head * d + e] += a[j] * v[j][kv * d + e];
        }
      }
      x = Ref.add(x, Ref.linear(att, Ref.matrix(w.get(p + "self_attn.o_proj.weight")), null));
      n = Ref.rmsNorm(x, Ref.vector(w.get(p + "post_attention_layernorm.weight")), c.rmsNormEps());
      double[][] gate = Ref.linear(n, Ref.matrix(w.get(p + "mlp.gate_proj.weight")), null);
      double[][] up = Ref.linear(n, Ref.matrix(w.get(p + "mlp.up_proj.weight")), null);
      for (int i = 0; i < t; i++) for (int j = 0; j < gate[i].length; j++) gate[i][j] = gate[i][j] / (1 + Math.exp(-gate[i][j])) * up[i][j];
      x = Ref.add(x, Ref.linear(gate, Ref.matrix(w.get(p + "mlp.down_proj.weight")), null));
    }
    x = Ref.rmsNorm(x, Ref.vector(w.get("model.norm.weight")), c.rmsNormEps());
    String head = c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
    return Ref.linear(x, Ref.matrix(w.get(head)), null);
  }

  /** Rotate-half RoPE on every head of x [T][heads*d], position = row index. */
  static double[][] rope(double[][] x, int d, double theta) {
    double[][] out = new double[x.length][x[0].length];
    for (int pos = 0; pos < x.length; pos++) {
      for (int base = 0; base < x[pos].length; base += d) {
        for (int i = 0; i < d / 2; i++) {
          double angle = pos / Math.pow(theta, 2.0 * i / d);
          double a = x[pos][base + i];
          double b = x[pos][base + i + d / 2];
          out[pos][base + i] = a * Math.cos(angle) - b * Math.sin(angle);
          out[pos][base + i + d / 2] = b * Math.cos(angle) + a * Math.sin(angle);
        }
      }
    }
    return out;
  }
}
