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
 */
public record Training(
    TrainConfig warmup, TrainConfig pretrain, Map<String, TrainConfig> strategies, EvalConfig eval, MemoryBudget memory) {
  public Training {
    TrainConfig.require(pretrain != null, "training.json: pretrain is required");
    TrainConfig.require(strategies != null, "training.json: strategies is required");
    TrainConfig.require(eval != null, "training.json: eval is required");
    TrainConfig.require(memory != null, "training.json: memory is required (deviceGB, reserveGB, featureCacheGB, recompute)");
  }

  public TrainConfig strategy(String name) {
    TrainConfig c = strategies.get(name);
    if (c == null) {
      throw new IllegalArgumentException(
          "training.json has no settings for strategy '" + name + "' (has " + strategies.keySet() + ")");
    }
    return c;
  }
}
