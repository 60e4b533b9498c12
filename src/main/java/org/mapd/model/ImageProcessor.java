package org.mapd.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** CLIP image preprocessing (HF CLIPImageProcessor) and LLaVA's pad-to-square mode. */
public final class ImageProcessor {
  static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
  static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

  private ImageProcessor() {}

  /** Reads an image file -> normalised pixels [3, imageSize, imageSize], row-major. */
  public static float[] load(Path image, VisionConfig config, boolean padToSquare) {
    BufferedImage img;
    try {
      img = ImageIO.read(image.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(image + ": cannot read image: " + e.getMessage(), e);
    }
    if (img == null) throw new IllegalArgumentException(image + ": not a readable image (PNG/JPEG expected)");
    return process(rgb(img), config.imageSize(), padToSquare);
  }

  /** rgb [H][W][3] in 0..255 -> normalised [3, size, size]. */
  static float[] process(int[][][] rgb, int size, boolean padToSquare) {
    if (padToSquare) rgb = expandToSquare(rgb);
    int h = rgb.length;
    int w = rgb[0].length;
    // Shortest side -> size, the other scaled and truncated like HF get_resize_output_image_size.
    int outH = h <= w ? size : (int) ((long) size * h / w);
    int outW = h <= w ? (int) ((long) size * w / h) : size;
    double[][][] resized = resizeBicubic(rgb, outH, outW);
    int top = (outH - size) / 2;
    int left = (outW - size) / 2;
    float[] out = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double v = Math.rint(Math.max(0, Math.min(255, resized[top + y][left + x][c]))) / 255.0;
          out[(c * size + y) * size + x] = (float) ((v - MEAN[c]) / STD[c]);
        }
      }
    }
    return out;
  }

  /** LLaVA expand2square: centre the image on a square of background int(255 * mean). */
  static int[][][] expandToSquare(int[][][] rgb) {
    int h = rgb.length;
    int w = rgb[0].length;
    if (h == w) return rgb;
    int s = Math.max(h, w);
    int[][][] out = new int[s][s][3];
    for (int[][] row : out) for (int[] px : row) for (int c = 0; c < 3; c++) px[c] = (int) (255 * MEAN[c]);
    int dy = (s - h) / 2;
    int dx = (s - w) / 2;
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out[y + dy][x + dx] = rgb[y][x].clone();
    return out;
  }

  /** Separable bicubic (a = -0.5) with PIL's antialiasing: the kernel widens by the scale when shrinking. */
  static double[][][] resizeBicubic(int[][][] rgb, int outH, int outW) {
    int h = rgb.length;
    int w = rgb[0].length;
    double[][][] src = new double[h][w][3];
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) src[y][x][c] = rgb[y][x][c];
    double[][][] horizontal = new double[h][outW][3];
    Taps cols = taps(w, outW);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < outW; x++) {
        for (int k = 0; k < cols.index[x].length; k++) {
          for (int c = 0; c < 3; c++) horizontal[y][x][c] += cols.weight[x][k] * src[y][cols.index[x][k]][c];
        }
      }
    }
    double[][][] out = new double[outH][outW][3];
    Taps rows = taps(h, outH);
    for (int y = 0; y < outH; y++) {
      for (int k = 0; k < rows.index[y].length; k++) {
        double[][] from = horizontal[rows.index[y][k]];
        for (int x = 0; x < outW; x++) for (int c = 0; c < 3; c++) out[y][x][c] += rows.weight[y][k] * from[x][c];
      }
    }
    return out;
  }

  private record Taps(int[][] index, double[][] weight) {}

  private static Taps taps(int in, int out) {
    double scale = (double) in / out;
    double support = 2.0 * Math.max(scale, 1.0);
    int[][] index = new int[out][];
    double[][] weight = new double[out][];
    for (int i = 0; i < out; i++) {
      double centre = (i + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(centre - support));
      int hi = Math.min(in, (int) Math.ceil(centre + support));
      index[i] = new int[hi - lo];
      weight[i] = new double[hi - lo];
      double sum = 0;
      for (int j = lo; j < hi; j++) {
        double wgt = cubic((j + 0.5 - centre) / Math.max(scale, 1.0));
        index[i][j - lo] = j;
        weight[i][j - lo] = wgt;
        sum += wgt;
      }
      for (int k = 0; k < weight[i].length; k++) weight[i][k] /= sum;
    }
    return new Taps(index, weight);
  }

  private static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0;
  }

  private static int[][][] rgb(BufferedImage img) {
    int h = img.getHeight();
    int w = img.getWidth();
    int[][][] out = new int[h][w][3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = img.getRGB(x, y);
        out[y][x][0] = (p >> 16) & 0xff;
        out[y][x][1] = (p >> 8) & 0xff;
        out[y][x][2] = p & 0xff;
      }
    }
    return out;
  }
}
