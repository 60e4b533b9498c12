package org.mapd.pipelines;

import java.nio.file.Path;
import org.mapd.conf.Training;

/** The Beam preparation (skeleton: helper B). */
public final class PrepareData {
  private PrepareData() {}

  /**
   * @param runner direct or flink
   * @param flinkMaster host:port or [local] (flink only)
   * @param fullImageCheck decode every image instead of checking existence and header
   * @param seed seed of the meta-task manifests
   * @param training sizes of meta-tasks and ICT groups, epochs per strategy
   */
  public record Options(String runner, String flinkMaster, boolean fullImageCheck, long seed, Training training) {}

  public static PrepareSummary run(Path datasets, Path out, Options options) { throw new UnsupportedOperationException("helper B"); }
}
