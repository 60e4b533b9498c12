package org.mapd.model;

import java.nio.file.Path;
import org.mapd.images.BadImageException;
import org.mapd.images.ImageDecoder;
import org.mapd.images.Rgb;

/** CLIP image preprocessing (HF CLIPImageProcessor) and LLaVA's pad-to-square mode. */
public final class ImageProcessor {
  static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};
  static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

  private ImageProcessor() {}

  /**
   * Reads an image file -> normalised pixels [3, imageSize, imageSize], row-major. The file is decoded as PIL's
   * {@code convert('RGB')} does (ImageDecoder); a file it cannot decode fails with the file named.
   */
  public static float[] load(Path image, VisionConfig config, boolean padToSquare) {
    Rgb img;
    try {
      img = ImageDecoder.decode(image);
    } catch (BadImageException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return process(img, config.imageSize(), padToSquare);
  }

  /** rgb [H][W][3] in 0..255 -> normalised [3, size, size]. */
  static float[] process(int[][][] rgb, int size, boolean padToSquare) {
    return process(toRgb(rgb), size, padToSquare);
  }

  /** Decoded image -> normalised [3, size, size]. */
  static float[] process(Rgb img, int size, boolean padToSquare) {
    int w = img.width();
    int h = img.height();
    // LLaVA's expand2square centres the image on a square; the square is never built (resizeBicubic reads the
    // background where it falls outside the image), so a very long image costs no more memory than its pixels.
    int side = Math.max(w, h);
    int fullW = padToSquare ? side : w;
    int fullH = padToSquare ? side : h;
    // Shortest side -> size, the other scaled and truncated like HF get_resize_output_image_size.
    long outH = fullH <= fullW ? size : (long) size * fullH / fullW;
    long outW = fullH <= fullW ? (long) size * fullW / fullH : size;
    double[] crop = resizeBicubic(img, (fullW - w) / 2, (fullH - h) / 2, fullW, fullH, outH, outW, size);
    float[] out = new float[3 * size * size];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double v = Math.rint(Math.max(0, Math.min(255, crop[(y * size + x) * 3 + c]))) / 255.0;
          out[(c * size + y) * size + x] = (float) ((v - MEAN[c]) / STD[c]);
        }
      }
    }
    return out;
  }

  /** LLaVA expand2square background: int(255 * mean). */
  private static int background(int c) {
    return (int) (255 * MEAN[c]);
  }

  /** LLaVA expand2square as an explicit image [S][S][3] (the reference the virtual padding is tested against). */
  static int[][][] expandToSquare(int[][][] rgb) {
    int h = rgb.length;
    int w = rgb[0].length;
    if (h == w) return rgb;
    int s = Math.max(h, w);
    int[][][] out = new int[s][s][3];
    for (int[][] row : out) for (int[] px : row) for (int c = 0; c < 3; c++) px[c] = background(c);
    int dy = (s - h) / 2;
    int dx = (s - w) / 2;
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) out[y + dy][x + dx] = rgb[y][x].clone();
    return out;
  }

  static Rgb toRgb(int[][][] rgb) {
    int h = rgb.length;
    int w = rgb[0].length;
    byte[] px = new byte[3 * w * h];
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = (byte) rgb[y][x][c];
    return new Rgb(w, h, px);
  }

  /**
   * Separable bicubic (a = -0.5) with PIL's antialiasing: the kernel widens by the scale when shrinking. The
   * source is the image placed at (dx, dy) on a fullW x fullH canvas of the background colour, resized to outW x
   * outH; returns only the centre crop [size][size][3] that CLIP keeps, row-major. Each output pixel depends only
   * on its own taps, so computing just the crop gives the same values as resizing everything and cropping, while
   * a very elongated image needs memory for the crop's source rows only. Horizontal pass first, as PIL does;
   * canvas rows outside the image are all background, so their horizontal pass is computed once.
   */
  static double[] resizeBicubic(Rgb img, int dx, int dy, int fullW, int fullH, long outH, long outW, int size) {
    int w = img.width();
    int h = img.height();
    byte[] px = img.pixels();
    Taps cols = taps(fullW, outW, (outW - size) / 2, size);
    Taps rows = taps(fullH, outH, (outH - size) / 2, size);
    // the image rows the crop's vertical taps reach
    int first = h;
    int last = -1;
    for (int[] index : rows.index) {
      for (int r : index) {
        first = Math.min(first, Math.max(0, r - dy));
        last = Math.max(last, Math.min(h - 1, r - dy));
      }
    }
    double[] backgroundRow = new double[size * 3];
    for (int x = 0; x < size; x++) {
      for (int k = 0; k < cols.index[x].length; k++) {
        for (int c = 0; c < 3; c++) backgroundRow[x * 3 + c] += cols.weight[x][k] * background(c);
      }
    }
    double[] horizontal = new double[Math.max(0, last - first + 1) * size * 3];
    for (int y = first; y <= last; y++) {
      for (int x = 0; x < size; x++) {
        int[] index = cols.index[x];
        double[] weight = cols.weight[x];
        int o = ((y - first) * size + x) * 3;
        for (int k = 0; k < index.length; k++) {
          int j = index[k] - dx;
          for (int c = 0; c < 3; c++) {
            int v = j >= 0 && j < w ? px[(y * w + j) * 3 + c] & 0xff : background(c);
            horizontal[o + c] += weight[k] * v;
          }
        }
      }
    }
    double[] out = new double[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int k = 0; k < rows.index[y].length; k++) {
        int r = rows.index[y][k] - dy;
        double wgt = rows.weight[y][k];
        boolean inside = r >= 0 && r < h;
        double[] from = inside ? horizontal : backgroundRow;
        int base = inside ? (r - first) * size * 3 : 0;
        int o = y * size * 3;
        for (int i = 0; i < size * 3; i++) out[o + i] += wgt * from[base + i];
      }
    }
    return out;
  }

  private record Taps(int[][] index, double[][] weight) {}

  /** The taps of output positions from .. from + count - 1 of a resize from {@code in} to {@code out} positions. */
  private static Taps taps(int in, long out, long from, int count) {
    double scale = (double) in / out;
    double support = 2.0 * Math.max(scale, 1.0);
    int[][] index = new int[count][];
    double[][] weight = new double[count][];
    for (int n = 0; n < count; n++) {
      double centre = (from + n + 0.5) * scale;
      int lo = Math.max(0, (int) Math.floor(centre - support));
      int hi = Math.min(in, (int) Math.ceil(centre + support));
      index[n] = new int[hi - lo];
      weight[n] = new double[hi - lo];
      double sum = 0;
      for (int j = lo; j < hi; j++) {
        double wgt = cubic((j + 0.5 - centre) / Math.max(scale, 1.0));
        index[n][j - lo] = j;
        weight[n][j - lo] = wgt;
        sum += wgt;
      }
      for (int k = 0; k < weight[n].length; k++) weight[n][k] /= sum;
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
}
