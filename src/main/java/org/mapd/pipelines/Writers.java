package org.mapd.pipelines;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/** The end of the preparation: shard files written by the pipeline, merged into the outputs. */
final class Writers {
  private Writers() {}

  /** Writes a file through a sibling temp file, so a reader never sees half of it. */
  static void writeLines(Path file, String open, List<String> items, String sep, String close) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write(open);
        for (int i = 0; i < items.size(); i++) {
          if (i > 0) w.write(sep);
          w.write(items.get(i));
        }
        w.write(close);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static void writeJsonArray(Path file, List<String> items) {
    writeLines(file, items.isEmpty() ? "[" : "[\n", items, ",\n", "\n]\n");
  }

  /** Writes one shard (lines of "sort key\tline") through a temp file: a retried range replaces it whole. */
  static void writeShard(Path file, java.io.ByteArrayOutputStream lines) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
    try (var w = Files.newOutputStream(tmp)) {
      lines.writeTo(w);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Every (sort key, line) of one destination's shards in key order, empty when none was written. Shards
   * are named by their first key and hold consecutive records in order, so the shard order is the order.
   */
  static List<String[]> merge(Path destination) {
    List<String[]> all = new ArrayList<>();
    if (!Files.isDirectory(destination)) return all;
    try (var shards = Files.list(destination)) {
      for (Path shard : shards.filter(f -> f.toString().endsWith(".shard")).sorted().toList()) {
        try (var in = Files.newBufferedReader(shard, StandardCharsets.UTF_8)) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            int tab = line.indexOf('\t');
            all.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }

  /** What the merge of one dataset tells about a record it drops: its sort key and its JSON line. */
  interface Duplicate {
    void found(String key, byte[] buf, int off, int len);
  }

  /**
   * Writes one dataset file from its shards, in key order, as bytes (no decoding): a JSON array with one
   * record per line. A record equal byte for byte to an earlier one is left out and handed to
   * {@code duplicate}. Returns the number of records written.
   */
  static long mergeDataset(Path destination, Path file, Duplicate duplicate) {
    Set<Line> seen = new HashSet<>();
    long n = 0;
    try (var shards = Files.list(destination)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
      try (OutputStream w = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        w.write('[');
        for (Path shard : shards.filter(f -> f.toString().endsWith(".shard")).sorted().toList()) {
          byte[] b = Files.readAllBytes(shard);
          for (int start = 0, nl; start < b.length; start = nl + 1) {
            nl = indexOf(b, (byte) '\n', start);
            int tab = indexOf(b, (byte) '\t', start);
            Line json = new Line(b, tab + 1, nl - tab - 1);
            if (!seen.add(json)) {
              duplicate.found(new String(b, start, tab - start, StandardCharsets.UTF_8), b, json.off, json.len);
              continue;
            }
            w.write(n++ == 0 ? NEW_LINE : COMMA_NEW_LINE);
            w.write(b, json.off, json.len);
          }
        }
        w.write(CLOSE);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return n;
  }

  /** The bytes around the records of a dataset file: "[", NEW_LINE, record, COMMA_NEW_LINE, record, ..., CLOSE. */
  static final byte[] NEW_LINE = {'\n'}, COMMA_NEW_LINE = {',', '\n'}, CLOSE = {'\n', ']', '\n'};

  private static int indexOf(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) if (b[i] == x) return i;
    throw new IllegalStateException("shard line without " + (x == '\n' ? "end" : "key"));
  }

  /** A slice of a shard, equal to another by content. */
  private static final class Line {
    final byte[] buf;
    final int off, len, hash;

    Line(byte[] buf, int off, int len) {
      this.buf = buf;
      this.off = off;
      this.len = len;
      int h = 1;
      for (int i = off; i < off + len; i++) h = 31 * h + buf[i];
      hash = h;
    }

    @Override
    public int hashCode() { return hash; }

    @Override
    public boolean equals(Object o) {
      return o instanceof Line l && l.hash == hash && Arrays.equals(buf, off, off + len, l.buf, l.off, l.off + l.len);
    }
  }
}
