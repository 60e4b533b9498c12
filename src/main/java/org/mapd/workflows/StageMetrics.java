package org.mapd.workflows;

import org.mapd.train.BatchStats;

/**
 * What one run of a stage cost, written as metrics.json into its folder: small numbers for reports and
 * for sizing real runs from rehearsals.
 *
 * @param stage the stage's display name
 * @param seconds wall time of this attempt
 * @param firstStepSeconds until the first progress report (loading models and data, and the first step)
 * @param steps steps (optimizer steps, or evaluated queries) this attempt made
 * @param secondsPerStep mean seconds per step after the first
 * @param peakRssBytes the worker process's peak resident memory during the stage (-1 unknown)
 * @param batches shapes of the sequences and micro-batches met, for stages that train or adapt a mapper
 */
public record StageMetrics(String stage, double seconds, double firstStepSeconds, long steps, double secondsPerStep,
    long peakRssBytes, BatchStats.Summary batches) {
  public static final String FILE = "metrics.json";
}
