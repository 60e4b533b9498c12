package org.mapd.pipelines;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mapd.Dirs;

/** The end of the preparation: shard files written by the pipeline, merged into the outputs. */
final class Writers {
  private Writers() {}

  /** Writes a file whole ({@link Dirs#writeAtomic}): open, the items joined by sep, close. */
  static void writeLines(Path file, String open, List<String> items, String sep, String close) {
    Dirs.writeAtomic(file, tmp -> {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        w.write(open);
        for (int i = 0; i < items.size(); i++) {
          if (i > 0) w.write(sep);
          w.write(items.get(i));
        }
        w.write(close);
      }
    });
  }

  /** Writes one shard (lines of "sort key\tline") whole: a retried range replaces it. */
  static void writeShard(Path file, java.io.ByteArrayOutputStream lines) {
    Dirs.writeAtomic(file, tmp -> {
      try (var w = Files.newOutputStream(tmp)) {
        lines.writeTo(w);
      }
    });
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
