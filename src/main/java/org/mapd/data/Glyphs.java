package org.mapd.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-made 5x7 bitmap font (digits, capital letters, + - x ? =) and 7x7 / 4x4 shapes. Servers may
 * have no fonts, so java.awt text rendering is never used; every glyph fits one 8x8 patch cell.
 */
final class Glyphs {
  private Glyphs() {}

  /** Shape names as used in captions and answers; each has a large (7x7) and a small (4x4) bitmap. */
  static final List<String> SHAPES = List.of("square", "circle", "triangle", "cross", "diamond", "bar");

  private static final Map<Character, String[]> FONT = new HashMap<>();
  private static final Map<String, String[]> LARGE = new HashMap<>();
  private static final Map<String, String[]> SMALL = new HashMap<>();

  private static void c(char ch, String... rows) { FONT.put(ch, rows); }

  static {
    c('0', ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.");
    c('1', "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.");
    c('2', ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####");
    c('3', "####.", "....#", "....#", ".###.", "....#", "....#", "####.");
    c('4', "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.");
    c('5', "#####", "#....", "####.", "....#", "....#", "#...#", ".###.");
    c('6', "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.");
    c('7', "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...");
    c('8', ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.");
    c('9', ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..");
    c('+', ".....", "..#..", "..#..", "#####", "..#..", "..#..", ".....");
    c('-', ".....", ".....", ".....", "#####", ".....", ".....", ".....");
    c('x', ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", ".....");
    c('=', ".....", ".....", "#####", ".....", "#####", ".....", ".....");
    c('?', ".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#..");
    c('A', ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
    c('B', "####.", "#...#", "#...#", "####.", "#...#", "#...#", "####.");
    c('C', ".###.", "#...#", "#....", "#....", "#....", "#...#", ".###.");
    c('D', "####.", "#...#", "#...#", "#...#", "#...#", "#...#", "####.");
    c('E', "#####", "#....", "#....", "####.", "#....", "#....", "#####");
    c('F', "#####", "#....", "#....", "####.", "#....", "#....", "#....");
    c('G', ".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####");
    c('H', "#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#");
    c('I', ".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###.");
    c('J', "..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##..");
    c('K', "#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#");
    c('L', "#....", "#....", "#....", "#....", "#....", "#....", "#####");
    c('M', "#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#");
    c('N', "#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#");
    c('O', ".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
    c('P', "####.", "#...#", "#...#", "####.", "#....", "#....", "#....");
    c('Q', ".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#");
    c('R', "####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#");
    c('S', ".####", "#....", "#....", ".###.", "....#", "....#", "####.");
    c('T', "#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#..");
    c('U', "#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###.");
    c('V', "#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#..");
    c('W', "#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#.");
    c('X', "#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#");
    c('Y', "#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#..");
    c('Z', "#####", "....#", "...#.", "..#..", ".#...", "#....", "#####");

    shape("square", new String[] {"#######", "#######", "#######", "#######", "#######", "#######", "#######"},
        new String[] {"####", "####", "####", "####"});
    shape("circle", new String[] {"..###..", ".#####.", "#######", "#######", "#######", ".#####.", "..###.."},
        new String[] {".##.", "####", "####", ".##."});
    shape("triangle", new String[] {"...#...", "..###..", "..###..", ".#####.", ".#####.", "#######", "#######"},
        new String[] {".##.", ".##.", "####", "####"});
    shape("cross", new String[] {"..###..", "..###..", "#######", "#######", "#######", "..###..", "..###.."},
        new String[] {".#..", "###.", ".#..", ".#.."});
    shape("diamond", new String[] {"...#...", "..###..", ".#####.", "#######", ".#####.", "..###..", "...#..."},
        new String[] {".#..", "###.", ".#..", "...."});
    shape("bar", new String[] {".......", ".......", "#######", "#######", "#######", ".......", "......."},
        new String[] {"....", "####", "####", "...."});
  }

  private static void shape(String name, String[] large, String[] small) {
    LARGE.put(name, large);
    SMALL.put(name, small);
  }

  static boolean hasGlyph(char ch) { return FONT.containsKey(ch); }

  /** Draws character {@code ch} in cell (row, col) of the 4x4 grid, offset (dx, 0..1) inside the cell. */
  static void drawChar(int[] rgb, char ch, int row, int col, int dx, int color) {
    String[] g = FONT.get(ch);
    if (g == null) throw new IllegalArgumentException("no glyph for '" + ch + "'");
    blit(rgb, g, row * 8 + 1, col * 8 + 1 + dx, color);
  }

  /** Draws a shape in cell (row, col): large fills 7x7, small is 4x4 at offset (dy, dx) in 0..3. */
  static void drawShape(int[] rgb, String shape, boolean large, int row, int col, int dy, int dx, int color) {
    String[] g = (large ? LARGE : SMALL).get(shape);
    if (g == null) throw new IllegalArgumentException("unknown shape " + shape);
    if (large) blit(rgb, g, row * 8, col * 8, color);
    else blit(rgb, g, row * 8 + 1 + Math.min(dy, 2), col * 8 + 1 + Math.min(dx, 2), color);
  }

  /** A 1-pixel rectangle around cells [c0..c1] of one grid row (top on the cell's free first line). */
  static void drawBox(int[] rgb, int row, int c0, int c1, int color) {
    int y0 = row * 8, y1 = Math.min(31, row * 8 + 8), x0 = c0 * 8, x1 = c1 * 8 + 7;
    for (int x = x0; x <= x1; x++) { rgb[y0 * 32 + x] = color; rgb[y1 * 32 + x] = color; }
    for (int y = y0; y <= y1; y++) { rgb[y * 32 + x0] = color; rgb[y * 32 + x1] = color; }
  }

  private static void blit(int[] rgb, String[] g, int y0, int x0, int color) {
    for (int y = 0; y < g.length; y++) {
      for (int x = 0; x < g[y].length(); x++) {
        if (g[y].charAt(x) == '#') rgb[(y0 + y) * 32 + x0 + x] = color;
      }
    }
  }
}
