package org.mapd.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.beam.sdk.transforms.DoFn;
import org.mapd.data.LlavaRecord;

/**
 * Checks and splits one {@link Range}: reads its bytes, parses each record once, runs every per-record
 * check and writes the range's shard files itself (one per destination, named by source order and first
 * index, so a retried range overwrites its own shards), its counters included.
 * Shard lines: "dataset/"+name gets (source order|index|source, compact JSON); "rejects" gets
 * (source order|index|source|reason, rejects.jsonl line).
 */
final class Classify extends DoFn<Range, Void> {
  /** Pseudo-dataset of the accepted caption records. */
  static final String PRETRAIN = "__pretrain";
  static final String REJECTS = "rejects";
  static final String COUNTS = "counts";
  /** A record larger than this is rejected unread: no LLaVA record comes near it, a hostile file might. */
  static final int MAX_RECORD_BYTES = 64 << 20;

  private static final JoinMap.PerJvm<Map<String, String>> JOINS = new JoinMap.PerJvm<>(JoinMap::read);
  private static final JoinMap.PerJvm<Set<String>> IMAGE_INDEX =
      new JoinMap.PerJvm<>(f -> DataBench.imageIndex(f.toString()));

  private final SplitRules rules;
  private final List<SplitRules.Source> sources;
  private final String datasetsRoot;
  private final boolean fullImageCheck;
  private final boolean okvqaKnown;
  private final String joinsFile;
  private final String shards;
  private transient Map<String, List<Pattern>> regexes;
  private transient Map<String, Path> imageRoots;
  private transient Map<String, String> joins;
  /** Benchmarks only: -Dmapd.imageIndex=FILE lists the existing images (absolute paths), so none is opened. */
  private transient Set<String> imageIndex;

  /**
   * @param sources the mix/OneVision sources in order, then a pretrain pseudo-source named "pretrain"
   * @param joinsFile the {@link JoinMap} file
   * @param shards the folder of the shard files
   */
  Classify(SplitRules rules, List<SplitRules.Source> sources, String datasetsRoot, boolean fullImageCheck,
      boolean okvqaKnown, String joinsFile, String shards) {
    this.rules = rules;
    this.sources = sources;
    this.datasetsRoot = datasetsRoot;
    this.fullImageCheck = fullImageCheck;
    this.okvqaKnown = okvqaKnown;
    this.joinsFile = joinsFile;
    this.shards = shards;
  }

  @Setup
  public void setup() {
    regexes = new HashMap<>();
    imageRoots = new HashMap<>();
    String index = System.getProperty(DataBench.IMAGE_INDEX);
    imageIndex = index == null ? null : IMAGE_INDEX.get(Path.of(index));
    joins = JOINS.get(Path.of(joinsFile));
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

  /** The shard file of one range and destination. */
  static Path shard(String shards, String destination, Range r) {
    return Path.of(shards, destination, order(r.order(), r.firstIndex()).replace('|', '-') + ".shard");
  }

  @ProcessElement
  public void process(@Element Range range) throws IOException {
    long first = range.starts()[0];
    long bytes = range.ends()[range.size() - 1] - first;
    byte[] buf = new byte[(int) Math.min(bytes, Range.MAX_BYTES + MAX_RECORD_BYTES)];
    Map<String, StringBuilder> lines = new TreeMap<>();
    long removed = 0;
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
          reject(lines, range, index, Checks.Reason.MALFORMED_JSON, Checks.rejectLine(range.source(), index,
              Checks.Reason.MALFORMED_JSON, damage, buf, off, (int) Math.min(length, buf.length - off)));
          continue;
        }
        removed += classify(range, index, buf, off, (int) length, lines);
      }
    }
    for (Map.Entry<String, StringBuilder> l : lines.entrySet()) {
      Writers.writeShard(shard(shards, l.getKey(), range), l.getValue());
    }
    // counters as a shard too: no aggregation transforms, whose set-up costs seconds per pipeline
    Writers.writeShard(shard(shards, COUNTS, range),
        "read:" + range.source() + '\t' + range.size() + "\nremoved_text_only\t" + removed + '\n');
  }

  /** Checks and splits one record into lines; returns 1 when it is text-only (removed), else 0. */
  private int classify(Range range, long index, byte[] buf, int off, int len, Map<String, StringBuilder> lines) {
    String name = range.source();
    SplitRules.Source source = sources.get(range.order());
    boolean pretrain = name.equals("pretrain");
    JsonNode tree = null;
    String id = null;
    try {
      tree = Checks.tree(buf, off, len);
      LlavaRecord r = Checks.parse(tree);
      id = r.id();
      if (Checks.textOnly(r)) {
        if (pretrain) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, "caption without image");
        return 1;
      }
      String firstHuman = Checks.checkTurns(r);
      Path image = Checks.resolve(imageRoots.get(name), r.image());
      String dataset = pretrain ? PRETRAIN
          : Checks.classify(rules, source, regexes.get(name), r, firstHuman, joins, okvqaKnown);
      if (dataset == null || !(pretrain || rules.datasets().contains(dataset) || dataset.equals(rules.okvqa().combined()))) {
        throw new Checks.Rejected(Checks.Reason.UNKNOWN_DATASET, String.valueOf(dataset));
      }
      if (imageIndex == null) Checks.checkImage(image, fullImageCheck);
      else if (!imageIndex.contains(image.toString())) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, image.toString());
      lines.computeIfAbsent("dataset/" + dataset, k -> new StringBuilder(1 << 16))
          .append(order(range.order(), index)).append('|').append(name).append('\t').append(Checks.toJson(r)).append('\n');
    } catch (Checks.Rejected x) {
      String line = tree == null
          ? Checks.rejectLine(name, index, x.reason, x.getMessage(), buf, off, len)
          : Checks.rejectLine(name, index, id, x.reason, x.getMessage(), tree);
      reject(lines, range, index, x.reason, line);
    }
    return 0;
  }

  private static void reject(Map<String, StringBuilder> lines, Range range, long index, Checks.Reason reason, String line) {
    lines.computeIfAbsent(REJECTS, k -> new StringBuilder()).append(order(range.order(), index)).append('|')
        .append(range.source()).append('|').append(reason.key()).append('\t').append(line).append('\n');
  }
}
