package org.mapd.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.apache.beam.sdk.values.TupleTag;
import org.mapd.Json;

/** The DoFns at the end of the preparation: duplicates, and the files written from grouped records. */
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

  /** Keeps the earliest of identical records (by source order, then index); the others are rejects. */
  static final class Dedup extends DoFn<KV<String, Iterable<KV<String, Long>>>, KV<String, KV<Long, String>>> {
    static final TupleTag<KV<String, KV<Long, String>>> KEPT = new TupleTag<>() {};

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, Long>>> e, MultiOutputReceiver out) {
      List<KV<String, Long>> all = new ArrayList<>();
      e.getValue().forEach(all::add);
      all.sort(Comparator.comparing(KV::getKey));
      String[] first = all.get(0).getKey().split("\\|");
      out.get(KEPT).output(KV.of(first[3], KV.of(all.get(0).getValue(), e.getKey())));
      for (int i = 1; i < all.size(); i++) {
        String[] t = all.get(i).getKey().split("\\|");
        String id = null;
        try {
          JsonNode n = Checks.COMPACT.readTree(e.getKey()).get("id");
          id = n == null || n.isNull() ? null : n.asText();
        } catch (IOException ignored) {
          // the key is our own compact JSON; it always parses
        }
        long index = all.get(i).getValue();
        out.get(Classify.REJECTED).output(KV.of(t[0] + "|" + t[1] + "|" + t[2] + "|" + Checks.Reason.DUPLICATE.key(),
            Checks.rejectLine(t[2], index, id, Checks.Reason.DUPLICATE, e.getKey())));
      }
    }
  }

  /** Writes one dataset's records in input order; emits ("dataset:"+name, count). */
  static final class WriteDataset extends DoFn<KV<String, Iterable<KV<Long, String>>>, KV<String, Long>> {
    private final String out;

    WriteDataset(String out) { this.out = out; }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<Long, String>>> e, OutputReceiver<KV<String, Long>> o) {
      List<KV<Long, String>> recs = new ArrayList<>();
      e.getValue().forEach(recs::add);
      recs.sort(Comparator.comparing(KV::getKey));
      List<String> json = new ArrayList<>(recs.size());
      for (KV<Long, String> r : recs) json.add(r.getValue());
      writeJsonArray(PrepareData.datasetFile(Path.of(out), e.getKey()), json);
      o.output(KV.of("dataset:" + e.getKey(), (long) json.size()));
    }
  }

  /** Writes rejects.jsonl sorted by (source order, index); emits ("rejected:"+source+":"+reason, count). */
  static final class WriteRejects extends DoFn<KV<String, Iterable<KV<String, String>>>, KV<String, Long>> {
    private final String out;

    WriteRejects(String out) { this.out = out; }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<String, String>>> e, OutputReceiver<KV<String, Long>> o) {
      List<KV<String, String>> all = new ArrayList<>();
      e.getValue().forEach(all::add);
      all.sort(Comparator.comparing(KV::getKey));
      Map<String, Long> counts = new TreeMap<>();
      List<String> lines = new ArrayList<>(all.size());
      for (KV<String, String> r : all) {
        String[] k = r.getKey().split("\\|");
        counts.merge("rejected:" + k[2] + ":" + k[3], 1L, Long::sum);
        lines.add(r.getValue());
      }
      writeLines(Path.of(out, "rejects.jsonl"), "", lines, "\n", lines.isEmpty() ? "" : "\n");
      counts.forEach((k, v) -> o.output(KV.of(k, v)));
    }
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
