package org.mapd.data;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A few dozen distinct images of one dataset folder at the real data's pixel sizes, named as that dataset
 * names its files, shared by all the records that point into the folder. Writing one file per record would
 * take hundreds of thousands of files and most of the generation time; with random-weight models what the
 * picture shows does not matter, only that it exists, decodes (RGB JPEG or PNG, by the file extension) and
 * has a realistic size for the resize and crop. Pictures are drawn without text or anti-aliasing, so the
 * bytes depend only on the seed (no system fonts).
 */
public final class ImagePool {
  /** Width and height in pixels. */
  public record Size(int width, int height) {
    public Size {
      if (width < 1 || height < 1) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
  }

  private final List<String> paths;
  private final List<Size> sizes;

  private ImagePool(List<String> paths, List<Size> sizes) {
    this.paths = List.copyOf(paths);
    this.sizes = List.copyOf(sizes);
  }

  /**
   * Draws and writes one image per file name under {@code root/folder}, sizes taken in turn from
   * {@code sizes}.
   *
   * @param folder relative folder ending with "/" (or empty); the pool's paths are folder + name
   */
  public static ImagePool write(Path root, String folder, List<String> names, List<Size> sizes, long seed) {
    if (names.isEmpty() || sizes.isEmpty()) throw new IllegalArgumentException("an image pool needs names and sizes");
    List<String> paths = new ArrayList<>();
    List<Size> used = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Size s = sizes.get(i % sizes.size());
      String path = folder + names.get(i);
      // one seed per image, so that a pool does not depend on what was drawn before it
      write(root.resolve(path), picture(s, new Random(Seeds.mix(seed, path.hashCode()))));
      paths.add(path);
      used.add(s);
    }
    return new ImagePool(paths, used);
  }

  public int size() {
    return paths.size();
  }

  /** The path of record {@code index}'s image (pool members in turn). */
  public String path(long index) {
    return paths.get((int) Math.floorMod(index, (long) paths.size()));
  }

  /** The size of the image {@link #path(long)} names. */
  public Size sizeOf(long index) {
    return sizes.get((int) Math.floorMod(index, (long) paths.size()));
  }

  public List<String> paths() {
    return paths;
  }

  /** A gradient background with a few filled shapes, like nothing in particular. */
  static BufferedImage picture(Size s, Random r) {
    BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setPaint(new GradientPaint(0, 0, color(r), s.width(), s.height(), color(r)));
      g.fillRect(0, 0, s.width(), s.height());
      int shapes = 3 + r.nextInt(6);
      for (int k = 0; k < shapes; k++) {
        g.setColor(color(r));
        int w = 1 + r.nextInt(Math.max(1, s.width() / 2)), h = 1 + r.nextInt(Math.max(1, s.height() / 2));
        int x = r.nextInt(s.width()), y = r.nextInt(s.height());
        if (r.nextBoolean()) g.fillRect(x - w / 2, y - h / 2, w, h);
        else g.fillOval(x - w / 2, y - h / 2, w, h);
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  private static Color color(Random r) {
    return new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256));
  }

  /** Writes an RGB image as JPEG or PNG, by the file's extension. */
  static void write(Path file, BufferedImage img) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    String format = name.endsWith(".png") ? "png" : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "jpg" : null;
    if (format == null) throw new IllegalArgumentException("image file must end with .jpg or .png: " + file);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (!ImageIO.write(img, format, file.toFile())) throw new IOException("no ImageIO writer for " + format);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
