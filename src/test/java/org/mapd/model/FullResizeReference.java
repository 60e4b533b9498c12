package org.mapd.model;

/**
 * The former ImageProcessor pipeline, kept as the reference for the current one: it pads to an explicit square and
 * resizes the whole image before cropping, on one object per pixel. The current code must give the same floats.
 */
final class FullResizeReference {
  private FullResizeReference() {}

  static float[] process(int[][][] rgb, int size, boolean padToSquare) {
    if (padToSquare) rgb = ImageProcessor.expandToSquare(rgb);
    int h = rgb.length;
    int w = rgb[0].length;
    int outH = h <= w ? size : (int) ((long) size * h / w);
    int outW = h <= w ? (int) ((long) size * w / h) : size;
    double[][][] resized = resize(rgb, outH, outW);
    int top = (outH - size) / 2;
    int left = (outW - size) / 2;
    float[] out = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double v = Math.rint(Math.max(0, Math.min(255, resized[top + y][left + x][c]))) / 255.0;
          out[(c * size + y) * size + x] = (float) ((v - ImageProcessor.MEAN[c]) / ImageProcessor.STD[c]);
        }
      }
    }
    return out;
  }

  private static double[][][] resize(int[][][] rgb, int outH, int outW) {
    int h = rgb.length;
    int w = rgb[0].length;
    double[][][] horizontal = new double[h][outW][3];
    int[][] colIndex = new int[outW][];
    double[][] colWeight = new double[outW][];
    taps(w, outW, colIndex, colWeight);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < outW; x++) {
        for (int k = 0; k < colIndex[x].length; k++) {
          for (int c = 0; c < 3; c++) horizontal[y][x][c] += colWeight[x][k] * (double) rgb[y][colIndex[x][k]][c];
        }
      }
    }
    double[][][] out = new double[outH][outW][3];
    int[][] rowIndex = new int[outH][];
    double[][] rowWeight = new double[outH][];
    taps(h, outH, rowIndex, rowWeight);
    for (int y = 0; y < outH; y++) {
      for (int k = 0; k < rowIndex[y].length; k++) {
        double[][] from = horizontal[rowIndex[y][k]];
        for (int x = 0; x < outW; x++) for (int c = 0; c < 3; c++) out[y][x][c] += rowWeight[y][k] * from[x][c];
      }
    }
    return out;
  }

  private static void taps(int in, int out, int[][] index, double[][] weight) {
    double scale = (double) in / out;
    double support = 2.0 * Math.max(scale, 1.0);
    for (int i = 0; i < out; i++) {
      double centre = (i + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(centre - support));
      int hi = Math.min(in, (int) Math.ceil(centre + support));
      index[i] = new int[hi - lo];
      weight[i] = new double[hi - lo];
      double sum = 0;
      for (int j = lo; j < hi; j++) {
        double x = Math.abs((j + 0.5 - centre) / Math.max(scale, 1.0));
        double a = -0.5;
        double wgt = x < 1 ? ((a + 2) * x - (a + 3)) * x * x + 1 : x < 2 ? (((x - 5) * x + 8) * x - 4) * a : 0;
        index[i][j - lo] = j;
        weight[i][j - lo] = wgt;
        sum += wgt;
      }
      for (int k = 0; k < weight[i].length; k++) weight[i][k] /= sum;
    }
  }
}
