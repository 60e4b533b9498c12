package org.mapd.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Plan;

/** Stages of the {@value Workers#CPU} queue. Payloads are paths and summaries, never data. */
@ActivityInterface
public interface DataActivities {
  /** Checks the plan, generates synthetic data if the plan asks for it, runs the Beam preparation. */
  @ActivityMethod(name = "PrepareData")
  PrepareResult prepareData(Plan plan);

  /**
   * @param datasets records per training dataset (PrepareResult's), for the report's dataset count
   * @param resultFiles results.json of every evaluated row
   * @param stageSeconds wall time per stage, in run order
   * @param runId names the folder WORK/runs/RUN-ID/report
   * @param failed strategies the run was finished without, and why (null or empty: complete)
   * @return the path of report.md
   */
  @ActivityMethod(name = "Report")
  String report(Plan plan, Map<String, Long> datasets, List<String> resultFiles, Map<String, Double> stageSeconds, String runId,
      Map<String, String> failed);

  /**
   * Each strategy's settings from the plan's training.json as flat key -> value maps: the workflow shows
   * the ones that differ between strategies in each child's details.
   */
  @ActivityMethod(name = "ReadSettings")
  Map<String, Map<String, String>> settings(Plan plan);
}
