package org.mapd.workflows;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.mapd.conf.AverageWeights;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;
import org.mapd.eval.EvalSummary;
import org.mapd.eval.Evaluate;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/**
 * Each method names the stage's content address (what it depends on), then runs it through
 * {@link StageRun}: reuse, or run with heartbeats into the addressed folder and mark it done.
 *
 * @param base folder relative plan paths resolve against (the repository root)
 */
public record TrainingActivitiesImpl(Path base, StageStore store, Stages stages, StageListener listener)
    implements TrainingActivities {

  @Override
  public Backbones warmup(Plan plan, PrepareResult prepared) {
    Training training = plan.training(base);
    StageKey key = modelKey(new StageKey("warmup"), plan)
        .value("warmup", training.warmup())
        .value("prepared", prepared);
    return StageRun.run(store, listener, "Warmup", key, Backbones.class,
        (out, progress) -> stages.warmup(plan, base, Path.of(prepared.prepared()), out, progress));
  }

  @Override
  public MapperCheckpoint pretrain(Plan plan, PrepareResult prepared, Backbones backbones) {
    Training training = plan.training(base);
    StageKey key = backboneKey(new StageKey("pretrain"), plan, backbones)
        .value("pretrain", training.pretrain())
        .value("prepared", prepared);
    return StageRun.run(store, listener, "Pretrain", key, MapperCheckpoint.class,
        (out, progress) -> stages.pretrain(plan, base, Path.of(prepared.prepared()), resolved(backbones), out, progress));
  }

  @Override
  public MapperCheckpoint finetune(Plan plan, Strategy strategy, String dataset, PrepareResult prepared,
      Backbones backbones, String init) {
    Training training = plan.training(base);
    StageKey key = backboneKey(new StageKey("finetune", strategy.json(), dataset), plan, backbones)
        .value("settings", training.strategy(strategy))
        .value("prepared", prepared)
        .value("init", init);
    String stage = "Finetune " + strategy.json() + (dataset == null ? "" : " " + dataset);
    return StageRun.run(store, listener, stage, key, MapperCheckpoint.class,
        (out, progress) -> stages.finetune(plan, base, strategy, dataset, Path.of(prepared.prepared()),
            resolved(backbones), Path.of(init), out, progress));
  }

  @Override
  public MapperCheckpoint averageParameters(Plan plan, List<String> mappers, List<Double> recordCounts) {
    if (mappers.size() != recordCounts.size()) {
      throw ApplicationFailure.newNonRetryableFailure(
          mappers.size() + " mappers but " + recordCounts.size() + " record counts", StageOptions.INVALID_INPUT);
    }
    AverageWeights how = plan.training(base).averageWeights();
    List<Double> weights = recordCounts.stream().map(how::weight).toList();
    StageKey key = new StageKey("average", Strategy.MODELAVG.json()).value("mappers", mappers).value("weights", weights);
    return StageRun.run(store, listener, "AverageParameters", key, MapperCheckpoint.class,
        (out, progress) -> stages.average(mappers.stream().map(Path::of).toList(), weights, out));
  }

  @Override
  public Evaluation evaluate(Plan plan, String row, String mapper, Backbones backbones, PrepareResult prepared) {
    Training training = plan.training(base);
    StageKey key = backboneKey(new StageKey("evaluate", row), plan, backbones)
        .value("eval", plan.eval())
        .value("settings", training.eval())
        .value("vlIcl", prepared.vlIcl())
        .value("mapper", mapper)
        // Since results format 2, results.json holds each cell's query count, which its interval needs:
        // outputs written before it are not reused.
        .value("resultsFormat", 2);
    EvalSummary summary = StageRun.run(store, listener, Evaluate.stageName(row), key, EvalSummary.class,
        (out, progress) -> stages.evaluate(plan, base, row, mapper == null ? null : Path.of(mapper), resolved(backbones),
            Path.of(prepared.vlIcl()), out, progress));
    return Evaluation.of(summary);
  }

  /** What every model stage depends on: seed, fidelity and the model shapes. */
  private StageKey modelKey(StageKey key, Plan plan) {
    return key.value("seed", plan.seed())
        .value("fidelity", plan.fidelity())
        .file("mapper.json", plan.mapperConfig(base))
        .file("vision/config.json", base.resolve(plan.models().vision()).resolve("config.json"))
        .file("llm/config.json", base.resolve(plan.models().llm()).resolve("config.json"));
  }

  /** Weight and tokenizer files up to this size are hashed into the keys of the stages that read them. */
  static final long HASHED_BACKBONE_BYTES = 64L << 20;

  /**
   * Warmed-up backbones are stage outputs whose folder names are content addresses. Given ones are identified
   * by path and config.json, plus the bytes of their weights and tokenizer when those are small (the mini plan's
   * shipped backbones, about 1 MB, are retrained by tools/mini_backbones.sh); hashing the paper plan's 15 GB per
   * stage would cost minutes.
   */
  private StageKey backboneKey(StageKey key, Plan plan, Backbones backbones) {
    StageKey k = modelKey(key, plan).value("backbones", backbones);
    return plan.models().warmup() ? k : smallFiles(smallFiles(k, "vision", backbones.vision()), "llm", backbones.llm());
  }

  /** Adds the folder's model.safetensors and tokenizer.json to the key when present and at most HASHED_BACKBONE_BYTES. */
  private StageKey smallFiles(StageKey k, String part, String folder) {
    for (String name : List.of("model.safetensors", "tokenizer.json")) {
      Path file = base.resolve(folder).resolve(name);
      try {
        if (Files.isRegularFile(file) && Files.size(file) <= HASHED_BACKBONE_BYTES) k = k.file(part + "/" + name, file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return k;
  }

  /** Plan paths are relative to the repository root; stages get absolute ones. */
  private Backbones resolved(Backbones b) {
    return new Backbones(base.resolve(b.vision()).normalize().toString(), base.resolve(b.llm()).normalize().toString());
  }
}
