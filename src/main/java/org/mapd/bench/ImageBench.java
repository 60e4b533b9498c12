package org.mapd.bench;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.mapd.images.ImageDecoder;
import org.mapd.images.ImageHeader;

/**
 * {@code ./mapd bench images}: images per second of each image check of the preparation, on given files or on
 * synthetic photo-like JPEGs. Files are read once before timing, so they are in the page cache: the figures are
 * the CPU cost; on a cold cache the structure check and the full decode both read every byte of every file.
 */
public final class ImageBench {
  private ImageBench() {}

  /** One check, timed. */
  private interface Check {
    void run(Path file) throws IOException;
  }

  /** The size of a COCO image (COCO's are at most 640 on the long side, most 640x480). */
  public static final int WIDTH = 640, HEIGHT = 480;

  /** Writes n photo-like 640x480 baseline JPEGs (quality 0.9, 4:2:0) into dir. */
  public static List<Path> synthetic(Path dir, int n, long seed) throws IOException {
    Files.createDirectories(dir);
    Random r = new Random(seed);
    List<Path> files = new ArrayList<>();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      for (int i = 0; i < n; i++) {
        Path f = dir.resolve(String.format("%06d.jpg", i));
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.9f);
        Files.deleteIfExists(f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
          writer.setOutput(out);
          writer.write(null, new IIOImage(photoLike(r), null, null), p);
        }
        files.add(f);
      }
    } finally {
      writer.dispose();
    }
    return files;
  }

  /** Smooth colour fields, shapes with hard edges and sensor-like noise: compresses about as a photo does. */
  private static BufferedImage photoLike(Random r) {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    double[][] waves = new double[9][];
    for (int i = 0; i < waves.length; i++) {
      waves[i] = new double[] {r.nextDouble() * 0.03, r.nextDouble() * 0.03, r.nextDouble() * 6.3, 40 + 40 * r.nextDouble()};
    }
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          double v = 128;
          for (int k = c * 3; k < c * 3 + 3; k++) v += waves[k][3] * Math.cos(waves[k][0] * x + waves[k][1] * y + waves[k][2]);
          rgb = rgb << 8 | Math.max(0, Math.min(255, (int) v));
        }
        img.setRGB(x, y, rgb);
      }
    }
    Graphics2D g = img.createGraphics();
    for (int i = 0; i < 30; i++) {
      g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256)));
      int w = 10 + r.nextInt(200);
      int h = 10 + r.nextInt(200);
      if (r.nextBoolean()) g.fillRect(r.nextInt(WIDTH), r.nextInt(HEIGHT), w, h);
      else g.fillOval(r.nextInt(WIDTH), r.nextInt(HEIGHT), w, h);
    }
    g.dispose();
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int p = img.getRGB(x, y);
        int q = 0;
        for (int s = 16; s >= 0; s -= 8) q = q << 8 | Math.max(0, Math.min(255, (p >> s & 0xff) + (int) (r.nextGaussian() * 16)));
        img.setRGB(x, y, q);
      }
    }
    return img;
  }

  /** Times each check over the files (repeating the set for at least {@code seconds}) and prints the rates. */
  public static void run(List<Path> files, double seconds, PrintWriter out) throws IOException {
    long bytes = 0;
    for (Path f : files) bytes += Files.size(f);
    for (Path f : files) Files.readAllBytes(f); // into the page cache
    out.printf("%d files, %.1f MB, %.0f KB on average%n", files.size(), bytes / 1e6, bytes / 1e3 / files.size());
    time("former default: 8 header bytes", files, seconds, out, f -> {
      try (InputStream in = Files.newInputStream(f)) {
        in.readNBytes(8);
      }
    });
    time("structure check (default)", files, seconds, out, ImageHeader::read);
    time("full decode (--full-image-check)", files, seconds, out, ImageDecoder::decode);
    out.flush();
  }

  private static void time(String name, List<Path> files, double seconds, PrintWriter out, Check check) {
    int refused = 0;
    for (Path f : files) refused += attempt(check, f); // warm-up pass: JIT, and the refusal count
    long done = 0;
    long start = System.nanoTime();
    long until = start + (long) (seconds * 1e9);
    do {
      for (Path f : files) attempt(check, f);
      done += files.size();
    } while (System.nanoTime() < until);
    double s = (System.nanoTime() - start) / 1e9;
    double rate = done / s;
    out.printf("%-34s %9.0f images/s  %8.3f ms each  (665k images: %5.1f min on one core)  %d refused%n",
        name, rate, 1e3 / rate, 665_298 / rate / 60, refused);
  }

  private static int attempt(Check check, Path f) {
    try {
      check.run(f);
      return 0;
    } catch (IOException e) {
      return 1;
    }
  }
}
