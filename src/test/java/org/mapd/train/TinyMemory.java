package org.mapd.train;

/** The "memory" section of the tests' training.json files: a host budget no tiny batch comes near. */
public final class TinyMemory {
  public static final String JSON =
      "\"memory\": {\"deviceGB\": 4, \"reserveGB\": 1, \"featureCacheGB\": 0.25, \"recompute\": false}";

  private TinyMemory() {}
}
