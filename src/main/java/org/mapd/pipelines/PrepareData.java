package org.mapd.pipelines;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.apache.beam.sdk.transforms.Create;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.conf.Training;

/**
 * The Beam preparation, {@code mapd data prepare}: checks and splits every record of the conversation sources by
 * pipelines/split_rules.json into the 15 finetuning datasets (authors' layout, method.md §2), keeps the accepted
 * LCS-558K captions, writes rejects.jsonl and summary.json, then the meta-task manifests. {@link #run} is the
 * program, one named step after another: the driver scans each JSON array file for its element boundaries
 * ({@link ReadJsonArray}) while a second core builds the {@link JoinMap}, and cuts the files into {@link Range}s;
 * the pipeline is one composite transform, {@link CheckAndSplit}, whose DoFn parses, checks and writes a whole
 * range per call; the driver then concatenates its shards into the dataset files, reconciles the pipeline's
 * counters with what was written, and writes the summary, the image links and the manifests. One code path for
 * DirectRunner and FlinkRunner ({@link PrepareOptions}); OUT/.prepare holds the intermediate shards and is
 * removed after a successful run.
 */
public final class PrepareData {
  private PrepareData() {}

  /** Reject reason of parquet rows in a row group that could not be read (they have no record to write). */
  static final String UNREADABLE_PARQUET = "unreadable_parquet_row_group";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrepareData.class);

  /**
   * What was found under DATASETS.
   *
   * @param sources the conversation sources found, in the rules' order, then the pretrain pseudo-source
   * @param lostRows per source, rows of parquet row groups that could not be read: read and rejected unseen
   * @param instructFiles dataset -> its Instruct-150K file, those found
   * @param okvqaQuestions the OK-VQA question file, or null when absent (vqav2 and okvqa are then one dataset)
   */
  record Inputs(List<SplitRules.Source> sources, Map<String, Long> lostRows, boolean hasPretrain,
      Map<String, Path> instructFiles, Path okvqaQuestions) {}

  /**
   * What the merge wrote.
   *
   * @param written dataset -> records in its file (the captions under {@link CheckAndSplit#PRETRAIN})
   * @param duplicates dataset -> records left out as exact copies of an earlier one
   * @param rejected "source:reason" -> lines of rejects.jsonl, duplicates included
   */
  record Merged(Map<String, Long> written, Map<String, Long> duplicates, Map<String, Long> rejected) {}

  /**
   * Prepares OPTIONS.datasets into OPTIONS.out: find the inputs, scan them into ranges (the join map on a second
   * core), run the pipeline, merge its shards and reconcile its counters, write the summary, links and manifests.
   * Logs the time of each stage.
   */
  public static PrepareSummary run(PrepareOptions options) {
    PipelineOptionsValidator.validate(PrepareOptions.class, options);
    if (options.getTraining() == null) throw new IllegalArgumentException("PrepareOptions: training is required");
    Path datasets = Path.of(options.getDatasets()).toAbsolutePath().normalize();
    Path out = Path.of(options.getOut()).toAbsolutePath().normalize();
    SplitRules rules = SplitRules.load(Path.of(options.getSplitRules()));
    Path work = startClean(out);
    Path shards = work.resolve("shards");
    List<String> notes = new ArrayList<>();

    long start = System.nanoTime();
    Inputs inputs = findInputs(datasets, out, rules, notes);
    Path joinMap = work.resolve("joins-" + UUID.randomUUID() + ".bin"); // a new name per run: workers cache it by file
    // built on a second core while this one scans the sources: neither needs the other
    CompletableFuture<Void> joins = CompletableFuture.runAsync(() -> JoinMap.write(joinMap,
        JoinMap.build(inputs.instructFiles(), inputs.okvqaQuestions(), rules.okvqa().matched())));
    List<Range> ranges = cutIntoRanges(datasets, inputs.sources(), notes);
    await(joins);

    long scanned = System.nanoTime();
    ImageCheck images = options.getImageCheck() != null ? options.getImageCheck() : ImageCheck.of(options.getFullImageCheck());
    Map<String, Long> counters = checkAndSplit(options, ranges, new CheckAndSplit(rules, inputs.sources(), datasets,
        inputs.okvqaQuestions() != null, joinMap, shards, images));

    long split = System.nanoTime();
    Merged merged = mergeShards(shards, out);
    reconcile(counters, merged, ranges);

    long mergedAt = System.nanoTime();
    PrepareSummary summary = summarize(rules, inputs, counters, merged, out, notes);
    linkImages(datasets, out, rules, inputs);
    summary = new PrepareSummary(summary.read(), summary.datasets(), summary.removedTextOnly(), summary.rejected(),
        summary.pretrain(), summary.pretrainRejected(), linkVlIcl(datasets, out, notes), notes);
    notes.addAll(Manifests.write(out, new LinkedHashMap<>(summary.datasets()), options.getTraining(), options.getSeed(),
        options.getFidelity()));
    Json.writeAtomic(out.resolve("summary.json"), summary);
    LOG.info(String.format(Locale.ROOT, "%d records: scan and join map %.1f s, pipeline (%d ranges) %.1f s, "
        + "merge %.1f s, links and manifests %.1f s", summary.read() + summary.pretrain() + summary.pretrainRejected(),
        (scanned - start) / 1e9, ranges.size(), (split - scanned) / 1e9, (mergedAt - split) / 1e9,
        (System.nanoTime() - mergedAt) / 1e9));
    try {
      Dirs.deleteTree(work); // kept when anything above failed, for debugging
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return summary;
  }

  /** Removes what an earlier run left in OUT (its work folder, rejects and summary); returns a new work folder. */
  private static Path startClean(Path out) {
    Path work = out.resolve(".prepare");
    try {
      Dirs.deleteTree(work);
      Files.createDirectories(work);
      Files.deleteIfExists(out.resolve("rejects.jsonl"));
      Files.deleteIfExists(out.resolve("summary.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return work;
  }

  /**
   * Finds the inputs the rules name, noting what is missing. LLaVA-OneVision subsets as downloaded (parquet)
   * become the authors' JSON + image files under OUT first; a subset given as JSON is read as given.
   */
  static Inputs findInputs(Path datasets, Path out, SplitRules rules, List<String> notes) {
    Map<String, OneVision.Subset> converted = convertOneVision(datasets, out, notes);
    List<SplitRules.Source> sources = new ArrayList<>();
    Map<String, Long> lostRows = new TreeMap<>();
    for (SplitRules.Source s : rules.sources()) {
      String subset = Path.of(s.file()).getParent() == null ? "" : Path.of(s.file()).getParent().getFileName().toString();
      if (Files.isRegularFile(datasets.resolve(s.file()))) {
        sources.add(s);
      } else if (converted.containsKey(subset) && Files.isRegularFile(out.resolve(s.file()))) {
        sources.add(new SplitRules.Source(s.name(), out.resolve(s.file()).toString(), out.resolve(s.imageRoot()).toString(), s.rules()));
        long lost = converted.get(subset).failures().stream().mapToLong(f -> Math.max(0, f.rowsLost())).sum();
        if (lost > 0) lostRows.put(s.name(), lost);
      } else {
        notes.add("source " + s.name() + " not found (" + s.file() + "): skipped");
      }
    }
    boolean hasPretrain = rules.pretrain() != null && Files.isRegularFile(datasets.resolve(rules.pretrain().file()));
    if (hasPretrain) {
      sources.add(new SplitRules.Source(CheckAndSplit.PRETRAIN_SOURCE, rules.pretrain().file(), rules.pretrain().imageRoot(),
          List.of(new SplitRules.Rule(null, CheckAndSplit.PRETRAIN, null, null))));
    } else {
      notes.add("LLaVA-Pretrain captions not found: no pretraining data");
    }
    Map<String, Path> instructFiles = new TreeMap<>();
    rules.instruct150k().files().forEach((ds, f) -> {
      if (Files.isRegularFile(datasets.resolve(f))) instructFiles.put(ds, datasets.resolve(f));
      else notes.add("Instruct-150K file " + f + " not found: its records cannot be told apart and are rejected as unknown_dataset");
    });
    Path okFile = datasets.resolve(rules.okvqa().questions());
    if (!Files.isRegularFile(okFile)) {
      okFile = null;
      notes.add("no OK-VQA question file (" + rules.okvqa().questions() + "): vqav2 and okvqa written as one dataset "
          + rules.okvqa().combined() + ", so 14 training datasets instead of the paper's 15");
    }
    return new Inputs(sources, lostRows, hasPretrain, instructFiles, okFile);
  }

  /** Converts the LLaVA-OneVision parquet subsets ({@link OneVision}); returns them by name. */
  private static Map<String, OneVision.Subset> convertOneVision(Path datasets, Path out, List<String> notes) {
    OneVision.Result oneVision;
    try {
      oneVision = OneVision.convert(datasets, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the converted LLaVA-OneVision subsets under " + out, e);
    }
    Map<String, OneVision.Subset> converted = new TreeMap<>();
    for (OneVision.Subset sub : oneVision.subsets()) {
      converted.put(sub.name(), sub);
      notes.add("LLaVA-OneVision " + sub.name() + ": " + sub.rows() + " rows of " + sub.files() + " parquet files converted, "
          + sub.images() + " image files");
    }
    notes.addAll(oneVision.notes());
    return converted;
  }

  /** Cuts every source into ranges of elements; what is wrong with a file as a whole becomes a note. */
  static List<Range> cutIntoRanges(Path datasets, List<SplitRules.Source> sources, List<String> notes) {
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Path file = datasets.resolve(sources.get(i).file());
      ReadJsonArray.Elements e = ReadJsonArray.scan(file);
      for (String n : e.notes()) notes.add("source " + sources.get(i).name() + ": " + n);
      ranges.addAll(Range.cut(sources.get(i).name(), i, file.toString(), e));
    }
    return ranges;
  }

  private static void await(CompletableFuture<Void> task) {
    try {
      task.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** The pipeline: the ranges through {@link CheckAndSplit} on the options' runner; returns its counters. */
  static Map<String, Long> checkAndSplit(PrepareOptions options, List<Range> ranges, CheckAndSplit transform) {
    Pipeline p = Pipeline.create(options);
    p.apply("Ranges", Create.of(ranges).withCoder(Range.Coder.INSTANCE)).apply("CheckAndSplit", transform);
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return CheckAndSplit.counters(result);
  }

  static Path datasetFile(Path out, String dataset) {
    return dataset.equals(CheckAndSplit.PRETRAIN) ? DatasetFile.pretrainPath(out) : DatasetFile.path(out, dataset);
  }

  /**
   * Writes each dataset file (records in input order, exact duplicates of an earlier record moved to the
   * rejects) and rejects.jsonl (by source order, index) from the pipeline's shards. Identical records always
   * land in the same dataset (the split is a function of the record), so duplicates are found per dataset.
   */
  static Merged mergeShards(Path shards, Path out) {
    List<String[]> rejects = Collections.synchronizedList(Writers.merge(shards.resolve(CheckAndSplit.REJECTS)));
    Map<String, Long> written = new TreeMap<>(), duplicates = new TreeMap<>();
    Path datasets = shards.resolve(CheckAndSplit.DATASETS);
    if (Files.isDirectory(datasets)) {
      List<Path> dirs;
      try (var l = Files.list(datasets)) {
        dirs = l.toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // one dataset per core: each is a file-to-file copy after a look at the hashes
      Map<String, Long> kept = new ConcurrentHashMap<>(), dropped = new ConcurrentHashMap<>();
      dirs.parallelStream().forEach(d -> {
        String name = d.getFileName().toString();
        kept.put(name, DatasetShards.merge(d, datasetFile(out, name), (key, json) -> {
          dropped.merge(name, 1L, Long::sum);
          rejects.add(duplicateReject(d, key, json));
        }));
      });
      written.putAll(kept);
      duplicates.putAll(dropped);
    }
    rejects.sort((a, b) -> a[0].compareTo(b[0]));
    Map<String, Long> rejected = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    for (String[] kv : rejects) {
      String[] k = kv[0].split("\\|");
      rejected.merge(k[2] + ":" + k[3], 1L, Long::sum);
      lines.add(kv[1]);
    }
    Writers.writeLines(out.resolve("rejects.jsonl"), "", lines, "\n", lines.isEmpty() ? "" : "\n");
    return new Merged(written, duplicates, rejected);
  }

  /** The rejects line of a record the merge left out as a copy of an earlier one, with its sort key. */
  private static String[] duplicateReject(Path shards, String key, byte[] json) {
    String[] k = key.split("\\|");
    JsonNode record;
    try {
      record = Checks.tree(json, 0, json.length);
    } catch (Checks.Rejected e) {
      throw new IllegalStateException("a record in the shards of " + shards + " is not JSON: " + e.getMessage());
    }
    JsonNode id = record.get("id");
    return new String[] {key + "|" + Checks.Reason.DUPLICATE.key(), Checks.rejectLine(k[2], Long.parseLong(k[1]),
        id == null || id.isNull() ? null : id.asText(), Checks.Reason.DUPLICATE, "same as an earlier record", record)};
  }

  /**
   * Holds the pipeline's counters to what it wrote and read: per source, records read = the records of its
   * ranges; per dataset, records accepted = records written + duplicates left out; per source and reason,
   * records rejected = lines of rejects.jsonl. A runner that lost or doubled counts fails the run here.
   */
  static void reconcile(Map<String, Long> counters, Merged merged, List<Range> ranges) {
    Map<String, Long> expected = new TreeMap<>();
    for (Range r : ranges) expected.merge(CheckAndSplit.read(r.source()), (long) r.size(), Long::sum);
    merged.written().forEach((ds, n) -> expected.merge(CheckAndSplit.accepted(ds), n, Long::sum));
    merged.duplicates().forEach((ds, n) -> expected.merge(CheckAndSplit.accepted(ds), n, Long::sum));
    merged.rejected().forEach((sourceReason, n) -> {
      if (!sourceReason.endsWith(":" + Checks.Reason.DUPLICATE.key())) expected.put("rejected:" + sourceReason, n);
    });
    Map<String, Long> counted = new TreeMap<>(counters);
    counted.remove(CheckAndSplit.REMOVED_TEXT_ONLY);
    counted.values().removeIf(n -> n == 0);
    if (!counted.equals(expected)) {
      throw new IllegalStateException("the pipeline's counters " + counted + " disagree with what it read and wrote " + expected);
    }
  }

  /**
   * The summary: records read and removed from the pipeline's counters, accepted and rejected from what the merge
   * wrote, the parquet rows that could not be read as read and rejected; checks read = accepted + removed +
   * rejected. Writes an empty file for every dataset nothing was accepted for.
   */
  static PrepareSummary summarize(SplitRules rules, Inputs inputs, Map<String, Long> counters, Merged merged, Path out,
      List<String> notes) {
    Map<String, Long> counts = new TreeMap<>();
    counters.forEach((name, n) -> {
      if (name.startsWith(CheckAndSplit.read("")) || name.equals(CheckAndSplit.REMOVED_TEXT_ONLY)) counts.put(name, n);
    });
    merged.written().forEach((ds, n) -> counts.put("dataset:" + ds, n));
    merged.rejected().forEach((sourceReason, n) -> counts.put("rejected:" + sourceReason, n));
    // parquet rows in row groups that could not be read: read and rejected, named in the notes
    inputs.lostRows().forEach((source, n) -> {
      counts.merge(CheckAndSplit.read(source), n, Long::sum);
      counts.merge(CheckAndSplit.rejected(source, UNREADABLE_PARQUET), n, Long::sum);
    });
    boolean okvqaKnown = inputs.okvqaQuestions() != null;
    long read = 0;
    for (SplitRules.Source s : inputs.sources()) {
      if (!s.name().equals(CheckAndSplit.PRETRAIN_SOURCE)) read += counts.getOrDefault(CheckAndSplit.read(s.name()), 0L);
    }
    Map<String, Long> datasets = new LinkedHashMap<>();
    for (String ds : rules.datasets()) {
      if (!okvqaKnown && ds.equals(rules.okvqa().unmatched())) continue;
      String name = !okvqaKnown && ds.equals(rules.okvqa().matched()) ? rules.okvqa().combined() : ds;
      long n = counts.getOrDefault("dataset:" + name, 0L);
      datasets.put(name, n);
      if (n == 0) DatasetShards.writeEmpty(DatasetFile.path(out, name));
    }
    Map<String, Long> rejected = new TreeMap<>();
    long pretrainRejected = 0;
    for (Map.Entry<String, Long> c : counts.entrySet()) {
      if (!c.getKey().startsWith("rejected:")) continue;
      String rest = c.getKey().substring("rejected:".length());
      String source = rest.substring(0, rest.lastIndexOf(':'));
      String reason = rest.substring(rest.lastIndexOf(':') + 1);
      if (source.equals(CheckAndSplit.PRETRAIN_SOURCE)) pretrainRejected += c.getValue();
      else rejected.merge(reason, c.getValue(), Long::sum);
    }
    long removed = counts.getOrDefault(CheckAndSplit.REMOVED_TEXT_ONLY, 0L);
    long accepted = datasets.values().stream().mapToLong(Long::longValue).sum();
    long rejectedSum = rejected.values().stream().mapToLong(Long::longValue).sum();
    if (read != accepted + removed + rejectedSum) {
      throw new IllegalStateException("reconciliation failed: read " + read + " != accepted " + accepted
          + " + removed_text_only " + removed + " + rejected " + rejectedSum);
    }
    long pretrain = counts.getOrDefault("dataset:" + CheckAndSplit.PRETRAIN, 0L);
    long pretrainRead = counts.getOrDefault(CheckAndSplit.read(CheckAndSplit.PRETRAIN_SOURCE), 0L);
    if (pretrainRead != pretrain + pretrainRejected) {
      throw new IllegalStateException("pretrain reconciliation failed: read " + pretrainRead + " != " + pretrain
          + " + " + pretrainRejected);
    }
    return new PrepareSummary(read, datasets, removed, rejected, pretrain, pretrainRejected, Map.of(), notes);
  }

  /**
   * Recreates the input image layout under Image_data with symbolic links (never copies): one link per
   * top-level image folder; where that name is also a dataset folder (gqa, vg, ...), a real folder
   * holding the dataset file and one link per child of the input folder.
   */
  static void linkImages(Path datasets, Path out, SplitRules rules, Inputs inputs) {
    Path imageData = DatasetFile.imageRoot(out);
    Map<String, Path> linked = new HashMap<>();
    try {
      Files.createDirectories(imageData);
      for (SplitRules.Source s : inputs.sources()) {
        if (s.name().equals(CheckAndSplit.PRETRAIN_SOURCE)) continue;
        Path root = datasets.resolve(s.imageRoot());
        if (!Files.isDirectory(root)) continue;
        try (DirectoryStream<Path> children = Files.newDirectoryStream(root, Files::isDirectory)) {
          for (Path child : children) {
            String name = child.getFileName().toString();
            Path before = linked.putIfAbsent(name, child);
            if (before != null && !before.equals(child)) {
              throw new IllegalStateException("image folder " + name + " exists in " + before + " and " + child);
            }
            if (before != null) continue;
            boolean dataset = rules.datasets().contains(name) || name.equals(rules.okvqa().combined());
            if (!dataset) {
              link(imageData.resolve(name), child);
              continue;
            }
            Files.createDirectories(imageData.resolve(name));
            try (DirectoryStream<Path> grand = Files.newDirectoryStream(child)) {
              for (Path g : grand) {
                if (!g.getFileName().toString().endsWith(".json")) link(imageData.resolve(name).resolve(g.getFileName()), g);
              }
            }
          }
        }
      }
      if (inputs.hasPretrain()) link(out.resolve("LLaVA-Pretrain").resolve("images"), datasets.resolve(rules.pretrain().imageRoot()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void link(Path link, Path target) throws IOException {
    Files.createDirectories(link.getParent());
    if (Files.isSymbolicLink(link)) Files.delete(link);
    Files.createSymbolicLink(link, target.toAbsolutePath());
  }

  /** Links OUT/VL-ICL to the input folder and counts the queries of every task found. */
  static Map<String, Long> linkVlIcl(Path datasets, Path out, List<String> notes) {
    Path in = datasets.resolve("VL-ICL");
    Map<String, Long> tasks = new TreeMap<>();
    if (!Files.isDirectory(in)) {
      notes.add("VL-ICL not found: nothing to evaluate on");
      return tasks;
    }
    try {
      link(out.resolve("VL-ICL"), in);
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(in, Files::isDirectory)) {
        for (Path d : dirs) {
          Path q = d.resolve("query.json");
          if (Files.isRegularFile(q)) {
            tasks.put(d.getFileName().toString(), (long) Json.MAPPER.readValue(q.toFile(), new TypeReference<List<Object>>() {}).size());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tasks;
  }

  /**
   * What the preparation reads from {@code datasets}, for its stage's content key: each file the split rules
   * name (the sources, the LLaVA-Pretrain captions, the Instruct-150K and OK-VQA side files), the
   * LLaVA-OneVision parquet files and the VL-ICL JSON files, as relative path -> "size bytes, modified
   * millis" ("missing" where absent). Sizes and times, not contents: the files hold gigabytes, and hashing them
   * on every run would cost more than many stages. Image files are left out (a million stats per run): an
   * image changed in place needs a new datasets folder, or the stage folder deleted.
   */
  public static Map<String, String> inputStamps(Path datasets, SplitRules rules) {
    List<String> files = new ArrayList<>();
    rules.sources().forEach(s -> files.add(s.file()));
    if (rules.pretrain() != null) files.add(rules.pretrain().file());
    files.addAll(rules.instruct150k().files().values());
    files.add(rules.okvqa().questions());
    for (String[] glob : new String[][] {{"LLaVA-OneVision", ".parquet"}, {"VL-ICL", ".json"}}) {
      Path dir = datasets.resolve(glob[0]);
      if (!Files.isDirectory(dir)) continue;
      try (var s = Files.find(dir, 2, (f, a) -> a.isRegularFile() && f.toString().endsWith(glob[1]))) {
        s.forEach(f -> files.add(datasets.relativize(f).toString()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    Map<String, String> stamps = new TreeMap<>();
    for (String f : files) {
      Path p = datasets.resolve(f);
      try {
        stamps.put(f, Files.isRegularFile(p) ? Files.size(p) + " bytes, modified " + Files.getLastModifiedTime(p).toMillis()
            : "missing");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p, e);
      }
    }
    return stamps;
  }
}
