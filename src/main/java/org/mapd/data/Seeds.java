package org.mapd.data;

/** Seeds of independent random streams derived from one seed, so that parts of a generator do not depend on each other's draws. */
final class Seeds {
  private Seeds() {}

  /** SplitMix64 of seed and salt: nearby inputs give unrelated seeds. */
  static long mix(long seed, long salt) {
    long z = seed ^ (salt * 0x9E3779B97F4A7C15L);
    z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
