package org.mapd.workflows;

import java.nio.file.Path;
import java.util.List;
import org.mapd.eval.EvalSummary;
import org.mapd.report.Report;
import org.mapd.report.Scores;

/**
 * What an Evaluate stage returns into the workflow history: where its files are, and its numbers (every
 * cell with its query count and interval, and the averages), so that a history alone is enough to compare
 * runs. No sample logs: samples.jsonl stays in the stage folder. Histories recorded before the numbers were
 * added hold the first four fields only (scores null).
 *
 * @param samples evaluated queries
 */
public record Evaluation(String row, String resultsFile, String samplesFile, long samples, Scores scores) {
  /** The stage's summary with the numbers of its results.json. */
  static Evaluation of(EvalSummary summary) {
    return new Evaluation(summary.row(), summary.resultsFile(), summary.samplesFile(), summary.samples(),
        Scores.of(Report.read(List.of(Path.of(summary.resultsFile())))));
  }
}
