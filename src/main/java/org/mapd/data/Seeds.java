package org.mapd.data;

import java.util.Random;

/** Seeds of independent random streams derived from one seed, so that parts of a generator do not depend on each other's draws. */
public final class Seeds {
  private Seeds() {}

  /** SplitMix64 of seed and salt: nearby inputs give unrelated seeds. */
  static long mix(long seed, long salt) {
    long z = seed ^ (salt * 0x9E3779B97F4A7C15L);
    z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * 0..n-1 shuffled by Fisher-Yates from the last position down, with the same draws as
   * {@code Collections.shuffle} of that list: the one shuffle of the manifests and the training order.
   */
  public static int[] permutation(int n, Random r) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n; i > 1; i--) {
      int j = r.nextInt(i), t = p[i - 1];
      p[i - 1] = p[j];
      p[j] = t;
    }
    return p;
  }
}
