package org.mapd.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The pictures of {@link SynthData}: 32x32 scenes of shapes, words and arithmetic on a 4x4 grid of 8x8 cells
 * (one thing per ViT patch), drawn from the generator's one {@link Random}, and their PNG encoding.
 */
final class Scenes {
  private static final int[][] RGB = {
    {220, 40, 40}, {40, 200, 60}, {50, 80, 230}, {230, 220, 40}, {170, 60, 200}, {240, 140, 30}
  };

  private final Random rnd;

  Scenes(Random rnd) {
    this.rnd = rnd;
  }

  /** One object of a scene, in grid cell (row, col). */
  record Obj(String color, String shape, boolean large, int row, int col) {
    String phrase() { return (large ? "large " : "small ") + color + " " + shape; }
    String box() {
      return String.format(Locale.ROOT, "[%.2f, %.2f, %.2f, %.2f]", col / 4.0, row / 4.0, (col + 1) / 4.0, (row + 1) / 4.0);
    }
    String where() {
      return (row < 2 ? "top " : "bottom ") + (col < 2 ? "left" : "right");
    }
    Obj withColor(String c) { return new Obj(c, shape, large, row, col); }
    Obj withShape(String s) { return new Obj(color, s, large, row, col); }
    Obj withLarge(boolean l) { return new Obj(color, shape, l, row, col); }
  }

  /** An arithmetic expression a op b; op "?" hides the operator. */
  record Expr(int a, String op, int b) {
    int value() { return value(op); }
    int value(String o) { return switch (o) { case "+" -> a + b; case "-" -> a - b; default -> a * b; }; }
    String text() { return a + " " + op + " " + b; }
  }

  int[] canvas() {
    int[] px = new int[32 * 32];
    int bg = rgb(10 + rnd.nextInt(25), 10 + rnd.nextInt(25), 10 + rnd.nextInt(25));
    java.util.Arrays.fill(px, bg);
    return px;
  }

  int color(String name) {
    int[] c = RGB[SynthData.COLORS.indexOf(name)];
    return rgb(jitter(c[0]), jitter(c[1]), jitter(c[2]));
  }

  int white() { int v = 200 + rnd.nextInt(50); return rgb(v, v, v); }

  private int jitter(int v) { return Math.max(0, Math.min(255, v - 15 + rnd.nextInt(31))); }

  static int rgb(int r, int g, int b) { return (r << 16) | (g << 8) | b; }

  String pick(List<String> l) { return l.get(rnd.nextInt(l.size())); }

  /** A random element of {@code l} other than {@code not}. */
  String other(List<String> l, String not) {
    String x;
    do x = pick(l); while (x.equals(not));
    return x;
  }

  List<Obj> objects(int n) {
    List<Integer> cells = new ArrayList<>();
    for (int i = 0; i < 16; i++) cells.add(i);
    Collections.shuffle(cells, rnd);
    List<Obj> objs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      objs.add(new Obj(pick(SynthData.COLORS), pick(Glyphs.SHAPES), rnd.nextBoolean(), cells.get(i) / 4, cells.get(i) % 4));
    }
    return objs;
  }

  int[] draw(List<Obj> objs) {
    int[] px = canvas();
    for (Obj o : objs) {
      Glyphs.drawShape(px, o.shape(), o.large(), o.row(), o.col(), rnd.nextInt(3), rnd.nextInt(3), color(o.color()));
    }
    return px;
  }

  int[] drawText(int[] px, String text, int row, int col, int color) {
    for (int i = 0; i < text.length(); i++) {
      Glyphs.drawChar(px, Character.toUpperCase(text.charAt(i)), row, col + i, rnd.nextInt(2), color);
    }
    return px;
  }

  int[] drawExpr(Expr e) {
    return drawText(canvas(), "" + e.a() + e.op().charAt(0) + e.b(), rnd.nextInt(4), rnd.nextInt(2), white());
  }

  Expr randomExpr(String op) { return new Expr(rnd.nextInt(10), op, rnd.nextInt(10)); }

  /**
   * Expressions for training arithmetic: the first ones reach every value an operator_induction query can
   * have (so each answer word occurs in training), the rest are random.
   */
  List<Expr> coveringExprs(int n) {
    Map<Integer, Expr> byValue = new TreeMap<>();
    for (String op : SynthData.OPS) for (int a = 0; a < 10; a++) for (int b = 0; b < 10; b++) byValue.putIfAbsent(new Expr(a, op, b).value(), new Expr(a, op, b));
    List<Expr> l = new ArrayList<>(byValue.values());
    while (l.size() < n) l.add(randomExpr(SynthData.OPS[rnd.nextInt(3)]));
    Collections.shuffle(l, rnd);
    return l.subList(0, n);
  }

  static String describe(List<Obj> objs) {
    List<String> p = new ArrayList<>();
    for (Obj o : objs) p.add("a " + o.phrase());
    return String.join(" and ", p);
  }

  static long count(List<Obj> objs, java.util.function.Predicate<Obj> f) {
    return objs.stream().filter(f).count();
  }

  /**
   * Two or three words on separate rows, the first framed by a red box: its word goes to {@code answer[1]}
   * and, when {@code box} is given, its frame [x, y, w, h] in pixels to {@code box}.
   */
  int[] boxedWords(String[] answer, int[] box) {
    int[] px = canvas();
    List<Integer> rows = new ArrayList<>(List.of(0, 1, 2));
    Collections.shuffle(rows, rnd);
    int nWords = 2 + rnd.nextInt(2);
    for (int k = 0; k < nWords; k++) {
      String w = pick(SynthData.WORDS);
      int row = rows.get(k), col = rnd.nextInt(5 - w.length());
      drawText(px, w, row, col, rnd.nextBoolean() ? white() : color("yellow"));
      if (k == 0) {
        answer[1] = w;
        Glyphs.drawBox(px, row, col, col + w.length() - 1, rgb(255, 0, 0));
        if (box != null) {
          box[0] = col * 8;
          box[1] = row * 8;
          box[2] = w.length() * 8;
          box[3] = 9;
        }
      }
    }
    return px;
  }

  int[] openMiImage(String shape) {
    List<Obj> one = objects(1);
    Obj o = one.get(0);
    return draw(List.of(new Obj(o.color(), shape, true, o.row(), o.col())));
  }

  /**
   * Writes a 32x32 RGB PNG. Encoded by hand (IHDR, one zlib IDAT, IEND): for thousands of tiny images
   * ImageIO's per-call writer set-up costs more than the pixels, and this output is byte-stable.
   */
  static void png(Path file, int[] px) {
    byte[] raw = new byte[32 * (1 + 32 * 3)];
    int k = 0;
    for (int y = 0; y < 32; y++) {
      raw[k++] = 0; // filter: none
      for (int x = 0; x < 32; x++) {
        int v = px[y * 32 + x];
        raw[k++] = (byte) (v >> 16);
        raw[k++] = (byte) (v >> 8);
        raw[k++] = (byte) v;
      }
    }
    Deflater d = new Deflater(Deflater.BEST_SPEED);
    d.setInput(raw);
    d.finish();
    ByteArrayOutputStream z = new ByteArrayOutputStream(raw.length);
    byte[] buf = new byte[4096];
    while (!d.finished()) z.write(buf, 0, d.deflate(buf));
    d.end();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(z.size() + 64);
      DataOutputStream o = new DataOutputStream(bytes);
      o.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
      chunk(o, "IHDR", new byte[] {0, 0, 0, 32, 0, 0, 0, 32, 8, 2, 0, 0, 0}); // 8-bit RGB
      chunk(o, "IDAT", z.toByteArray());
      chunk(o, "IEND", new byte[0]);
      Files.createDirectories(file.getParent());
      Files.write(file, bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(file.toString(), e);
    }
  }

  private static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    o.writeInt(data.length);
    o.write(t);
    o.write(data);
    o.writeInt((int) crc.getValue());
  }
}
