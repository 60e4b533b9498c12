package org.mapd.images;

/**
 * A decoded image as PIL's {@code convert('RGB')} gives it: 8-bit R, G, B interleaved, row-major. A flat byte
 * array because the largest image PIL opens (about 179 million pixels) must still fit in the heap of a training
 * JVM: one object per pixel would need ten times the memory.
 */
public record Rgb(int width, int height, byte[] pixels) {
  public Rgb {
    if (width <= 0 || height <= 0 || pixels.length != 3L * width * height) {
      throw new IllegalArgumentException("pixels must hold 3 x " + width + " x " + height + " bytes, got " + pixels.length);
    }
  }

  /** Channel c (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
  public int get(int x, int y, int c) {
    return pixels[3 * (y * width + x) + c] & 0xff;
  }
}
