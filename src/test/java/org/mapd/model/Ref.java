package org.mapd.model;

import ai.djl.ndarray.NDArray;

/** Plain-Java double arithmetic, written independently of the DJL code it checks. */
public final class Ref {
  private Ref() {}

  /** [rows][cols] view of a 2-d tensor. */
  static double[][] matrix(NDArray a) {
    long[] s = a.getShape().getShape();
    return matrix(a.toFloatArray(), (int) s[0], (int) s[1]);
  }

  static double[][] matrix(float[] v, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) m[r][c] = v[r * cols + c];
    return m;
  }

  static double[] vector(NDArray a) {
    float[] f = a.toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  /** x W^T + b. */
  static double[][] linear(double[][] x, double[][] w, double[] b) {
    double[][] out = new double[x.length][w.length];
    for (int i = 0; i < x.length; i++) {
      for (int o = 0; o < w.length; o++) {
        double s = b == null ? 0 : b[o];
        for (int k = 0; k < w[o].length; k++) s += x[i][k] * w[o][k];
        out[i][o] = s;
      }
    }
    return out;
  }

  static double[][] layerNorm(double[][] x, double[] g, double[] b, double eps) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double mean = 0;
      for (double v : x[i]) mean += v;
      mean /= x[i].length;
      double var = 0;
      for (double v : x[i]) var += (v - mean) * (v - mean);
      var /= x[i].length;
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) out[i][j] = (x[i][j] - mean) / Math.sqrt(var + eps) * g[j] + b[j];
    }
    return out;
  }

  static double[][] rmsNorm(double[][] x, double[] w, double eps) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      double ms = 0;
      for (double v : x[i]) ms += v * v;
      ms /= x[i].length;
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) out[i][j] = x[i][j] / Math.sqrt(ms + eps) * w[j];
    }
    return out;
  }

  static double[] softmax(double[] s) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : s) max = Math.max(max, v);
    double sum = 0;
    double[] out = new double[s.length];
    for (int i = 0; i < s.length; i++) sum += out[i] = Math.exp(s[i] - max);
    for (int i = 0; i < s.length; i++) out[i] /= sum;
    return out;
  }

  static double[][] add(double[][] a, double[][] b) {
    double[][] out = new double[a.length][a[0].length];
    for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) out[i][j] = a[i][j] + b[i][j];
    return out;
  }

  static double maxAbsDiff(double[] expected, float[] actual) {
    if (expected.length != actual.length) throw new AssertionError("length " + expected.length + " vs " + actual.length);
    double m = 0;
    for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i] - actual[i]));
    return m;
  }

  static double[] flatten(double[][] m) {
    return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  /** ||actual - expected|| / ||expected||, the error measure of gradients computed in another order. */
  public static double relativeError(float[] expected, float[] actual) {
    if (expected.length != actual.length) throw new IllegalArgumentException("lengths differ");
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < expected.length; i++) {
      diff += Math.pow((double) actual[i] - expected[i], 2);
      norm += Math.pow(expected[i], 2);
    }
    return Math.sqrt(diff / norm);
  }
}
