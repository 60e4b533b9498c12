package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
