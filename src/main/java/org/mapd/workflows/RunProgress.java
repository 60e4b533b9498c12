package org.mapd.workflows;

import java.util.List;
import java.util.Map;
import org.mapd.report.Interval;
import org.mapd.report.Report;
import org.mapd.report.Scores;

/**
 * What a run, or one strategy child, has done so far. The `progress` query returns it as JSON and the Web UI
 * shows {@link #markdown()} as the workflow's current details: one source for both.
 *
 * @param workflow the workflow id
 * @param stage what runs now (the MapdStage search attribute)
 * @param stages this workflow's own stages, in start order
 * @param rows evaluated rows (references, strategies) with their state and averages
 * @param failed strategy -> why it failed (parent), or stage -> why (child)
 * @param waiting true while the run waits for `retryStrategy` or `finish`
 */
public record RunProgress(String workflow, String plan, long seed, String fidelity, String stage, List<Stage> stages,
    List<Row> rows, Map<String, String> failed, boolean waiting) {

  /** @param state running, done or failed; @param seconds wall time once done */
  public record Stage(String name, String state, Double seconds) {}

  /** @param state queued, running, done, failed or retrying; @param ft, icl the averages once evaluated */
  public record Row(String name, String state, Scores.Average ft, Scores.Average icl) {}

  /** The Markdown the UI shows: a header line, the stage table, the rows table and what the run waits for. */
  public String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("**").append(plan).append("** · seed ").append(seed).append(" · fidelity ").append(fidelity)
        .append(" · now: ").append(stage).append("\n\n");
    md.append("| stage | state | h:mm:ss |\n|---|---|---:|\n");
    for (Stage s : stages) {
      md.append("| ").append(s.name()).append(" | ").append(s.state()).append(" | ")
          .append(s.seconds() == null ? "" : Report.hms(s.seconds())).append(" |\n");
    }
    if (!rows.isEmpty()) {
      md.append("\n| row | state | FT avg % [95% CI] | ICL avg % [95% CI] |\n|---|---|---:|---:|\n");
      for (Row r : rows) {
        md.append("| ").append(r.name()).append(" | ").append(r.state()).append(" | ").append(average(r.ft()))
            .append(" | ").append(average(r.icl())).append(" |\n");
      }
    }
    if (!failed.isEmpty()) {
      md.append("\nFailed:\n");
      failed.forEach((name, why) ->
          md.append("- ").append(name).append(": ").append(why.replace('\n', ' ')).append('\n'));
    }
    if (waiting && !failed.isEmpty()) {
      md.append("\n**Waiting.** Fix the cause, then send the update `retryStrategy` with a failed strategy's name "
          + "(e.g. \"").append(failed.keySet().iterator().next()).append("\"), or the signal `finish` to write the "
          + "report without the failed strategies.\n");
    }
    return md.toString();
  }

  private static String average(Scores.Average a) {
    if (a == null) return "";
    String value = Interval.percent(a.accuracy());
    return a.ci95() == null ? value : value + " " + a.ci95().percent();
  }
}
