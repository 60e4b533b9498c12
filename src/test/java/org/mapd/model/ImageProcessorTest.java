package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageProcessorTest {
  static final VisionConfig C = new VisionConfig(32, 64, 3, 4, 3, 32, 8, "quick_gelu", 1e-5);
  @TempDir Path dir;

  static float normalised(int value, int channel) {
    return (float) ((value / 255.0 - ImageProcessor.MEAN[channel]) / ImageProcessor.STD[channel]);
  }

  @Test
  void sameSizeImageIsOnlyNormalised() throws Exception {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, (x * 7 << 16) | (y * 5 << 8) | 200);
    Path file = dir.resolve("a.png");
    ImageIO.write(img, "png", file.toFile());
    float[] px = ImageProcessor.load(file, C, false);
    assertEquals(3 * 32 * 32, px.length);
    assertEquals(normalised(7 * 3, 0), px[(0 * 32 + 4) * 32 + 3], 1e-5); // red channel, y=4, x=3
    assertEquals(normalised(5 * 4, 1), px[(1 * 32 + 4) * 32 + 3], 1e-5);
    assertEquals(normalised(200, 2), px[(2 * 32 + 31) * 32 + 31], 1e-5);
  }

  @Test
  void padToSquareUsesTheMeanColourAndShrinksUniformImagesToTheirColour() throws Exception {
    BufferedImage img = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB); // wide: padded above and below
    for (int y = 0; y < 32; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (10 << 16) | (20 << 8) | 30);
    Path file = dir.resolve("wide.png");
    ImageIO.write(img, "png", file.toFile());
    float[] padded = ImageProcessor.load(file, C, true); // 64x64 -> 32x32
    assertEquals(normalised(122, 0), padded[0], 1e-5, "top rows = background (122,116,104)");
    assertEquals(normalised(104, 2), padded[2 * 1024 + 1 * 32 + 16], 1e-5);
    assertEquals(normalised(10, 0), padded[16 * 32 + 16], 1e-5, "centre = image");
    float[] cropped = ImageProcessor.load(file, C, false); // shortest side 32, centre crop of a uniform image
    for (int c = 0; c < 3; c++) assertEquals(normalised(10 * (c + 1), c), cropped[c * 1024 + 7 * 32 + 9], 1e-5);
    int[][][] square = ImageProcessor.expandToSquare(new int[][][] {{{1, 2, 3}, {4, 5, 6}}});
    assertEquals(2, square.length);
    assertEquals(122, square[1][0][0]);
    assertEquals(4, square[0][1][0]);
  }

  @Test
  void unreadableFileIsNamed() throws Exception {
    Path file = Files.writeString(dir.resolve("x.png"), "not an image");
    var e = assertThrows(IllegalArgumentException.class, () -> ImageProcessor.load(file, C, false));
    assertEquals(true, e.getMessage().contains("x.png"));
  }

  static int[][][] random(int h, int w, long seed) {
    Random r = new Random(seed);
    int[][][] rgb = new int[h][w][3];
    for (int[][] row : rgb) for (int[] px : row) for (int c = 0; c < 3; c++) px[c] = r.nextInt(256);
    return rgb;
  }

  @Test
  void sameFloatsAsPaddingAndResizingTheWholeImage() {
    // shrinking, enlarging, wide, tall, odd sizes, with and without LLaVA's padding
    int[][] shapes = {{40, 24}, {24, 40}, {17, 90}, {90, 17}, {20, 20}, {7, 5}, {64, 33}};
    for (int[] s : shapes) {
      int[][][] img = random(s[0], s[1], s[0] * 100L + s[1]);
      for (boolean pad : new boolean[] {false, true}) {
        assertArrayEquals(FullResizeReference.process(img, 32, pad), ImageProcessor.process(img, 32, pad),
            s[0] + "x" + s[1] + " pad " + pad);
      }
    }
  }

  @Test
  void veryLongImageNeedsOnlyItsCrop() {
    // 3 x 200,000 pixels: resizing all of it to 32 rows would make a 2.1-million-column intermediate
    int[][][] img = random(3, 200_000, 5);
    float[] px = ImageProcessor.process(img, 32, false);
    assertEquals(3 * 32 * 32, px.length);
    assertTrue(Float.isFinite(px[0]));
    float[] padded = ImageProcessor.process(img, 32, true); // a 200,000-pixel square that is never built
    assertEquals(normalised(122, 0), padded[0], 1e-5, "top-left is background");
  }

  static final Path FIXTURES = Path.of("src/test/resources/images");

  @Test
  void greyPngLoadsAsItsGreyValuesLikePil() throws Exception {
    // PIL's L -> RGB repeats the value; ImageIO's getRGB (the former loader) brightened it
    BufferedImage grey = ImageIO.read(FIXTURES.resolve("gray.png").toFile());
    int[][][] rgb = new int[grey.getHeight()][grey.getWidth()][3];
    for (int y = 0; y < rgb.length; y++) for (int x = 0; x < rgb[0].length; x++) Arrays.fill(rgb[y][x], grey.getRaster().getSample(x, y, 0));
    assertArrayEquals(ImageProcessor.process(rgb, 32, true), ImageProcessor.load(FIXTURES.resolve("gray.png"), C, true));
  }

  @Test
  void alphaPngLoadsAsItsColourLikePil() throws Exception {
    BufferedImage rgba = ImageIO.read(FIXTURES.resolve("rgba.png").toFile());
    int[][][] rgb = new int[rgba.getHeight()][rgba.getWidth()][3];
    int[] px = new int[4];
    for (int y = 0; y < rgb.length; y++) {
      for (int x = 0; x < rgb[0].length; x++) rgb[y][x] = Arrays.copyOf(rgba.getRaster().getPixel(x, y, px), 3); // alpha dropped
    }
    assertArrayEquals(ImageProcessor.process(rgb, 32, false), ImageProcessor.load(FIXTURES.resolve("rgba.png"), C, false));
  }

  @Test
  void cmykAndYcckJpegsLoad() {
    for (String name : new String[] {"cmyk.jpg", "ycck.jpg"}) assertEquals(3 * 32 * 32, ImageProcessor.load(FIXTURES.resolve(name), C, true).length);
  }

  @Test
  void truncatedJpegIsNamed() throws Exception {
    byte[] jpg = Files.readAllBytes(FIXTURES.resolve("rgb.jpg"));
    Path cut = Files.write(dir.resolve("cut.jpg"), Arrays.copyOf(jpg, jpg.length - 300));
    var e = assertThrows(IllegalArgumentException.class, () -> ImageProcessor.load(cut, C, false));
    assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
  }
}
