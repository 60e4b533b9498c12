package org.mapd.train;

import java.nio.file.Path;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.model.Backbones;

/** Mapper pretraining on captions (skeleton: helper D). */
public final class Pretrain {
  private Pretrain() {}

  public static MapperCheckpoint run(Plan plan, Path base, Path prepared, Backbones backbones, Path out, Progress progress) { throw new UnsupportedOperationException("helper D"); }
}
