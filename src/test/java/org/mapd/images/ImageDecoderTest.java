package org.mapd.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our decoding against PIL's: each fixture F in src/test/resources/images has F.pil.png, Pillow 9.4's
 * Image.open(F).convert('RGB') (tools/make_image_fixtures.py).
 */
class ImageDecoderTest {
  static final Path FIXTURES = Path.of("src/test/resources/images");

  /**
   * JPEG tolerance, in 0..255 levels per channel. We take libjpeg's decoded components (the JDK's libjpeg 6b:
   * integer IDCT, fancy upsampling) and convert colours with libjpeg's and PIL's integer formulas; PIL uses
   * Debian's libjpeg-turbo 2.1 with the same IDCT and upsampling, so the measured difference is 0 on every
   * fixture. One level is allowed because other libjpeg builds (SIMD merged upsampling, the float IDCT) round
   * differently. PNG has no lossy step: exact.
   */
  static final int JPEG_TOLERANCE = 1;

  static int maxDifference(Rgb ours, Path pilReference) throws Exception {
    BufferedImage ref = ImageIO.read(pilReference.toFile());
    assertEquals(ref.getWidth(), ours.width(), "width");
    assertEquals(ref.getHeight(), ours.height(), "height");
    Raster r = ref.getRaster();
    assertEquals(3, r.getNumBands(), "PIL reference is 8-bit RGB");
    int max = 0;
    int[] px = new int[3];
    for (int y = 0; y < ours.height(); y++) {
      for (int x = 0; x < ours.width(); x++) {
        r.getPixel(x, y, px);
        for (int c = 0; c < 3; c++) max = Math.max(max, Math.abs(ours.get(x, y, c) - px[c]));
      }
    }
    return max;
  }

  @ParameterizedTest
  @ValueSource(strings = {"cmyk.jpg", "ycck.jpg", "gray.jpg", "rgb.jpg", "progressive.jpg", "qtable16.jpg", "rgb_icc.jpg"})
  void jpegMatchesPil(String name) throws Exception {
    Path f = FIXTURES.resolve(name);
    int max = maxDifference(ImageDecoder.decode(f), FIXTURES.resolve(name + ".pil.png"));
    assertTrue(max <= JPEG_TOLERANCE, name + ": max difference " + max + " levels from PIL");
  }

  @ParameterizedTest
  @ValueSource(strings = {"gray.png", "gray_alpha.png", "rgba.png", "palette.png", "bilevel.png", "gray4.png",
      "gray16.png", "rgb16.png", "png_named.jpg"})
  void pngMatchesPilExactly(String name) throws Exception {
    Path f = FIXTURES.resolve(name);
    assertEquals(0, maxDifference(ImageDecoder.decode(f), FIXTURES.resolve(name + ".pil.png")), name);
  }

  @Test
  void greyIsTakenAsIsNotAsLinearLight() throws Exception {
    // ImageIO's getRGB treats 8-bit grey as linear light and brightens it (the former ImageProcessor did this)
    Rgb grey = ImageDecoder.decode(FIXTURES.resolve("gray.png"));
    BufferedImage plain = ImageIO.read(FIXTURES.resolve("gray.png").toFile());
    int sample = plain.getRaster().getSample(0, 0, 0);
    assertEquals(sample, grey.get(0, 0, 0));
    assertEquals(sample, grey.get(0, 0, 2));
    assertTrue((plain.getRGB(0, 0) & 0xff) > sample + 20, "getRGB brightens grey " + sample);
  }

  @Test
  void alphaIsDroppedNotComposited() throws Exception {
    // PIL's RGBA -> RGB keeps the colour of fully transparent pixels; the fixture's first column is alpha 0
    Rgb rgba = ImageDecoder.decode(FIXTURES.resolve("rgba.png"));
    BufferedImage plain = ImageIO.read(FIXTURES.resolve("rgba.png").toFile());
    assertEquals(0, plain.getRaster().getSample(0, 0, 3), "the fixture's corner is transparent");
    assertEquals(plain.getRaster().getSample(0, 0, 0), rgba.get(0, 0, 0));
  }

  @Test
  void twelveMonkeysIsRegisteredWithPlainImageIo() throws Exception {
    // the launcher and the tests run on the same classpath (target/classpath.txt): the service file is found
    assertTrue(ImageIO.getImageReadersByFormatName("jpeg").next().getClass().getName().startsWith("com.twelvemonkeys."));
    for (String name : new String[] {"cmyk.jpg", "ycck.jpg"}) {
      BufferedImage img = ImageIO.read(FIXTURES.resolve(name).toFile());
      assertNotNull(img, name + " through plain ImageIO.read");
      assertEquals(40, img.getWidth());
    }
  }

  /** A broken ICC_PROFILE segment (sequence 2 of 1) right after SOI: the JDK's reader throws on it, PIL ignores it. */
  static byte[] withBrokenIcc(byte[] jpg) {
    byte[] payload = "ICC_PROFILE\0\2\1not a profile".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] out = new byte[jpg.length + 4 + payload.length];
    out[0] = (byte) 0xff;
    out[1] = (byte) 0xd8;
    out[2] = (byte) 0xff;
    out[3] = (byte) 0xe2;
    out[4] = 0;
    out[5] = (byte) (payload.length + 2);
    System.arraycopy(payload, 0, out, 6, payload.length);
    System.arraycopy(jpg, 2, out, 6 + payload.length, jpg.length - 2);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"rgb.jpg", "qtable16.jpg"})
  void brokenIccSegmentIsIgnoredAsPilIgnoresIt(String name, @TempDir Path dir) throws Exception {
    Path f = write(dir, name, withBrokenIcc(fixture(name)));
    assertEquals(0, maxDifference(ImageDecoder.decode(f), FIXTURES.resolve(name + ".pil.png")), name);
  }

  static byte[] fixture(String name) throws Exception {
    return Files.readAllBytes(FIXTURES.resolve(name));
  }

  static Path write(Path dir, String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  static String refusal(Path f) {
    BadImageException e = assertThrows(BadImageException.class, () -> ImageHeader.read(f));
    assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
    BadImageException d = assertThrows(BadImageException.class, () -> ImageDecoder.decode(f));
    assertEquals(e.getMessage(), d.getMessage(), "the decoder refuses it for the same reason");
    return e.getMessage();
  }

  @Test
  void truncatedJpegsAreRefusedAsPilRefusesThem(@TempDir Path dir) throws Exception {
    byte[] jpg = fixture("rgb.jpg");
    String half = refusal(write(dir, "half.jpg", Arrays.copyOf(jpg, jpg.length / 2)));
    assertTrue(half.contains("truncated") && half.contains("scan"), half);
    // only the EOI marker missing: PIL still raises "image file is truncated"
    assertTrue(refusal(write(dir, "noeoi.jpg", Arrays.copyOf(jpg, jpg.length - 2))).contains("truncated"));
    assertTrue(refusal(write(dir, "head.jpg", Arrays.copyOf(jpg, 100))).contains("truncated"));
    byte[] progressive = fixture("progressive.jpg");
    assertTrue(refusal(write(dir, "p.jpg", Arrays.copyOf(progressive, progressive.length * 2 / 3))).contains("truncated"));
    // bytes after EOI are ignored, by PIL too
    byte[] trailing = Arrays.copyOf(jpg, jpg.length + 5000);
    assertEquals(40, ImageDecoder.decode(write(dir, "trailing.jpg", trailing)).width());
  }

  @Test
  void damagedJpegHeadersAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
    byte[] jpg = fixture("rgb.jpg");
    int sof = indexOf(jpg, 0xff, 0xc0);
    byte[] twelveBit = jpg.clone();
    twelveBit[sof + 4] = 12;
    assertTrue(refusal(write(dir, "p12.jpg", twelveBit)).contains("12-bit"));
    byte[] arithmetic = jpg.clone();
    arithmetic[sof + 1] = (byte) 0xc9;
    assertTrue(refusal(write(dir, "arith.jpg", arithmetic)).contains("arithmetic"));
    int dqt = indexOf(jpg, 0xff, 0xdb);
    byte[] noQuant = jpg.clone();
    noQuant[dqt + 1] = (byte) 0xfe; // the DQT segment becomes a comment: its tables are never defined
    assertTrue(refusal(write(dir, "noq.jpg", noQuant)).contains("quantisation table"));
  }

  @Test
  void damagedPngsAreRefused(@TempDir Path dir) throws Exception {
    byte[] png = fixture("rgb16.png");
    assertTrue(refusal(write(dir, "half.png", Arrays.copyOf(png, png.length / 2))).contains("truncated"));
    byte[] flipped = png.clone();
    flipped[png.length / 2] ^= 0x10;
    assertTrue(refusal(write(dir, "flip.png", flipped)).contains("CRC mismatch"));
    assertTrue(refusal(write(dir, "text.png", "not an image".getBytes())).contains("neither PNG nor JPEG"));
    // PIL accepts a PNG that ends right after its last IDAT, and so do we
    Rgb noEnd = ImageDecoder.decode(write(dir, "noend.png", Arrays.copyOf(png, png.length - 12)));
    assertEquals(0, maxDifference(noEnd, FIXTURES.resolve("rgb16.png.pil.png")));
  }

  @Test
  void missingFileIsMissing(@TempDir Path dir) {
    BadImageException e = assertThrows(BadImageException.class, () -> ImageHeader.read(dir.resolve("nope.jpg")));
    assertTrue(e.missing());
    assertTrue(e.getMessage().contains("nope.jpg"));
  }

  @Test
  void pilPixelLimit(@TempDir Path dir) throws Exception {
    byte[] jpg = fixture("rgb.jpg");
    int sof = indexOf(jpg, 0xff, 0xc0);
    byte[] huge = jpg.clone();
    huge[sof + 5] = 0x4e; // height 20000 ...
    huge[sof + 6] = 0x20;
    huge[sof + 7] = 0x4e; // ... x width 20000: 400 million pixels
    huge[sof + 8] = 0x20;
    assertTrue(refusal(write(dir, "bomb.jpg", huge)).contains("DecompressionBombError"));
  }

  static int indexOf(byte[] b, int first, int second) {
    for (int i = 0; i + 1 < b.length; i++) if ((b[i] & 0xff) == first && (b[i + 1] & 0xff) == second) return i;
    throw new AssertionError("marker not found");
  }

  @Test
  void huffmanCodeSpace() {
    int[] counts = new int[17];
    counts[1] = 1; // one 1-bit code: 0
    assertTrue(JpegStructure.completeCode(counts));
    counts[1] = 2; // both 1-bit codes: the all-ones code is taken, libjpeg refuses
    assertFalse(JpegStructure.completeCode(counts));
    int[] full = new int[17];
    full[2] = 3;
    full[3] = 1; // 00 01 10 110: leaves 111 free
    assertTrue(JpegStructure.completeCode(full));
  }
}
