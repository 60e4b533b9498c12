package org.mapd.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.mapd.conf.Training;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Mix665k;
import org.mapd.pipelines.Checks;
import org.mapd.pipelines.DatasetFile;
import org.mapd.pipelines.ImageCheck;
import org.mapd.pipelines.JoinMap;
import org.mapd.pipelines.PrepareData;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.mapd.pipelines.SplitRules;

/**
 * `mapd bench data`: a synthetic mix665k ({@link Mix665k}: LLaVA-1.5 proportions, prompt shapes and text
 * lengths of method.md §7) with its Instruct-150K and OK-VQA side files, split by a single-threaded Jackson
 * streaming baseline and by PrepareData on the chosen runners. Images are never written: an index file of the existing paths stands in
 * for the image check (see {@link IndexedImages}).
 */
public final class DataBench {
  private DataBench() {}

  /** mix665k's real size. */
  public static final int MIX665K = Mix665k.RECORDS;
  /** Issue 12's targets: the whole split within this many seconds on 2 cores; Beam at least this share of the baseline. */
  static final double TARGET_SECONDS = 30, TARGET_SHARE = 1.0;

  /**
   * Result of one measurement: per-dataset counts, records/s over the mix records, and the CPU time of the whole
   * process meanwhile (compiler and GC threads included): on a shared machine it varies less than the wall time.
   */
  public record Result(String name, Map<String, Long> datasets, long removedTextOnly, double seconds, double recordsPerSecond,
      double cpuSeconds) {}

  /** CPU time of this process so far, every thread. */
  static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime() / 1e9;
  }

  /** Reads the index file. */
  static Set<String> imageIndex(String file) {
    try {
      return new HashSet<>(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image index " + file, e);
    }
  }

  /**
   * Writes the synthetic inputs under {@code datasets} (paths of split_rules.json) and the image index
   * {@code index}: every record names its own image, none is written, and the index lists them all (one line
   * per record). Returns the number of mix records.
   */
  static int generate(Path datasets, Path index, int n, SplitRules rules, long seed) throws IOException {
    SplitRules.Source mix = rules.source("mix665k");
    Path mixRoot = datasets.resolve(mix.imageRoot()).toAbsolutePath().normalize();
    Map<String, String> instruct = rules.instruct150k().files();
    Mix665k.Files files = new Mix665k.Files(datasets.resolve(mix.file()), datasets.resolve(instruct.get("conv")),
        datasets.resolve(instruct.get("det")), datasets.resolve(instruct.get("complex_res")),
        datasets.resolve(rules.okvqa().questions()));
    try (BufferedWriter images = Files.newBufferedWriter(index, StandardCharsets.UTF_8)) {
      Mix665k.write(files, n, (kind, i) -> {
        Mix665k.Folder folder = kind.folder(i);
        String image = folder.path + folder.file(Mix665k.ID_BASE + i);
        try {
          images.write(mixRoot.resolve(image).toString());
          images.newLine();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + index, e);
        }
        return image;
      }, seed);
    }
    return n;
  }

  /**
   * The baseline: one thread, Jackson streaming, each record parsed once and split with the same SplitRules
   * and checks (image existence from the index), each accepted record written to its dataset file under
   * {@code out} (the authors' layout, exact duplicates left out), as a plain single-threaded splitter would.
   * Counts per dataset, like PrepareSummary.datasets (non-empty).
   */
  static Result baseline(Path datasets, Path out, SplitRules rules, Set<String> index) throws IOException {
    long start = System.nanoTime();
    double cpu = cpuSeconds();
    JsonFactory f = Checks.COMPACT.getFactory();
    Map<String, Path> instruct = new TreeMap<>();
    rules.instruct150k().files().forEach((ds, file) -> instruct.put(ds, datasets.resolve(file)));
    Map<String, String> joins = JoinMap.build(instruct, datasets.resolve(rules.okvqa().questions()), rules.okvqa().matched());
    SplitRules.Source mix = rules.source("mix665k");
    Path root = datasets.resolve(mix.imageRoot()).toAbsolutePath().normalize();
    List<Pattern> regexes = new ArrayList<>();
    for (SplitRules.Rule r : mix.rules()) regexes.add(r.firstHumanRegex() == null ? null : Pattern.compile(r.firstHumanRegex()));
    Map<String, Long> counts = new TreeMap<>();
    Map<String, OutputStream> files = new HashMap<>();
    Map<String, Set<java.nio.ByteBuffer>> seen = new HashMap<>();
    java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
    long[] read = new long[2]; // records, removed text-only
    try (JsonParser p = f.createParser(datasets.resolve(mix.file()).toFile());
        JsonGenerator g = f.createGenerator(json)) {
      g.setRootValueSeparator(null);
      if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException(mix.file() + " is not a JSON array");
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        read[0]++;
        try {
          LlavaRecord r = Checks.parse(p, t);
          if (Checks.textOnly(r)) {
            read[1]++;
            continue;
          }
          String firstHuman = Checks.checkTurns(r);
          Path image = Checks.resolve(root, r.image());
          String ds = Checks.classify(rules, mix, regexes, r, firstHuman, joins, true);
          if (ds == null || !index.contains(image.toString())) continue; // a reject: the synthetic data has none
          json.reset();
          Checks.writeJson(r, g);
          g.flush();
          byte[] b = json.toByteArray();
          if (!seen.computeIfAbsent(ds, k -> new HashSet<>()).add(java.nio.ByteBuffer.wrap(b))) continue;
          OutputStream o = files.get(ds);
          if (o == null) {
            Path file = DatasetFile.path(out, ds);
            Files.createDirectories(file.getParent());
            files.put(ds, o = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
            o.write(DatasetFile.OPEN);
          }
          o.write(counts.merge(ds, 1L, Long::sum) == 1 ? DatasetFile.NEW_LINE : DatasetFile.COMMA_NEW_LINE);
          o.write(b);
        } catch (Checks.Rejected ignored) {
          // as above
        }
      }
    } finally {
      for (OutputStream o : files.values()) {
        o.write(DatasetFile.CLOSE);
        o.close();
      }
    }
    double s = (System.nanoTime() - start) / 1e9;
    return new Result("baseline (1 thread, Jackson streaming)", counts, read[1], s, read[0] / s, cpuSeconds() - cpu);
  }

  /** PrepareData on one runner (flink: [local], parallelism 2) with the image index in place of images. */
  static Result pipeline(String runner, Path datasets, Path out, Path index, Training training) {
    // the index stands in for the file system, which needs no loading: loaded before the clock, as the baseline's
    IndexedImages.load(index.toString());
    long start = System.nanoTime(); // options included: creating the first ones sets up Beam's options registry
    double cpu = cpuSeconds();
    PrepareOptions o = PrepareOptions.forRunner(runner);
    o.setFlinkMaster("[local]");
    o.setParallelism(2);
    o.setDatasets(datasets.toString());
    o.setOut(out.toString());
    o.setSeed(1);
    o.setTraining(training);
    o.setImageCheck(new IndexedImages(index.toString()));
    PrepareSummary s = PrepareData.run(o);
    double sec = (System.nanoTime() - start) / 1e9;
    cpu = cpuSeconds() - cpu;
    Map<String, Long> nonEmpty = new TreeMap<>();
    s.datasets().forEach((k, v) -> { if (v > 0) nonEmpty.put(k, v); });
    String name = runner.equals("flink") ? "PrepareData flink [local] parallelism 2" : "PrepareData " + runner;
    return new Result(name, nonEmpty, s.removedTextOnly(), sec, s.read() / sec, cpu);
  }

  /** The image check of the bench: the path must be in the index file (absolute paths, one a line). */
  record IndexedImages(String index) implements ImageCheck {
    private static final Map<String, Set<String>> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    /** The index, read once per JVM: runners deserialize a DoFn per thread and per Flink task. */
    static Set<String> load(String index) {
      return LOADED.computeIfAbsent(index, f -> imageIndex(f));
    }

    @Override
    public void check(Path image) throws Checks.Rejected {
      if (!load(index).contains(image.toString())) throw new Checks.Rejected(Checks.Reason.IMAGE_MISSING, image.toString());
    }
  }

  /**
   * Generates n records under {@code work}, runs the baseline and each runner, prints records/s and the
   * issue's targets; returns the results, baseline first.
   */
  public static List<Result> run(Path work, int n, List<String> runners, Training training, PrintWriter out)
      throws IOException {
    SplitRules rules = SplitRules.loadDefault();
    Path datasets = work.resolve("datasets");
    Path index = work.resolve("image_index.txt");
    long start = System.nanoTime();
    generate(datasets, index, n, rules, 1);
    out.printf("generated %,d records (%.1f MB mix) in %.1f s under %s%n", n,
        Files.size(datasets.resolve(rules.source("mix665k").file())) / 1e6, (System.nanoTime() - start) / 1e9, work);
    out.flush();
    List<Result> results = new ArrayList<>();
    Set<String> images = imageIndex(index.toString());
    settle();
    results.add(baseline(datasets, work.resolve("out-baseline"), rules, images));
    print(out, results.get(0), null);
    for (String runner : runners) {
      settle();
      Result r = pipeline(runner, datasets, work.resolve("out-" + runner), index, training);
      results.add(r);
      print(out, r, results.get(0));
    }
    double scale = (double) MIX665K / n;
    out.printf("targets (2 cores, %d visible): whole 665k split under %.0f s; Beam >= %.0f%% of the baseline's records/s%n",
        Runtime.getRuntime().availableProcessors(), TARGET_SECONDS, TARGET_SHARE * 100);
    for (Result r : results.subList(1, results.size())) {
      double est = r.seconds() * scale;
      double share = r.recordsPerSecond() / results.get(0).recordsPerSecond();
      out.printf("  %s: %.1f s%s -> %s; %.0f%% of baseline -> %s%n", r.name(), est,
          n == MIX665K ? "" : " (scaled to 665k)", est <= TARGET_SECONDS ? "MET" : "NOT MET",
          share * 100, share >= TARGET_SHARE ? "MET" : "NOT MET");
    }
    out.flush();
    return results;
  }

  /**
   * Before each timed run: writes the dirty pages of what came before to disk and collects the garbage, so
   * that no run pays for the previous one's output (each run writes about 1 GB on this input).
   */
  private static void settle() {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (IOException e) {
      // no sync command: the runs share the page cache as they are
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.gc();
  }

  private static void print(PrintWriter out, Result r, Result baseline) {
    boolean same = baseline == null
        || (r.datasets().equals(baseline.datasets()) && r.removedTextOnly() == baseline.removedTextOnly());
    out.printf("%-42s %8.1f s %,10.0f records/s, cpu %.1f s%s%n", r.name(), r.seconds(), r.recordsPerSecond(), r.cpuSeconds(),
        baseline == null ? "" : same ? "  counts = baseline" : "  COUNTS DIFFER from baseline");
    if (baseline == null) out.printf("  datasets %s, removed text-only %d%n", r.datasets(), r.removedTextOnly());
    else if (!same) out.printf("  datasets %s, removed text-only %d%n", r.datasets(), r.removedTextOnly());
    out.flush();
  }
}
