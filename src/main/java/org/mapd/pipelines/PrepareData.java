package org.mapd.pipelines;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Training;

/**
 * The Beam preparation: checks and splits every record of the conversation sources by
 * pipelines/split_rules.json into the 15 finetuning datasets (authors' layout, method.md §2), keeps the
 * accepted LCS-558K captions, writes rejects.jsonl and summary.json, then the meta-task manifests.
 * The driver scans each JSON array file for its element boundaries ({@link ReadJsonArray}) and cuts it
 * into {@link Range}s of up to 16k records; the pipeline spreads the ranges over the workers, where
 * one {@link Classify} call parses, checks and writes a whole range, so Beam's per-element cost is paid per
 * range. One code path for DirectRunner and FlinkRunner; OUT/.prepare holds the intermediate shards and is
 * removed after a successful run.
 */
public final class PrepareData {
  private PrepareData() {}

  /** Reject reason of parquet rows in a row group that could not be read (they have no record to write). */
  static final String UNREADABLE_PARQUET = "unreadable_parquet_row_group";

  /**
   * @param runner direct or flink
   * @param flinkMaster host:port or [local] (flink only)
   * @param fullImageCheck decode every image as training will, instead of the structure check (Checks.checkImage)
   * @param seed seed of the meta-task manifests
   * @param training sizes of meta-tasks and ICT groups, epochs per strategy
   * @param directChecks keep DirectRunner's immutability/encodability enforcement (tests); it doubles the
   *     run time, so data-sized runs turn it off
   */
  public record Options(String runner, String flinkMaster, boolean fullImageCheck, long seed, Training training,
      Fidelity fidelity, boolean directChecks) {
    public Options(String runner, String flinkMaster, boolean fullImageCheck, long seed, Training training, Fidelity fidelity) {
      this(runner, flinkMaster, fullImageCheck, seed, training, fidelity, false);
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrepareData.class);

  public static PrepareSummary run(Path datasets, Path out, Options options) {
    return run(datasets, out, options, SplitRules.loadDefault());
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

  static Path datasetFile(Path out, String dataset) {
    return dataset.equals(Classify.PRETRAIN) ? DatasetFile.pretrainPath(out) : DatasetFile.path(out, dataset);
  }

  /** As {@link #run(Path, Path, Options)} with explicit split rules. */
  public static PrepareSummary run(Path datasetsDir, Path outDir, Options options, SplitRules rules) {
    Path datasets = datasetsDir.toAbsolutePath().normalize();
    Path out = outDir.toAbsolutePath().normalize();
    List<String> notes = new ArrayList<>();
    Path work = out.resolve(".prepare");
    Path shards = work.resolve("shards");
    try {
      Dirs.deleteTree(work);
      Files.createDirectories(work);
      Files.deleteIfExists(out.resolve("rejects.jsonl"));
      Files.deleteIfExists(out.resolve("summary.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    long start = System.nanoTime();
    // LLaVA-OneVision subsets as downloaded (parquet) become the authors' JSON + image files under OUT first
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
    // Which inputs exist; a OneVision subset given as JSON is read as given, else from its conversion
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
      sources.add(new SplitRules.Source("pretrain", rules.pretrain().file(), rules.pretrain().imageRoot(),
          List.of(new SplitRules.Rule(null, Classify.PRETRAIN, null, null))));
    } else {
      notes.add("LLaVA-Pretrain captions not found: no pretraining data");
    }
    Map<String, Path> instructFiles = new TreeMap<>();
    rules.instruct150k().files().forEach((ds, f) -> {
      if (Files.isRegularFile(datasets.resolve(f))) instructFiles.put(ds, datasets.resolve(f));
      else notes.add("Instruct-150K file " + f + " not found: its records cannot be told apart and are rejected as unknown_dataset");
    });
    Path okFile = datasets.resolve(rules.okvqa().questions());
    boolean okvqaKnown = Files.isRegularFile(okFile);
    if (!okvqaKnown) {
      notes.add("no OK-VQA question file (" + rules.okvqa().questions() + "): vqav2 and okvqa written as one dataset "
          + rules.okvqa().combined() + ", so 14 training datasets instead of the paper's 15");
    }
    // a new name per run: workers cache the map per JVM by file
    Path joinsFile = work.resolve("joins-" + java.util.UUID.randomUUID() + ".bin");
    // built on a second core while this one scans the sources: neither needs the other
    java.util.concurrent.CompletableFuture<Void> joins = java.util.concurrent.CompletableFuture.runAsync(() ->
        JoinMap.write(joinsFile, JoinMap.build(instructFiles, okvqaKnown ? okFile : null, rules.okvqa().matched())));

    // Cut every source into ranges of elements; what is wrong with a file as a whole becomes a note
    List<Range> ranges = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      Path file = datasets.resolve(sources.get(i).file());
      ReadJsonArray.Elements e = ReadJsonArray.scan(file);
      for (String n : e.notes()) notes.add("source " + sources.get(i).name() + ": " + n);
      ranges.addAll(Range.cut(sources.get(i).name(), i, file.toString(), e));
    }
    try {
      joins.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }

    long scanned = System.nanoTime();
    // The pipeline: ranges spread over the workers, each checked, split and written by one DoFn call
    Pipeline p = Pipeline.create(pipelineOptions(options));
    p.apply("Ranges", Create.of(ranges).withCoder(Range.Coder.INSTANCE))
        .apply("SpreadRanges", Reshuffle.viaRandomKey())
        .apply("CheckAndSplit", ParDo.of(new Classify(rules, sources, datasets.toString(), options.fullImageCheck(),
            okvqaKnown, joinsFile.toString(), shards.toString())));
    p.run().waitUntilFinish();
    long split = System.nanoTime();

    // Summary, links, manifests
    Map<String, Long> counts = new TreeMap<>();
    for (String[] c : Writers.merge(shards.resolve(Classify.COUNTS))) counts.merge(c[0], Long.parseLong(c[1]), Long::sum);
    // parquet rows in row groups that could not be read: read and rejected, named in the notes
    lostRows.forEach((source, n) -> {
      counts.merge("read:" + source, n, Long::sum);
      counts.merge("rejected:" + source + ":" + UNREADABLE_PARQUET, n, Long::sum);
    });
    mergeShards(shards, out, counts);
    long merged = System.nanoTime();
    PrepareSummary summary = summarize(rules, sources, counts, okvqaKnown, out, notes);
    linkImages(datasets, out, rules, sources, hasPretrain);
    Map<String, Long> vlIcl = linkVlIcl(datasets, out, notes);
    summary = new PrepareSummary(summary.read(), summary.datasets(), summary.removedTextOnly(), summary.rejected(),
        summary.pretrain(), summary.pretrainRejected(), vlIcl, notes);
    Map<String, Long> sizes = new LinkedHashMap<>(summary.datasets());
    notes.addAll(Manifests.write(out, sizes, options.training(), options.seed(), options.fidelity()));
    Json.writeAtomic(out.resolve("summary.json"), summary);
    LOG.info(String.format(java.util.Locale.ROOT, "%d records: scan and join map %.1f s, pipeline (%d ranges) %.1f s, "
        + "merge %.1f s, links and manifests %.1f s", summary.read() + summary.pretrain() + summary.pretrainRejected(),
        (scanned - start) / 1e9, ranges.size(), (split - scanned) / 1e9, (merged - split) / 1e9, (System.nanoTime() - merged) / 1e9));
    try {
      Dirs.deleteTree(work); // kept when anything above failed, for debugging
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return summary;
  }

  /**
   * Writes each dataset file (records in input order, exact duplicates of an earlier record moved to the
   * rejects) and rejects.jsonl (by source order, index) from the pipeline's shards, adding
   * ("dataset:"+name) and ("rejected:"+source+":"+reason) to the counts. Identical records always land in
   * the same dataset (the split is a function of the record), so duplicates are found per dataset.
   */
  static void mergeShards(Path shards, Path out, Map<String, Long> counts) {
    List<String[]> rejects = java.util.Collections.synchronizedList(Writers.merge(shards.resolve(Classify.REJECTS)));
    Path datasets = shards.resolve(Classify.DATASET);
    if (Files.isDirectory(datasets)) {
      List<Path> dirs;
      try (var l = Files.list(datasets)) {
        dirs = l.toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // one dataset per core: each is a file-to-file copy after a look at the hashes
      Map<String, Long> sizes = new java.util.concurrent.ConcurrentHashMap<>();
      dirs.parallelStream().forEach(d -> {
        String name = d.getFileName().toString();
        sizes.put(name, DatasetShards.merge(d, datasetFile(out, name), (key, json) -> {
          String[] k = key.split("\\|");
          JsonNode record;
          try {
            record = Checks.tree(json, 0, json.length);
          } catch (Checks.Rejected e) {
            throw new IllegalStateException("a record in the shards of " + d + " is not JSON: " + e.getMessage());
          }
          JsonNode id = record.get("id");
          rejects.add(new String[] {key + "|" + Checks.Reason.DUPLICATE.key(), Checks.rejectLine(k[2], Long.parseLong(k[1]),
              id == null || id.isNull() ? null : id.asText(), Checks.Reason.DUPLICATE, "same as an earlier record", record)});
        }));
      });
      sizes.forEach((name, n) -> counts.put("dataset:" + name, n));
    }
    rejects.sort((a, b) -> a[0].compareTo(b[0]));
    List<String> lines = new ArrayList<>();
    for (String[] kv : rejects) {
      String[] k = kv[0].split("\\|");
      counts.merge("rejected:" + k[2] + ":" + k[3], 1L, Long::sum);
      lines.add(kv[1]);
    }
    Writers.writeLines(out.resolve("rejects.jsonl"), "", lines, "\n", lines.isEmpty() ? "" : "\n");
  }

  private static PipelineOptions pipelineOptions(Options o) {
    PipelineOptions po = PipelineOptionsFactory.create();
    if ("flink".equals(o.runner())) {
      FlinkPipelineOptions f = po.as(FlinkPipelineOptions.class);
      f.setRunner(FlinkRunner.class);
      String master = o.flinkMaster() == null ? "[local]" : o.flinkMaster();
      f.setFlinkMaster(master);
      // measured here: parallelism 2 did not beat 1 on a busy 2-core box (build.md)
      // -Dmapd.flinkParallelism lets `bench data` measure 2 anyway
      if (master.equals("[local]")) f.setParallelism(Integer.getInteger(DataBench.FLINK_PARALLELISM, 1));
      f.setFasterCopy(true);
      return f;
    }
    if (o.runner() != null && !"direct".equals(o.runner())) {
      throw new IllegalArgumentException("runner must be direct or flink, not " + o.runner());
    }
    DirectOptions d = po.as(DirectOptions.class);
    d.setRunner(DirectRunner.class);
    d.setEnforceImmutability(o.directChecks());
    d.setEnforceEncodability(o.directChecks());
    d.setTargetParallelism(2);
    return d;
  }

  /** Builds the summary from the pipeline's counters and checks read = accepted + removed + rejected. */
  static PrepareSummary summarize(SplitRules rules, List<SplitRules.Source> sources, Map<String, Long> counts,
      boolean okvqaKnown, Path out, List<String> notes) {
    long read = 0;
    for (SplitRules.Source s : sources) if (!s.name().equals("pretrain")) read += counts.getOrDefault("read:" + s.name(), 0L);
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
      if (source.equals("pretrain")) pretrainRejected += c.getValue();
      else rejected.merge(reason, c.getValue(), Long::sum);
    }
    long removed = counts.getOrDefault("removed_text_only", 0L);
    long accepted = datasets.values().stream().mapToLong(Long::longValue).sum();
    long rejectedSum = rejected.values().stream().mapToLong(Long::longValue).sum();
    if (read != accepted + removed + rejectedSum) {
      throw new IllegalStateException("reconciliation failed: read " + read + " != accepted " + accepted
          + " + removed_text_only " + removed + " + rejected " + rejectedSum);
    }
    long pretrain = counts.getOrDefault("dataset:" + Classify.PRETRAIN, 0L);
    long pretrainRead = counts.getOrDefault("read:pretrain", 0L);
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
  static void linkImages(Path datasets, Path out, SplitRules rules, List<SplitRules.Source> sources, boolean hasPretrain) {
    Path imageData = DatasetFile.imageRoot(out);
    Map<String, Path> linked = new HashMap<>();
    try {
      Files.createDirectories(imageData);
      for (SplitRules.Source s : sources) {
        if (s.name().equals("pretrain")) continue;
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
      if (hasPretrain) link(out.resolve("LLaVA-Pretrain").resolve("images"), datasets.resolve(rules.pretrain().imageRoot()));
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
}
