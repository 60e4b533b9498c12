package org.mapd.conf;

/**
 * How evaluation adapts and decodes (method.md §5).
 *
 * @param ftSteps inner steps on the support set in FT mode (30 in the authors' script)
 * @param ftDefaultLr inner learning rate for steps beyond the trained ones, and for every step of a
 *     checkpoint without learned rates (1.0 in the authors' script)
 * @param maxNewTokens greedy decoding budget (100 in the authors' script)
 * @param queriesPerTask queries evaluated per task, 0 for all
 * @param nWay classes per open_mi episode (2 in the authors' script)
 */
public record EvalConfig(int ftSteps, double ftDefaultLr, int maxNewTokens, int queriesPerTask, int nWay) {
  public EvalConfig {
    TrainConfig.require(ftSteps > 0, "ftSteps must be > 0");
    TrainConfig.require(maxNewTokens > 0, "maxNewTokens must be > 0");
    TrainConfig.require(queriesPerTask >= 0, "queriesPerTask must be >= 0");
    TrainConfig.require(nWay >= 2, "nWay must be >= 2");
  }
}
