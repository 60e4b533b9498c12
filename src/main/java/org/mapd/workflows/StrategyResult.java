package org.mapd.workflows;

import java.util.Map;
import org.mapd.conf.Strategy;
import org.mapd.train.MapperCheckpoint;

/**
 * @param mapper the finished mapper (ModelAvg: the average)
 * @param evaluation where its results are, and its numbers
 * @param averageWeights ModelAvg only: dataset -> its record count (training.json's averageWeights makes
 *     the weights of the average from these); empty otherwise
 * @param stageSeconds wall time per stage of this child, keys prefixed with the strategy
 */
public record StrategyResult(
    Strategy strategy,
    MapperCheckpoint mapper,
    Evaluation evaluation,
    Map<String, Double> averageWeights,
    Map<String, Double> stageSeconds) {}
