package org.mapd.eval;

import java.nio.file.Path;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.model.Backbones;

/** VL-ICL evaluation of one mapper, ICL and FT (skeleton: helper D). */
public final class Evaluate {
  private Evaluate() {}

  /**
   * @param row result row name: a strategy (mapd, ...) or a reference (pretrain_only, untrained)
   * @param mapper finished mapper folder, or null for a randomly initialised one (seeded by the plan)
   */
  public static EvalSummary run(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl, Path out, Progress progress) { throw new UnsupportedOperationException("helper D"); }
}
