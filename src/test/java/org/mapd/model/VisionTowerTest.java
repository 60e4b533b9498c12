package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VisionTowerTest {
  static final VisionConfig C = new VisionConfig(8, 12, 3, 2, 3, 8, 4, "quick_gelu", 1e-5);
  static NDManager manager;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  @Test
  void hiddenStatesAndFeaturesMatchPlainJavaReference() {
    Map<String, NDArray> w = new LinkedHashMap<>();
    Random r = new Random(1);
    for (Map.Entry<String, Shape> e : VisionTower.shapes(C).entrySet()) {
      float[] v = new float[(int) e.getValue().size()];
      boolean norm = e.getKey().endsWith("norm1.weight") || e.getKey().endsWith("norm2.weight") || e.getKey().endsWith("layrnorm.weight");
      for (int i = 0; i < v.length; i++) v[i] = (float) ((norm ? 1 : 0) + 0.4 * r.nextGaussian());
      w.put(e.getKey(), manager.create(v, e.getValue()));
    }
    float[] pixels = new float[2 * 3 * 8 * 8];
    for (int i = 0; i < pixels.length; i++) pixels[i] = (float) r.nextGaussian();
    VisionTower tower = new VisionTower(C);
    NDList states = tower.hiddenStates(w, manager.create(pixels, new Shape(2, 3, 8, 8)));
    assertEquals(C.numHiddenLayers() + 1, states.size());
    NDArray features = tower.features(w, manager.create(pixels, new Shape(2, 3, 8, 8)));
    assertEquals(new Shape(2, 4, 8), features.getShape());
    for (int b = 0; b < 2; b++) {
      double[][][] ref = reference(w, java.util.Arrays.copyOfRange(pixels, b * 192, (b + 1) * 192));
      for (int k = 0; k < states.size(); k++) {
        double err = Ref.maxAbsDiff(Ref.flatten(ref[k]), states.get(k).get(b).toFloatArray());
        assertTrue(err < 1e-4, "state " + k + " diff " + err);
      }
      double[][] penultimate = java.util.Arrays.copyOfRange(ref[C.numHiddenLayers() - 1], 1, 5); // drop CLS
      assertTrue(Ref.maxAbsDiff(Ref.flatten(penultimate), features.get(b).toFloatArray()) < 1e-4);
    }
  }

  /** One image [3][8][8] -> hidden states [L+1][1+patches][hidden], from method.md §9. */
  static double[][][] reference(Map<String, NDArray> w, float[] px) {
    String p = "vision_model.";
    double[][] kernel = Ref.matrix(w.get(p + "embeddings.patch_embedding.weight").reshape(8, 48));
    double[][] pos = Ref.matrix(w.get(p + "embeddings.position_embedding.weight"));
    double[] cls = Ref.vector(w.get(p + "embeddings.class_embedding"));
    double[][] x = new double[5][8];
    for (int h = 0; h < 8; h++) x[0][h] = cls[h] + pos[0][h];
    for (int gy = 0; gy < 2; gy++) {
      for (int gx = 0; gx < 2; gx++) {
        int patch = 1 + gy * 2 + gx;
        for (int h = 0; h < 8; h++) {
          double s = 0;
          for (int c = 0; c < 3; c++) {
            for (int dy = 0; dy < 4; dy++) {
              for (int dx = 0; dx < 4; dx++) s += kernel[h][(c * 4 + dy) * 4 + dx] * px[(c * 8 + gy * 4 + dy) * 8 + gx * 4 + dx];
            }
          }
          x[patch][h] = s + pos[patch][h];
        }
      }
    }
    x = Ref.layerNorm(x, Ref.vector(w.get(p + "pre_layrnorm.weight")), Ref.vector(w.get(p + "pre_layrnorm.bias")), 1e-5);
    double[][][] states = new double[C.numHiddenLayers() + 1][][];
    states[0] = x;
    for (int l = 0; l < C.numHiddenLayers(); l++) {
      String q = p + "encoder.layers." + l + ".";
      double[][] n = Ref.layerNorm(x, Ref.vector(w.get(q + "layer_norm1.weight")), Ref.vector(w.get(q + "layer_norm1.bias")), 1e-5);
      double[][] qq = lin(w, q + "self_attn.q_proj", n);
      double[][] kk = lin(w, q + "self_attn.k_proj", n);
      double[][] vv = lin(w, q + "self_attn.v_proj", n);
      double[][] att = new double[5][8];
      for (int head = 0; head < 2; head++) {
        for (int i = 0; i < 5; i++) {
          double[] s = new double[5];
          for (int j = 0; j < 5; j++) {
            for (int d = 0; d < 4; d++) s[j] += qq[i][head * 4 + d] * kk[j][head * 4 + d];
            s[j] /= 2.0; // sqrt(head dim 4)
          }
          double[] a = Ref.softmax(s);
          for (int d = 0; d < 4; d++) for (int j = 0; j < 5; j++) att[i][head * 4 + d] += a[j] * vv[j][head * 4 + d];
        }
      }
      x = Ref.add(x, lin(w, q + "self_attn.out_proj", att));
      n = Ref.layerNorm(x, Ref.vector(w.get(q + "layer_norm2.weight")), Ref.vector(w.get(q + "layer_norm2.bias")), 1e-5);
      double[][] up = lin(w, q + "mlp.fc1", n);
      for (double[] row : up) for (int j = 0; j < row.length; j++) row[j] = row[j] / (1 + Math.exp(-1.702 * row[j]));
      x = Ref.add(x, lin(w, q + "mlp.fc2", up));
      states[l + 1] = x;
    }
    return states;
  }

  private static double[][] lin(Map<String, NDArray> w, String name, double[][] x) {
    return Ref.linear(x, Ref.matrix(w.get(name + ".weight")), Ref.vector(w.get(name + ".bias")));
  }
}
