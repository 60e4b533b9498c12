package org.mapd.conf;

import java.util.Map;

/**
 * conf/{mini,paper}/training.json: every stage's hyper-parameters.
 *
 * @param warmup backbone warm-up of the mini plan (null when real pretrained backbones are loaded)
 * @param pretrain mapper pretraining on captions
 * @param strategies finetuning strategy name (mapd, multitask, nometatask, ict, modelavg) to its settings
 * @param eval evaluation settings
 * @param memory what one device may hold (micro-batch sizing, feature cache, activation checkpointing)
 * @param averageWeights how ModelAvg weights its per-dataset mappers: "records" (also when absent) or "equal".
 *     Kept apart from the modelavg settings so that changing it re-runs only the average, not the 15
 *     per-dataset finetunes.
 */
public record Training(TrainConfig warmup, TrainConfig pretrain, Map<String, TrainConfig> strategies, EvalConfig eval,
    MemoryBudget memory, AverageWeights averageWeights) {
  public Training {
    if (averageWeights == null) averageWeights = AverageWeights.RECORDS;
    TrainConfig.require(pretrain != null, "training.json: pretrain is required");
    TrainConfig.require(strategies != null, "training.json: strategies is required");
    TrainConfig.require(eval != null, "training.json: eval is required");
    TrainConfig.require(memory != null, "training.json: memory is required (deviceGB, reserveGB, featureCacheGB, recompute)");
  }

  /** Whether training.json has settings for {@code s}. */
  public boolean has(Strategy s) {
    return strategies.containsKey(s.json());
  }

  public TrainConfig strategy(Strategy s) {
    String name = s.json();
    TrainConfig c = strategies.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "training.json has no settings for strategy '" + name + "' (has " + strategies.keySet() + ")");
    }
    return c;
  }
}
