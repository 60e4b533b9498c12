package org.mapd.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.mapd.Json;
import org.mapd.data.LlavaRecord;

/**
 * The DoFn of {@link CheckAndSplit}: checks and splits one {@link Range}. Reads its bytes, parses each record
 * once, runs every per-record check and writes the range's shard files itself, one per destination, named by
 * source order and first index (so a retried range overwrites its own shards): "dataset/NAME/" gets the
 * accepted records as {@link DatasetShards}, "rejects/" lines of (source order|index|source|reason, tab,
 * rejects.jsonl line). Outputs the shard files it wrote, relative to the shards folder; counts what it read,
 * accepted, removed and rejected as {@link CheckAndSplit} counters, once per range.
 */
final class SplitRangeFn extends DoFn<Range, String> {
  /** A record larger than this is rejected unread: no LLaVA record comes near it, a hostile file might. */
  static final int MAX_RECORD_BYTES = 64 << 20;

  // The rules travel as JSON strings: the DirectRunner serializes and deserializes the DoFn for every bundle,
  // and with a graph of records the JIT spent 5 s compiling Java serialization (2 s with strings).
  private final String rulesJson;
  private final String sourcesJson;
  private final String datasetsRoot;
  private final boolean okvqaKnown;
  private final String joinsFile;
  private final String shards;
  private final ImageCheck images;
  private transient SplitRules rules;
  private transient List<SplitRules.Source> sources;
  private transient Map<String, List<Pattern>> regexes;
  private transient Map<String, Path> imageRoots;
  private transient Map<String, String> joins;
  /** The datasets a record may go to: the rules', and the combined vqav2+okvqa one. */
  private transient Set<String> datasets;

  /** See {@link CheckAndSplit#CheckAndSplit}. */
  SplitRangeFn(SplitRules rules, List<SplitRules.Source> sources, Path datasets, boolean okvqaKnown, Path joinMap,
      Path shards, ImageCheck images) {
    this.rulesJson = Json.write(rules);
    this.sourcesJson = Json.write(sources);
    this.datasetsRoot = datasets.toString();
    this.okvqaKnown = okvqaKnown;
    this.joinsFile = joinMap.toString();
    this.shards = shards.toString();
    this.images = images;
  }

  @Setup
  public void setup() {
    try {
      rules = Json.MAPPER.readValue(rulesJson, SplitRules.class);
      sources = Json.MAPPER.readValue(sourcesJson, new TypeReference<List<SplitRules.Source>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException("split rules of the DoFn", e);
    }
    regexes = new HashMap<>();
    imageRoots = new HashMap<>();
    joins = JoinMap.load(Path.of(joinsFile));
    datasets = new HashSet<>(rules.datasets());
    datasets.add(rules.okvqa().combined());
    for (SplitRules.Source s : sources) {
      imageRoots.put(s.name(), Path.of(datasetsRoot).resolve(s.imageRoot()).toAbsolutePath().normalize()); // absolute for converted OneVision
      List<Pattern> l = new ArrayList<>();
      for (SplitRules.Rule r : s.rules()) l.add(r.firstHumanRegex() == null ? null : Pattern.compile(r.firstHumanRegex()));
      regexes.put(s.name(), l);
    }
  }

  /** Fixed-width sort key of a record: source order, then index. */
  static String order(int sourceOrder, long index) {
    String i = Long.toString(index);
    return (sourceOrder < 10 ? "0" : "") + sourceOrder + "|" + "000000000000".substring(Math.min(12, i.length())) + i;
  }

  /** The shard file of one range and destination, relative to the shards folder. */
  static String shard(String destination, Range r) {
    return destination + "/" + order(r.order(), r.firstIndex()).replace('|', '-') + ".shard";
  }

  @ProcessElement
  public void process(@Element Range range, OutputReceiver<String> written) throws IOException {
    long first = range.starts()[0];
    long bytes = range.ends()[range.size() - 1] - first;
    byte[] buf = new byte[(int) Math.min(bytes, Range.MAX_BYTES + MAX_RECORD_BYTES)];
    Lines lines = new Lines(buf);
    lines.count(CheckAndSplit.read(range.source()), range.size());
    try (FileChannel ch = FileChannel.open(Path.of(range.file()))) {
      boolean loaded = bytes <= buf.length;
      if (loaded) ReadJsonArray.read(ch, first, buf, (int) bytes);
      for (int i = 0; i < range.size(); i++) {
        long index = range.firstIndex() + i;
        long length = range.ends()[i] - range.starts()[i];
        int off = loaded ? (int) (range.starts()[i] - first) : 0;
        if (!loaded) ReadJsonArray.read(ch, range.starts()[i], buf, (int) Math.min(length, buf.length));
        String damage = range.damaged().get(i);
        if (damage == null && length > MAX_RECORD_BYTES) damage = "a record of " + length + " bytes";
        if (damage != null) {
          lines.reject(range, index, Checks.Reason.MALFORMED_JSON, Checks.rejectLine(range.source(), index,
              Checks.Reason.MALFORMED_JSON, damage, buf, off, (int) Math.min(length, buf.length - off)));
          continue;
        }
        classify(range, index, buf, off, (int) length, lines);
      }
    }
    for (Map.Entry<String, DatasetShards.Writer> d : lines.datasets.entrySet()) {
      String shard = shard(CheckAndSplit.DATASETS + "/" + d.getKey(), range);
      d.getValue().write(Path.of(shards, shard));
      written.output(shard);
    }
    if (lines.rejects.size() > 0) {
      String shard = shard(CheckAndSplit.REJECTS, range);
      Writers.writeShard(Path.of(shards, shard), lines.rejects);
      written.output(shard);
    }
    lines.counts.forEach((name, n) -> Metrics.counter(CheckAndSplit.class, name).inc(n));
  }

  /** Checks and splits one record into lines. */
  private void classify(Range range, long index, byte[] buf, int off, int len, Lines lines) throws IOException {
    String name = range.source();
    SplitRules.Source source = sources.get(range.order());
    boolean pretrain = name.equals(CheckAndSplit.PRETRAIN_SOURCE);
    LlavaRecord r = null;
    try {
      r = Checks.parse(buf, off, len, lines.spans);
      if (Checks.textOnly(r)) {
        if (pretrain) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, "caption without image");
        lines.count(CheckAndSplit.REMOVED_TEXT_ONLY, 1);
        return;
      }
      String firstHuman = Checks.checkTurns(r);
      Path image = Checks.resolve(imageRoots.get(name), r.image());
      String dataset = pretrain ? CheckAndSplit.PRETRAIN
          : Checks.classify(rules, source, regexes.get(name), r, firstHuman, joins, okvqaKnown);
      if (dataset == null || !(pretrain || datasets.contains(dataset))) {
        throw new Checks.Rejected(Checks.Reason.UNKNOWN_DATASET, String.valueOf(dataset));
      }
      images.check(image);
      lines.accept(dataset, range, index, r);
    } catch (Checks.Rejected x) {
      // rare: the record is embedded as JSON when it is JSON, else as a snippet of its bytes
      JsonNode tree = null;
      try {
        tree = Checks.tree(buf, off, len);
      } catch (Checks.Rejected notJson) {
        // stays a snippet
      }
      String line = tree == null
          ? Checks.rejectLine(name, index, x.reason, x.getMessage(), buf, off, len)
          : Checks.rejectLine(name, index, r == null ? null : r.id(), x.reason, x.getMessage(), tree);
      lines.reject(range, index, x.reason, line);
    }
  }

  /** What one range writes and counts: its records per dataset, its rejects as lines, its counters. */
  private static final class Lines {
    final Map<String, DatasetShards.Writer> datasets = new TreeMap<>();
    final ByteArrayOutputStream rejects = new ByteArrayOutputStream();
    final Map<String, Long> counts = new TreeMap<>();
    /** The plain turn values of the record last parsed from the range's buffer, copied as they are. */
    final Checks.Spans spans;
    private final DatasetShards.Bytes record = new DatasetShards.Bytes(1 << 12);
    private final JsonGenerator json;

    Lines(byte[] buf) throws IOException {
      spans = new Checks.Spans(buf);
      json = Checks.COMPACT.getFactory().createGenerator(record);
      json.setRootValueSeparator(null); // one record after another, nothing between them
    }

    void count(String counter, long n) {
      counts.merge(counter, n, Long::sum);
    }

    void accept(String dataset, Range range, long index, LlavaRecord r) throws IOException {
      record.reset();
      Checks.writeJson(r, spans, json);
      json.flush();
      datasets.computeIfAbsent(dataset, k -> new DatasetShards.Writer(range.order(), range.source()))
          .add(index, record.array(), 0, record.size());
      count(CheckAndSplit.accepted(dataset), 1);
    }

    void reject(Range range, long index, Checks.Reason reason, String line) {
      rejects.writeBytes((order(range.order(), index) + '|' + range.source() + '|' + reason.key() + '\t' + line + '\n')
          .getBytes(StandardCharsets.UTF_8));
      count(CheckAndSplit.rejected(range.source(), reason.key()), 1);
    }
  }
}
