package org.mapd.sizing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.data.PaperScaleData;

/**
 * The paper plan made runnable on one CPU machine without changing its code path: random checkpoints at the
 * paper backbones' shapes (cut to a few layers), full-size synthetic data in the authors' layouts, and the
 * paper's training.json with every stage capped to a few steps and the evaluation to a few queries. The
 * result is a plan file that `mapd reproduce` would run the same way; only the caps below differ from
 * conf/paper, and the rehearsal report lists them.
 */
public final class Rehearsal {
  private Rehearsal() {}

  /**
   * What the rehearsal cuts.
   *
   * @param decoderLayers Qwen2.5-7B layers kept (of 28)
   * @param visionLayers CLIP ViT-L/14-336 layers kept (of 24; LLaVA reads the second to last)
   * @param steps optimizer steps per training stage
   * @param batch most examples per step for example-based stages (pretraining, NoMetaTask, ModelAvg, ICT);
   *     MAPD and Multi-Task keep their one task per step
   * @param queries queries per VL-ICL task and row
   * @param ftSteps most FT adaptation steps
   * @param newTokens most generated tokens
   * @param hostGB the memory budget the micro-batches are cut for (this machine's, not a GPU's)
   * @param dataScale the synthetic data's size relative to the real datasets (1: full size; less for a quick check)
   * @param allShots every shot count of the plan; otherwise each task's smallest and largest (the counts in
   *     between run the same code with fewer support examples, and cost most of the evaluation's time here)
   */
  public record Caps(int decoderLayers, int visionLayers, int steps, int batch, int queries, int ftSteps, int newTokens,
      double hostGB, double dataScale, boolean allShots) {
    public Caps {
      for (int v : new int[] {decoderLayers, steps, batch, queries, ftSteps, newTokens}) {
        if (v <= 0) throw new IllegalArgumentException("rehearsal: every cap must be > 0");
      }
      if (visionLayers < 2) throw new IllegalArgumentException("rehearsal: keep at least 2 vision layers (LLaVA reads the second to last)");
      if (hostGB <= 2) throw new IllegalArgumentException("rehearsal: --host-gb must exceed 2");
      if (!(dataScale > 0 && dataScale <= 1)) throw new IllegalArgumentException("rehearsal: --data-scale must be in (0, 1]");
    }
  }

  /** Where the rehearsal keeps what it made, under the work folder. */
  public static Path dir(Path work) {
    return work.resolve("rehearsal");
  }

  /**
   * Writes the inputs (once: a rerun reuses them), the capped conf and the rehearsal plan.
   *
   * @return the rehearsal plan
   */
  public static Plan prepare(Plan paper, Path base, Path work, Caps caps, long dataSeed) {
    Path dir = dir(work).toAbsolutePath();
    Path data = dir.resolve(caps.dataScale() == 1 ? "inputs/data" : "inputs/data-x" + caps.dataScale());
    Path done = data.resolve("generated.json");
    if (!Files.exists(done)) {
      Map<String, Long> counts = PaperScaleData.generate(data, dataSeed, PaperScaleData.Sizes.PAPER.scaled(caps.dataScale()));
      Json.writeAtomic(done, counts);
    }
    Path paperConf = base.resolve(paper.conf());
    Path[] models = PaperCheckpoints.write(paperConf, dir.resolve("inputs/models-" + caps.decoderLayers() + "-"
        + caps.visionLayers()), caps.decoderLayers(), caps.visionLayers(), paper.seed());
    Path conf = dir.resolve("conf");
    writeConf(paperConf, conf, caps);
    Plan plan = new Plan(paper.name() + "-rehearsal", paper.seed(), paper.fidelity(), conf.toString(),
        new Plan.Models(models[0].toString(), models[1].toString(), false),
        new Plan.DataPlan(null, data.toString(), paper.data().runner(),
            "flink".equals(paper.data().runner()) ? "[local]" : paper.data().flinkMaster()),
        paper.strategies(), paper.references(), caps.allShots() ? paper.eval() : edgeShots(paper.eval()));
    Json.writeAtomic(dir.resolve("plan.json"), plan);
    return plan;
  }

  /**
   * The paper plan's own memory check at full depth (the configs in its conf folder), which the rehearsal
   * plan cannot make at its reduced depth and host budget.
   *
   * @return problems, one per stage that does not fit (empty when every stage fits)
   */
  public static java.util.List<String> paperFits(Plan paper, Path base) {
    Path conf = base.resolve(paper.conf());
    return org.mapd.workflows.PlanCheck.memoryProblems(paper, paper.training(base),
        org.mapd.model.VisionConfig.load(conf.resolve("vision")), org.mapd.model.DecoderConfig.load(conf.resolve("llm")),
        Json.read(paper.mapperConfig(base), org.mapd.model.MapperConfig.class));
  }

  /** The prepared folder of the newest finished PrepareData stage in the work folder. */
  public static Path prepared(Path work) {
    try (java.util.stream.Stream<Path> s = Files.list(work.resolve("stages"))) {
      Path done = s.filter(d -> d.getFileName().toString().startsWith("prepare-"))
          .map(d -> d.resolve("DONE.json")).filter(Files::isRegularFile)
          .max(java.util.Comparator.comparingLong(f -> f.toFile().lastModified()))
          .orElseThrow(() -> new IllegalStateException("no finished PrepareData stage in " + work));
      return Path.of(Json.read(done, org.mapd.workflows.PrepareResult.class).prepared());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + work.resolve("stages"), e);
    }
  }

  /** Each task's smallest and largest shot count. */
  static Plan.EvalPlan edgeShots(Plan.EvalPlan eval) {
    java.util.Map<String, java.util.List<Integer>> perTask = new java.util.LinkedHashMap<>();
    for (String task : eval.tasks()) {
      java.util.List<Integer> shots = eval.shots(task);
      int lo = shots.stream().mapToInt(Integer::intValue).min().orElseThrow();
      int hi = shots.stream().mapToInt(Integer::intValue).max().orElseThrow();
      perTask.put(task, lo == hi ? java.util.List.of(lo) : java.util.List.of(lo, hi));
    }
    return new Plan.EvalPlan(eval.tasks(), perTask.get(eval.tasks().get(0)), perTask, eval.modes());
  }

  /** conf/paper with the caps: the same hyper-parameters otherwise, so every setting's code path runs. */
  static void writeConf(Path paperConf, Path conf, Caps caps) {
    try {
      Files.createDirectories(conf);
      Files.copy(paperConf.resolve("mapper.json"), conf.resolve("mapper.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      ObjectNode training = (ObjectNode) Json.MAPPER.readTree(paperConf.resolve("training.json").toFile());
      cap((ObjectNode) training.get("pretrain"), caps, true);
      training.get("strategies").fields().forEachRemaining(e ->
          cap((ObjectNode) e.getValue(), caps, examplesPerStep(Strategy.parse(e.getKey()))));
      ObjectNode eval = (ObjectNode) training.get("eval");
      eval.put("queriesPerTask", caps.queries());
      eval.put("ftSteps", Math.min(caps.ftSteps(), eval.get("ftSteps").asInt()));
      eval.put("maxNewTokens", Math.min(caps.newTokens(), eval.get("maxNewTokens").asInt()));
      ObjectNode memory = (ObjectNode) training.get("memory");
      // Cut micro-batches for this host; its worst case never fits, the paper's is checked at full depth instead.
      memory.put("deviceGB", caps.hostGB()).put("reserveGB", 1.0).put("featureCacheGB", 1.0).put("checkFit", false);
      Json.writeAtomic(conf.resolve("training.json"), training);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rehearsal conf " + conf, e);
    }
  }

  private static void cap(ObjectNode stage, Caps caps, boolean examples) {
    stage.put("maxSteps", caps.steps());
    stage.put("gradAccum", 1);
    stage.put("checkpointEvery", 1);
    JsonNode batch = stage.get("batchSize");
    if (examples) stage.put("batchSize", Math.min(caps.batch(), batch.asInt()));
  }

  /** Whether a strategy's batchSize counts examples (MAPD's and Multi-Task's counts tasks). */
  private static boolean examplesPerStep(Strategy s) {
    return s != Strategy.MAPD && s != Strategy.MULTITASK;
  }
}
