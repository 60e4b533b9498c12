package org.mapd.workflows;

import java.util.List;
import java.util.Map;

/**
 * @param report path of report.md
 * @param resultFiles results.json of every evaluated row (references first, then strategies in plan order)
 * @param stageSeconds wall time per stage as the workflow saw it (includes queueing for a worker slot)
 * @param failed strategies the run was finished without, and why (empty: the report is complete; null in
 *     histories recorded before failed strategies were tolerated)
 */
public record RunResult(String report, List<String> resultFiles, Map<String, Double> stageSeconds,
    Map<String, String> failed) {
  public boolean complete() {
    return failed == null || failed.isEmpty();
  }
}
