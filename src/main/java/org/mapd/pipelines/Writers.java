package org.mapd.pipelines;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.mapd.Json;

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

  /**
   * Appends (sort key, line) pairs to one shard file per destination and bundle. A GroupByKey into one
   * big group per dataset is quadratic on the DirectRunner (its in-memory state copies the whole bag for
   * every bundle), so ordering and concatenation happen in {@link #merge} after the pipeline.
   */
  static final class WriteShards extends DoFn<KV<String, KV<String, String>>, Void> {
    private final String dir;
    private transient Map<String, StringBuilder> buffers;

    WriteShards(String dir) { this.dir = dir; }

    @StartBundle
    public void start() { buffers = new TreeMap<>(); }

    @ProcessElement
    public void process(@Element KV<String, KV<String, String>> e) {
      buffers.computeIfAbsent(e.getKey(), k -> new StringBuilder())
          .append(e.getValue().getKey()).append('\t').append(e.getValue().getValue()).append('\n');
    }

    @FinishBundle
    public void finish() throws IOException {
      for (Map.Entry<String, StringBuilder> b : buffers.entrySet()) {
        Path d = Path.of(dir, b.getKey());
        Files.createDirectories(d);
        Files.writeString(d.resolve(java.util.UUID.randomUUID() + ".shard"), b.getValue(), StandardCharsets.UTF_8);
      }
      buffers = null;
    }
  }

  /** Every (sort key, line) of one destination's shards, sorted by key; empty when none was written. */
  static List<String[]> merge(Path destination, Comparator<String> byKey) {
    List<String[]> all = new ArrayList<>();
    if (!Files.isDirectory(destination)) return all;
    try (var shards = Files.list(destination)) {
      for (Path shard : shards.toList()) {
        for (String line : Files.readAllLines(shard, StandardCharsets.UTF_8)) {
          int tab = line.indexOf('\t');
          all.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    all.sort((a, b) -> byKey.compare(a[0], b[0]));
    return all;
  }

  /** Writes all counters as one JSON object for the driver. */
  static final class WriteCounts extends DoFn<KV<String, Iterable<KV<String, Long>>>, Void> {
    private final String file;

    WriteCounts(String file) { this.file = file; }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, Long>>> e) {
      Map<String, Long> m = new TreeMap<>();
      e.getValue().forEach(kv -> m.merge(kv.getKey(), kv.getValue(), Long::sum));
      Json.writeAtomic(Path.of(file), m);
    }
  }
}
