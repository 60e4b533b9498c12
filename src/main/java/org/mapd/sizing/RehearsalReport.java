package org.mapd.sizing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.mapd.Json;
import org.mapd.conf.MemoryBudget;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;
import org.mapd.model.DecoderConfig;
import org.mapd.model.MapperConfig;
import org.mapd.model.MemoryModel;
import org.mapd.model.VisionConfig;
import org.mapd.train.BatchStats;
import org.mapd.train.FeatureCache;
import org.mapd.workflows.StageMetrics;

/**
 * The rehearsal's findings per stage: what it measured here (time, peak resident memory, the sequences and
 * micro-batches it met) next to what the memory model says, here and for the paper's GPU at full depth:
 * the stage's largest batch cut again for the paper conf's device budget.
 */
public final class RehearsalReport {
  /**
   * One stage.
   *
   * @param peakRssGiB the worker's peak resident memory during the stage, measured
   * @param modelHereGiB the memory model's device bytes at the rehearsal's depth for its largest micro-batch
   * @param gpuMicroBatches sizes of the micro-batches the paper's GPU budget cuts the largest batch into
   * @param gpuGiB the memory model's per-GPU bytes at full depth for those micro-batches
   */
  public record Row(String stage, long steps, double seconds, double firstStepSeconds, double secondsPerStep,
      double peakRssGiB, Integer lengthP50, Integer lengthP90, Integer lengthMax, Long microBatches,
      Integer maxMicroBatch, Double modelHereGiB, List<Integer> gpuMicroBatches, Double gpuGiB) {}

  /** rehearsal.json. */
  public record Findings(String plan, Rehearsal.Caps caps, String depthHere, String depthPaper, double gpuDeviceGB,
      List<Row> stages) {}

  private RehearsalReport() {}

  /**
   * Reads every stage's metrics.json under WORK/stages and writes WORK/rehearsal/rehearsal.{md,json}.
   *
   * @param paperConf the paper conf: full-depth configs (llm/, vision/) and the GPU memory budget
   * @return the Markdown file
   */
  public static Path write(Path work, Plan rehearsal, Path paperConf, Rehearsal.Caps caps) {
    Training here = rehearsal.training(Path.of(""));
    MapperConfig mapper = Json.read(rehearsal.mapperConfig(Path.of("")), MapperConfig.class);
    boolean recompute = here.memory().recompute();
    MemoryModel small = new MemoryModel(VisionConfig.load(Path.of(rehearsal.models().vision())),
        DecoderConfig.load(Path.of(rehearsal.models().llm())), mapper, recompute);
    MemoryModel full = new MemoryModel(VisionConfig.load(paperConf.resolve("vision")),
        DecoderConfig.load(paperConf.resolve("llm")), mapper, recompute);
    MemoryBudget gpu = Json.read(paperConf.resolve("training.json"), Training.class).memory();
    List<Row> rows = new ArrayList<>();
    for (StageMetrics m : metrics(work)) rows.add(row(m, here, small, full, gpu));
    Findings f = new Findings(rehearsal.name(), caps,
        small.decoder().numHiddenLayers() + " decoder / " + small.vision().numHiddenLayers() + " vision layers",
        full.decoder().numHiddenLayers() + " decoder / " + full.vision().numHiddenLayers() + " vision layers",
        gpu.deviceGB(), rows);
    Path dir = Rehearsal.dir(work);
    Json.writeAtomic(dir.resolve("rehearsal.json"), f);
    Path md = dir.resolve("rehearsal.md");
    try {
      Files.writeString(md, markdown(f));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + md, e);
    }
    return md;
  }

  private static Row row(StageMetrics m, Training here, MemoryModel small, MemoryModel full, MemoryBudget gpu) {
    double gib = MemoryBudget.GIB;
    BatchStats.Summary b = m.batches();
    if (b == null || b.largest() == null) {
      return new Row(m.stage(), m.steps(), m.seconds(), m.firstStepSeconds(), m.secondsPerStep(), m.peakRssBytes() / gib,
          null, null, null, null, null, null, null, null);
    }
    int inner = m.stage().equals("Finetune " + Strategy.MAPD.json()) ? here.strategy(Strategy.MAPD).innerSteps() : 0;
    long modelHere = small.residentBytes(inner) + here.memory().featureCacheBytes() + small.visionBytes(FeatureCache.BATCH)
        + small.activationBytes(b.largest());
    List<Integer> sizes = full.split(b.largestBatch(), full.activationBudget(gpu, inner, FeatureCache.BATCH));
    long peak = 0;
    int start = 0;
    for (int n : sizes) {
      MemoryModel.Chunk c = null;
      for (MemoryModel.Chunk s : b.largestBatch().subList(start, start + n)) c = c == null ? s : c.plus(s);
      peak = Math.max(peak, full.activationBytes(c));
      start += n;
    }
    long gpuBytes = full.residentBytes(inner) + gpu.featureCacheBytes() + full.visionBytes(FeatureCache.BATCH) + peak;
    return new Row(m.stage(), m.steps(), m.seconds(), m.firstStepSeconds(), m.secondsPerStep(), m.peakRssBytes() / gib,
        b.lengthP50(), b.lengthP90(), b.lengthMax(), b.microBatches(), b.maxMicroBatch(), modelHere / gib, sizes,
        gpuBytes / gib);
  }

  /**
   * Every stage's metrics.json, in the order the stages finished; of folders of one stage under other keys
   * (left by runs of an older version of the code) only the newest.
   */
  static List<StageMetrics> metrics(Path work) {
    Path stages = work.resolve("stages");
    if (!Files.isDirectory(stages)) return List.of();
    try (Stream<Path> s = Files.list(stages)) {
      Map<String, StageMetrics> newest = new LinkedHashMap<>();
      s.map(d -> d.resolve(StageMetrics.FILE)).filter(Files::isRegularFile)
          .sorted(Comparator.comparing(RehearsalReport::modified))
          .map(f -> Json.read(f, StageMetrics.class))
          .forEach(m -> { newest.remove(m.stage()); newest.put(m.stage(), m); });
      return List.copyOf(newest.values());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + stages, e);
    }
  }

  private static long modified(Path f) {
    try {
      return Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  static String markdown(Findings f) {
    StringBuilder md = new StringBuilder("# Rehearsal of plan `" + f.plan() + "`\n\n");
    Rehearsal.Caps c = f.caps();
    md.append(String.format(Locale.ROOT, "Random checkpoints at the paper's shapes cut to %s (the paper: %s); "
        + "%s. Caps: %d optimizer step(s) per training stage, at most %d examples per step "
        + "(MAPD and Multi-Task: one task), %d query per VL-ICL task and row at %s, at most %d FT steps and %d new "
        + "tokens; "
        + "micro-batches cut for %.0f GiB here. GPU columns: the memory model at full depth, the stage's largest "
        + "batch cut for memory.deviceGB %.0f of conf/paper (not measured: no GPU here).%n%n", f.depthHere(),
        f.depthPaper(), c.dataScale() == 1 ? "full-size synthetic data" : "synthetic data at " + c.dataScale() + " times the real size",
        c.steps(), c.batch(), c.queries(), c.allShots() ? "every shot count" : "each task's smallest and largest shot count",
        c.ftSteps(), c.newTokens(), c.hostGB(), f.gpuDeviceGB()));
    md.append("| stage | steps | wall s | load + first step s | s/step | peak RSS GiB | tokens p50 / p90 / max "
        + "| micro-batches (most seqs) | model here GiB | GPU micro-batches | GPU GiB |\n");
    md.append("|---|---:|---:|---:|---:|---:|---|---|---:|---|---:|\n");
    for (Row r : f.stages()) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2f | %.2f | %s | %s | %s | %s | %s |%n",
          r.stage(), r.steps(), r.seconds(), r.firstStepSeconds(), r.secondsPerStep(), r.peakRssGiB(),
          r.lengthP50() == null ? "" : r.lengthP50() + " / " + r.lengthP90() + " / " + r.lengthMax(),
          r.microBatches() == null ? "" : r.microBatches() + " (" + r.maxMicroBatch() + ")",
          r.modelHereGiB() == null ? "" : String.format(Locale.ROOT, "%.2f", r.modelHereGiB()),
          r.gpuMicroBatches() == null ? "" : r.gpuMicroBatches().toString(),
          r.gpuGiB() == null ? "" : String.format(Locale.ROOT, "%.1f", r.gpuGiB())));
    }
    md.append(String.format(Locale.ROOT, "%nStages' wall time added up: %.0f s (%.1f min); largest peak RSS of a stage: %.2f GiB.%n",
        f.stages().stream().mapToDouble(Row::seconds).sum(), f.stages().stream().mapToDouble(Row::seconds).sum() / 60,
        f.stages().stream().mapToDouble(Row::peakRssGiB).max().orElse(0)));
    return md.toString();
  }
}
