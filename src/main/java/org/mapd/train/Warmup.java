package org.mapd.train;

import java.nio.file.Path;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.model.Backbones;

/** Mini plan only: trains tiny stand-ins for CLIP and Qwen, then freezes them (skeleton: helper D). */
public final class Warmup {
  private Warmup() {}

  public static Backbones run(Plan plan, Path base, Path prepared, Path out, Progress progress) { throw new UnsupportedOperationException("helper D"); }
}
