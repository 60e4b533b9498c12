package org.mapd.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/**
 * Stages of the {@value Workers#GPU} queue. Each one heartbeats {@link HeartbeatDetails}; a retry re-runs
 * the stage into the same content-addressed folder, where it resumes from its newest checkpoint.
 */
@ActivityInterface
public interface TrainingActivities {
  /** Mini plan only: trains and freezes tiny stand-ins for CLIP and Qwen. */
  @ActivityMethod(name = "Warmup")
  Backbones warmup(Plan plan, PrepareResult prepared);

  @ActivityMethod(name = "Pretrain")
  MapperCheckpoint pretrain(Plan plan, PrepareResult prepared, Backbones backbones);

  /** @param dataset one dataset (a ModelAvg member run), or null for the whole mixture */
  @ActivityMethod(name = "Finetune")
  MapperCheckpoint finetune(
      Plan plan, Strategy strategy, String dataset, PrepareResult prepared, Backbones backbones, String init);

  /**
   * ModelAvg: the weighted parameter average of the per-dataset mappers.
   *
   * @param recordCounts each member's dataset size; training.json's averageWeights makes the weights
   */
  @ActivityMethod(name = "AverageParameters")
  MapperCheckpoint averageParameters(Plan plan, List<String> mappers, List<Double> recordCounts);

  /**
   * @param row a strategy or a reference row (pretrain_only, untrained)
   * @param mapper finished mapper folder, or null for the untrained (seeded random) mapper
   * @return the result files and their numbers, which go into the history
   */
  @ActivityMethod(name = "Evaluate")
  Evaluation evaluate(Plan plan, String row, String mapper, Backbones backbones, PrepareResult prepared);
}
