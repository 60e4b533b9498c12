package org.mapd.data;

import java.nio.file.Path;
import java.util.Map;

/** Synthetic datasets in the real formats (skeleton: helper B). */
public final class SynthData {
  private SynthData() {}

  /** Writes every synthetic source under {@code out}; returns record counts per file. */
  public static Map<String, Integer> generate(Path out, long seed) { throw new UnsupportedOperationException("helper B"); }
}
