package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AttentionMapperTest {
  static NDManager manager;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  @Test
  void paperConfigHas24145920Parameters() {
    assertEquals(24_145_920L, Ops.parameterCount(AttentionMapper.shapes(new MapperConfig(256, 1024, 3584))));
    assertEquals(28, new MapperConfig(256, 1024, 3584).numHeads());
  }

  @Test
  void initIsDeterministicAndFollowsTheAuthorsScheme() {
    MapperConfig c = new MapperConfig(8, 32, 64);
    Map<String, NDArray> a = AttentionMapper.init(c, manager, 5);
    Map<String, NDArray> b = AttentionMapper.init(c, manager, 5);
    for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 0f, k);
    assertEquals(13, a.size());
    double bound = Math.sqrt(6.0 / (64 + 32));
    for (float v : a.get(AttentionMapper.key(1)).toFloatArray()) assertTrue(Math.abs(v) <= bound);
    for (float v : a.get(AttentionMapper.key(9)).toFloatArray()) assertEquals(1f, v);
    for (float v : a.get(AttentionMapper.key(2)).toFloatArray()) assertEquals(0f, v);
    float[] prompts = a.get(AttentionMapper.key(0)).toFloatArray();
    double var = 0;
    for (float v : prompts) var += v * v;
    assertEquals(1.0, var / prompts.length, 0.25, "soft prompts ~ N(0,1)");
  }

  @Test
  void forwardMatchesPlainJavaReference() {
    MapperConfig c = new MapperConfig(3, 16, 24); // head width 2, 12 heads
    Map<String, NDArray> vars = randomVars(c, 1);
    int b = 2;
    int n = 5;
    float[] feats = new float[b * n * 16];
    Random r = new Random(2);
    for (int i = 0; i < feats.length; i++) feats[i] = (float) r.nextGaussian();
    NDArray out = AttentionMapper.forward(c, vars, manager.create(feats, new Shape(b, n, 16)));
    assertEquals(new Shape(b, 3, 24), out.getShape());
    double[] expected = new double[0];
    for (int s = 0; s < b; s++) {
      float[] one = java.util.Arrays.copyOfRange(feats, s * n * 16, (s + 1) * n * 16);
      double[] ref = Ref.flatten(reference(c, vars, Ref.matrix(one, n, 16)));
      double[] joined = java.util.Arrays.copyOf(expected, expected.length + ref.length);
      System.arraycopy(ref, 0, joined, expected.length, ref.length);
      expected = joined;
    }
    assertTrue(Ref.maxAbsDiff(expected, out.toFloatArray()) < 1e-4, "max abs diff " + Ref.maxAbsDiff(expected, out.toFloatArray()));
  }

  @Test
  void gradientReachesAllThirteenTensors() {
    MapperConfig c = new MapperConfig(4, 16, 32);
    Map<String, NDArray> vars = randomVars(c, 3);
    vars.values().forEach(v -> v.setRequiresGradient(true));
    NDArray feats = manager.randomNormal(new Shape(2, 6, 16));
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = AttentionMapper.forward(c, vars, feats);
      // A loss that depends on every output coordinate unevenly, so LN2's gradient is not zero.
      NDArray weights = manager.randomNormal(out.getShape());
      gc.backward(out.mul(weights).sum());
    }
    for (Map.Entry<String, NDArray> e : vars.entrySet()) {
      float[] g = e.getValue().getGradient().toFloatArray();
      double norm = 0;
      for (float v : g) norm += v * v;
      assertTrue(norm > 0 && Double.isFinite(norm), e.getKey() + " gradient norm " + norm);
    }
  }

  @Test
  void missingTensorIsNamed() {
    MapperConfig c = new MapperConfig(4, 16, 32);
    Map<String, NDArray> vars = randomVars(c, 3);
    vars.remove(AttentionMapper.key(7));
    var e = assertThrows(IllegalArgumentException.class,
        () -> AttentionMapper.forward(c, vars, manager.zeros(new Shape(1, 2, 16))));
    assertTrue(e.getMessage().contains("vars.7"));
  }

  /** Init, then non-trivial LayerNorm and bias values so the reference checks every term. */
  static Map<String, NDArray> randomVars(MapperConfig c, long seed) {
    Map<String, NDArray> vars = new java.util.LinkedHashMap<>(AttentionMapper.init(c, manager, seed));
    Random r = new Random(seed + 100);
    for (int i : new int[] {2, 4, 6, 8, 9, 10, 11, 12}) {
      Shape s = vars.get(AttentionMapper.key(i)).getShape();
      float[] v = new float[(int) s.size()];
      for (int k = 0; k < v.length; k++) v[k] = (float) ((i == 9 || i == 11 ? 1 : 0) + 0.3 * r.nextGaussian());
      vars.put(AttentionMapper.key(i), manager.create(v, s));
    }
    return vars;
  }

  /** One image: x [N][dClip] -> [prefix][dLlm], straight from method.md §1. */
  static double[][] reference(MapperConfig c, Map<String, NDArray> vars, double[][] x) {
    double[][] p = Ref.matrix(vars.get(AttentionMapper.key(0)));
    int rows = p.length + x.length;
    double[][] z = new double[rows][];
    for (int i = 0; i < rows; i++) z[i] = i < p.length ? p[i] : x[i - p.length];
    double[][] q = Ref.linear(z, Ref.matrix(vars.get(AttentionMapper.key(1))), Ref.vector(vars.get(AttentionMapper.key(2))));
    double[][] k = Ref.linear(z, Ref.matrix(vars.get(AttentionMapper.key(3))), Ref.vector(vars.get(AttentionMapper.key(4))));
    double[][] v = Ref.linear(z, Ref.matrix(vars.get(AttentionMapper.key(5))), Ref.vector(vars.get(AttentionMapper.key(6))));
    int w = c.dimClip() / 8;
    double[][] o = new double[rows][c.dimLlm()];
    for (int h = 0; h < c.dimLlm() / w; h++) {
      for (int i = 0; i < rows; i++) {
        double[] s = new double[rows];
        for (int j = 0; j < rows; j++) {
          for (int d = 0; d < w; d++) s[j] += q[i][h * w + d] * k[j][h * w + d];
          s[j] /= Math.sqrt(c.dimClip());
        }
        double[] a = Ref.softmax(s);
        for (int d = 0; d < w; d++) {
          double sum = q[i][h * w + d];
          for (int j = 0; j < rows; j++) sum += a[j] * v[j][h * w + d];
          o[i][h * w + d] = sum;
        }
      }
    }
    o = Ref.layerNorm(o, Ref.vector(vars.get(AttentionMapper.key(9))), Ref.vector(vars.get(AttentionMapper.key(10))), 1e-5);
    double[][] f = Ref.linear(o, Ref.matrix(vars.get(AttentionMapper.key(7))), Ref.vector(vars.get(AttentionMapper.key(8))));
    for (double[] row : f) for (int j = 0; j < row.length; j++) row[j] = row[j] > 0 ? row[j] : 0.01 * row[j];
    o = Ref.layerNorm(Ref.add(o, f), Ref.vector(vars.get(AttentionMapper.key(11))), Ref.vector(vars.get(AttentionMapper.key(12))), 1e-5);
    return java.util.Arrays.copyOf(o, p.length);
  }
}
