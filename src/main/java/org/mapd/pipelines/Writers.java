package org.mapd.pipelines;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
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
}
