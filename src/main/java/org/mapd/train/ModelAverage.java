package org.mapd.train;

import java.nio.file.Path;
import java.util.List;

/** ModelAvg: weighted parameter average of per-dataset mappers (skeleton: helper D). */
public final class ModelAverage {
  private ModelAverage() {}

  public static MapperCheckpoint run(List<Path> mappers, List<Double> weights, Path out) { throw new UnsupportedOperationException("helper D"); }
}
