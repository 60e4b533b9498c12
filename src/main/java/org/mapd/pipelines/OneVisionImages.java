package org.mapd.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The image files of one OneVision subset folder. A file is named after the Image feature's path (its last
 * component) or, without one, after the row id plus the extension its magic bytes call for; names are reduced
 * to a safe character set so no name can leave the folder. Two different images that want the same name get
 * -2, -3, ... (decided in row order, so a rerun names them the same); the same bytes under the same name are
 * written once and shared.
 */
final class OneVisionImages {
  /** Longest name we write: file systems stop at 255 bytes. */
  private static final int MAX_NAME = 200;
  /** Marks names already taken by something else than an image (the subset JSON, the parquet inputs). */
  private static final byte[] RESERVED = new byte[0];

  private final Path dir;
  private final Map<String, byte[]> digests = new HashMap<>();
  private long written;

  OneVisionImages(Path dir, Collection<String> reserved) {
    this.dir = dir;
    reserved.forEach(name -> digests.put(name, RESERVED));
  }

  /** Image files written so far. */
  long written() { return written; }

  /** Writes the row's image (if it has bytes) and returns its file name, or null for a row without image. */
  String write(OneVisionRow row, String fileStem) throws IOException {
    byte[] bytes = row.imageBytes();
    if (bytes == null) return null;
    String name = safe(baseName(row.imagePath()));
    if (name.isEmpty()) {
      String stem = row.id() != null ? row.id() : fileStem + "_" + row.rowInFile();
      name = safe(stem + extension(bytes));
    }
    byte[] digest = sha256(bytes);
    int dot = name.lastIndexOf('.') > 0 ? name.lastIndexOf('.') : name.length();
    String candidate = name;
    for (int k = 2; digests.containsKey(candidate) && !Arrays.equals(digests.get(candidate), digest); k++) {
      candidate = name.substring(0, dot) + "-" + k + name.substring(dot);
    }
    if (digests.putIfAbsent(candidate, digest) == null) {
      Files.write(dir.resolve(candidate), bytes);
      written++;
    }
    return candidate;
  }

  /** The last component of a path written on any system; "" for null. */
  static String baseName(String path) {
    if (path == null) return "";
    return path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  }

  /** Only ASCII letters, digits and ._()+,=- survive; no leading dot, so never "." or ".." or a hidden file. */
  static String safe(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (char c : name.toCharArray()) {
      boolean ok = c < 128 && (Character.isLetterOrDigit(c) || "._()+,=-".indexOf(c) >= 0);
      b.append(ok ? c : '_');
    }
    String s = b.length() > MAX_NAME ? b.substring(b.length() - MAX_NAME) : b.toString();
    return s.startsWith(".") ? "_" + s : s;
  }

  /** The extension for the image format named by the first bytes; ".bin" leaves an unknown format for the checks. */
  static String extension(byte[] b) {
    if (starts(b, 0x89, 'P', 'N', 'G')) return ".png";
    if (starts(b, 0xFF, 0xD8, 0xFF)) return ".jpg";
    if (starts(b, 'G', 'I', 'F', '8')) return ".gif";
    if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return ".webp";
    }
    if (starts(b, 'B', 'M')) return ".bmp";
    return ".bin";
  }

  private static boolean starts(byte[] b, int... magic) {
    if (b.length < magic.length) return false;
    for (int i = 0; i < magic.length; i++) {
      if ((b[i] & 0xFF) != magic[i]) return false;
    }
    return true;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
