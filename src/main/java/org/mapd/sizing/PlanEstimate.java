package org.mapd.sizing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.Json;
import org.mapd.conf.EvalConfig;
import org.mapd.conf.MemoryBudget;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.TrainConfig;
import org.mapd.conf.Training;
import org.mapd.model.DecoderConfig;
import org.mapd.model.FlopModel;
import org.mapd.model.MapperConfig;
import org.mapd.model.MemoryModel;
import org.mapd.model.VisionConfig;
import org.mapd.train.DataStats;
import org.mapd.train.FeatureCache;

/**
 * What a plan costs on GPUs, from its settings, the backbones' shapes and measured sequence lengths
 * ({@link DataStats}): per stage the examples, optimizer steps, tokens, FLOPs (FlopModel), per-GPU memory
 * for the micro-batch the stage's device budget allows (MemoryModel), and GPU hours at a stated sustained
 * rate; in total the GPU hours and the wall time of the stages scheduled on the given GPUs (a stage runs
 * on one GPU; strategies, ModelAvg runs and evaluations run side by side, as the workflow starts them).
 */
public final class PlanEstimate {
  /**
   * @param microBatch sequences per micro-batch the budget allows for the stage's typical sequence (the
   *     batch it comes from caps it)
   * @param worstGpuMemoryGB per-GPU memory of one sequence at the stage's maxLen (what PlanCheck checks)
   * @param fits whether both fit the device
   */
  public record Stage(String stage, long examples, long steps, long tokens, double flops, double gpuMemoryGB,
      double gpuHours, int microBatch, double worstGpuMemoryGB, boolean fits, List<String> after) {}

  public record Total(double flops, double gpuHours, double wallHours) {}

  /** estimate.json. */
  public record Estimate(String plan, int gpus, double gpuMemoryGB, double tflops, String rate, String stats,
      List<Stage> stages, Total total, List<String> notes) {}

  private final Plan plan;
  private final Training training;
  private final DataStats stats;
  private final MemoryModel memory;
  private final FlopModel flops;
  private final MemoryBudget budget;
  private final double rate;

  /**
   * @param gpuMemoryGB each GPU's memory (replaces the plan's memory.deviceGB)
   * @param tflops sustained TFLOP/s of one GPU on this work
   */
  private PlanEstimate(Plan plan, Training training, DataStats stats, VisionConfig vision, DecoderConfig decoder,
      MapperConfig mapper, double gpuMemoryGB, double tflops) {
    this.plan = plan;
    this.training = training;
    this.stats = stats;
    MemoryBudget m = training.memory();
    this.budget = new MemoryBudget(gpuMemoryGB, m.reserveGB(), m.featureCacheGB(), m.recompute(), true);
    this.memory = new MemoryModel(vision, decoder, mapper, m.recompute());
    this.flops = new FlopModel(vision, decoder, mapper);
    this.rate = tflops * 1e12;
  }

  /**
   * @param vision folder with the vision tower's config.json, {@code llm} the decoder's (the plan's model
   *     folders, or its conf folder's copies of the published configs)
   */
  public static Estimate of(Plan plan, Path base, Path vision, Path llm, DataStats stats, int gpus, double gpuMemoryGB,
      double tflops, String rateSource) {
    Training training = plan.training(base);
    PlanEstimate e = new PlanEstimate(plan, training, stats, VisionConfig.load(vision), DecoderConfig.load(llm),
        Json.read(plan.mapperConfig(base), MapperConfig.class), gpuMemoryGB, tflops);
    List<Stage> stages = e.stages();
    double totalFlops = stages.stream().mapToDouble(Stage::flops).sum();
    double gpuHours = stages.stream().mapToDouble(Stage::gpuHours).sum();
    List<String> notes = new ArrayList<>();
    notes.add("PrepareData runs on CPU workers and is not counted (measured: about a minute for the full mix on 2 cores)");
    notes.add("decoding counts maxNewTokens (" + training.eval().maxNewTokens() + ") generated tokens per prompt: an upper bound");
    for (Stage s : stages) {
      if (!s.fits()) notes.add(s.stage() + " does not fit " + gpuMemoryGB + " GB per GPU");
    }
    return new Estimate(plan.name(), gpus, gpuMemoryGB, tflops, rateSource, stats.source(), stages,
        new Total(totalFlops, gpuHours, schedule(stages, gpus)), notes);
  }

  /** One shape of sequence: mean tokens, supervised tokens and images. */
  private record Shape(double tokens, double supervised, double images) {
    static Shape of(DataStats.Lengths l) {
      return new Shape(l.meanTokens(), l.meanSupervised(), l.meanImages());
    }

    MemoryModel.Chunk chunk(int n) {
      return new MemoryModel.Chunk(n, (int) Math.ceil(tokens), (int) Math.ceil(n * images), (int) Math.ceil(n * supervised));
    }
  }

  private List<Stage> stages() {
    List<Stage> out = new ArrayList<>();
    TrainConfig pre = training.pretrain();
    out.add(training("Pretrain", List.of(), stats.captions().records(), pre, 1, Shape.of(stats.captions()), 0,
        pre.maxLen() + memory.mapper().prefixLength() - 1, 1));
    long mix = stats.datasets().values().stream().mapToLong(DataStats.Lengths::records).sum();
    Shape mixShape = weighted(stats.datasets());
    List<String> evalAfter = new ArrayList<>();
    for (String ref : plan.references()) out.add(evaluation("Evaluate " + ref, List.of("Pretrain")));
    for (Strategy s : plan.strategies()) {
      TrainConfig c = training.strategy(s);
      int p = memory.mapper().prefixLength();
      String stage = "Finetune " + s.json();
      switch (s) {
        case NOMETATASK -> out.add(training(stage, List.of("Pretrain"), mix, c, 1, mixShape, 0, c.maxLen() + p - 1, 1));
        case ICT -> // samples per epoch as the preparation's manifest has them (|D| / 11 groups, fidelity's draws)
            out.add(training(stage, List.of("Pretrain"), stats.ict().records(), c, 1, Shape.of(stats.ict()), 0, c.maxLen(),
                c.ictContext() + 1));
        case MULTITASK, MAPD -> {
          int k = c.kSupport() + c.kQuery();
          long tasks = stats.datasets().values().stream().mapToLong(l -> l.records() >= k ? (l.records() + k - 1) / k : 0).sum();
          boolean mapd = s == Strategy.MAPD;
          int support = mapd && plan.fidelity().innerGradLastChunkOnly()
              ? (c.kSupport() + c.innerChunks() - 1) / c.innerChunks() : c.kSupport();
          int perTask = mapd ? c.innerSteps() * support + c.kQuery() : k;
          out.add(training(stage, List.of("Pretrain"), tasks, c, perTask, mixShape, mapd ? c.innerSteps() : 0,
              c.maxLen() + p - 1, 1));
        }
        case MODELAVG -> {
          List<String> members = new ArrayList<>();
          for (Map.Entry<String, DataStats.Lengths> d : stats.datasets().entrySet()) {
            if (d.getValue().records() == 0) continue;
            String member = stage + "/" + d.getKey();
            members.add(member);
            out.add(training(member, List.of("Pretrain"), d.getValue().records(), c, 1, Shape.of(d.getValue()), 0,
                c.maxLen() + p - 1, 1));
          }
          out.add(evaluation("Evaluate modelavg", members));
          continue;
        }
      }
      out.add(evaluation("Evaluate " + s.json(), List.of(stage)));
    }
    return out;
  }

  /** Record-weighted mean shape of the finetuning datasets. */
  private static Shape weighted(Map<String, DataStats.Lengths> datasets) {
    double n = 0, t = 0, s = 0, i = 0;
    for (DataStats.Lengths l : datasets.values()) {
      n += l.records();
      t += l.records() * l.meanTokens();
      s += l.records() * l.meanSupervised();
      i += l.records() * l.meanImages();
    }
    return n == 0 ? new Shape(0, 0, 0) : new Shape(t / n, s / n, i / n);
  }

  /**
   * A training stage: {@code units} examples or tasks per epoch, {@code perUnit} sequences through the model
   * for each, batchSize units per micro-step and gradAccum micro-steps per optimizer step.
   */
  private Stage training(String name, List<String> after, long units, TrainConfig c, int perUnit, Shape shape,
      int innerSteps, int worstTokens, int worstImages) {
    long stepsPerEpoch = ((units + c.batchSize() - 1) / c.batchSize() + c.gradAccum() - 1) / c.gradAccum();
    long steps = c.maxSteps() > 0 ? Math.min(c.maxSteps(), stepsPerEpoch * c.epochs()) : stepsPerEpoch * c.epochs();
    double fraction = (double) steps / (stepsPerEpoch * c.epochs());
    double sequences = (double) units * perUnit * c.epochs() * fraction;
    double perSequence = flops.trainSequence(Math.round(shape.tokens()), Math.round(shape.supervised()),
        (int) Math.round(shape.images()), budget.recompute()) + shape.images() * flops.visionForward();
    long room = memory.activationBudget(budget, innerSteps, FeatureCache.BATCH);
    int cap = (int) Math.min(Integer.MAX_VALUE, (long) c.batchSize() * perUnit);
    int micro = 1;
    while (micro < cap && memory.activationBytes(shape.chunk(micro + 1)) <= room) micro++;
    long fixed = memory.residentBytes(innerSteps) + budget.featureCacheBytes() + memory.visionBytes(FeatureCache.BATCH);
    double gpu = (fixed + memory.activationBytes(shape.chunk(micro))) / MemoryBudget.GIB;
    double worst = (fixed + memory.activationBytes(new MemoryModel.Chunk(1, worstTokens, worstImages, worstTokens)))
        / MemoryBudget.GIB;
    double device = budget.deviceGB() - budget.reserveGB();
    return new Stage(name, units, steps, Math.round(sequences * shape.tokens()), sequences * perSequence, gpu,
        sequences * perSequence / rate / 3600, micro, worst, gpu <= device && worst <= device, after);
  }

  /** One row of the evaluation grid: every task's queries at each shot count, in ICL and FT mode. */
  private Stage evaluation(String name, List<String> after) {
    EvalConfig e = training.eval();
    double total = 0;
    double tokens = 0;
    long units = 0;
    for (String task : plan.eval().tasks()) {
      DataStats.TaskLengths t = stats.vlIcl().get(task);
      if (t == null) continue;
      long queries = e.queriesPerTask() == 0 ? t.queries() : Math.min(e.queriesPerTask(), t.queries());
      for (int shots : plan.eval().shots(task)) {
        for (Mode mode : plan.eval().modes()) {
          units += queries;
          double prompt;
          double work;
          int images = 1 + shots * t.imagesPerShot();
          if (mode == Mode.ICL) {
            prompt = t.queryTokens() + shots * t.imagesPerShot() * t.iclShotTokens();
            work = generation(prompt, images, e.maxNewTokens());
          } else {
            prompt = t.queryTokens();
            int support = shots * t.imagesPerShot();
            work = shots == 0 ? generation(prompt, 1, e.maxNewTokens())
                : e.ftSteps() * support * flops.trainSequence(Math.round(t.supportTokens()), Math.round(t.supportSupervised()), 1, budget.recompute())
                    + (e.ftSteps() + 1) * generation(prompt, 1, e.maxNewTokens());
            if (shots > 0) tokens += queries * e.ftSteps() * support * t.supportTokens();
          }
          tokens += queries * prompt;
          total += queries * (work + images * flops.visionForward());
        }
      }
    }
    long fixed = memory.residentBytes(0) + budget.featureCacheBytes() + memory.visionBytes(FeatureCache.BATCH);
    double gpu = (fixed + memory.activationBytes(new MemoryModel.Chunk(1, 400, 1, 3))) / MemoryBudget.GIB;
    return new Stage(name, units, units, Math.round(tokens), total, gpu, total / rate / 3600, 1, gpu,
        gpu <= budget.deviceGB() - budget.reserveGB(), after);
  }

  /** Prefill of a prompt and greedy decoding of {@code newTokens} with the KV cache. */
  private double generation(double promptTokens, int images, int newTokens) {
    double g = flops.forwardSequence(Math.round(promptTokens), 1, images);
    for (int i = 0; i < newTokens - 1; i++) g += flops.decodeToken(Math.round(promptTokens) + i);
    return g;
  }

  /**
   * Wall hours of the stages on {@code gpus} GPUs: each stage on one GPU once the stages it waits for are
   * done, the longest ready stage first.
   */
  static double schedule(List<Stage> stages, int gpus) {
    Map<String, Double> done = new LinkedHashMap<>();
    double[] free = new double[gpus];
    List<Stage> pending = new ArrayList<>(stages);
    while (!pending.isEmpty()) {
      int g = 0;
      for (int i = 1; i < gpus; i++) if (free[i] < free[g]) g = i;
      double now = free[g];
      List<Stage> ready = pending.stream().filter(s -> done.keySet().containsAll(s.after())).toList();
      if (ready.isEmpty()) throw new IllegalStateException("stages wait for each other: " + pending);
      // a ready stage can start once its inputs are done, possibly after this GPU frees up
      Stage next = ready.stream().max(Comparator.comparingDouble(Stage::gpuHours)).orElseThrow();
      double start = Math.max(now, next.after().stream().mapToDouble(done::get).max().orElse(0));
      free[g] = start + next.gpuHours();
      done.put(next.stage(), free[g]);
      pending.remove(next);
    }
    return done.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
