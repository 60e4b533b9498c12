package org.mapd.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Plan;

/** The paper-style comparison (skeleton: helper C). */
public final class Report {
  private Report() {}

  /**
   * Writes report.md, results.json and the accuracy-vs-shots PNG into {@code outDir}.
   *
   * @param resultFiles the results.json of each evaluated row
   * @param stageSeconds wall time per stage, in run order
   * @return report.md
   */
  public static Path write(Plan plan, List<Path> resultFiles, Map<String, Double> stageSeconds, Path outDir) { throw new UnsupportedOperationException("helper C"); }
}
