package org.mapd.train;

import java.nio.file.Path;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;

/** One finetuning run of a strategy (skeleton: helper D). */
public final class Finetune {
  private Finetune() {}

  /** @param dataset only this dataset (a ModelAvg member run), or null for the whole mixture */
  public static MapperCheckpoint run(Plan plan, Path base, Strategy strategy, String dataset, Path prepared, Backbones backbones, Path init, Path out, Progress progress) { throw new UnsupportedOperationException("helper D"); }
}
