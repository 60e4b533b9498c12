package org.mapd.workflows;

import java.util.Map;
import org.mapd.conf.Strategy;
import org.mapd.eval.EvalSummary;
import org.mapd.train.MapperCheckpoint;

/**
 * @param mapper the finished mapper (ModelAvg: the average)
 * @param averageWeights ModelAvg only: dataset -> its record count (training.json's averageWeights makes
 *     the weights of the average from these); empty otherwise
 * @param stageSeconds wall time per stage of this child, keys prefixed with the strategy
 */
public record StrategyResult(
    Strategy strategy,
    MapperCheckpoint mapper,
    EvalSummary evaluation,
    Map<String, Double> averageWeights,
    Map<String, Double> stageSeconds) {}
