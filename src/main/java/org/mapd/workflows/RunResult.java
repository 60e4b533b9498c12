package org.mapd.workflows;

import java.util.List;
import java.util.Map;

/**
 * @param report path of report.md
 * @param resultFiles results.json of every evaluated row (references first, then strategies in plan order)
 * @param stageSeconds wall time per stage as the workflow saw it (includes queueing for a worker slot)
 */
public record RunResult(String report, List<String> resultFiles, Map<String, Double> stageSeconds) {}
