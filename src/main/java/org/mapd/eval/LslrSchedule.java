package org.mapd.eval;

import java.util.Arrays;

/**
 * Per-step inner learning rates for FT-mode adaptation (method.md §5). The authors train n steps (a
 * vector of n+1 rates, the last one never used) and evaluate with 30: trained lr[0..n-1], then lr[n-1]
 * repeated n times, then the default rate, then the trained lr[n] last (31 entries for n = 5).
 */
public final class LslrSchedule {
  private LslrSchedule() {}

  /**
   * @param trained learned rates of one tensor, length n+1 (n trained inner steps)
   * @return ftSteps+1 rates; entry k &lt; ftSteps is the rate of step k, the last entry mirrors the
   *     authors' vector and is not used by any step
   */
  public static double[] extrapolate(double[] trained, int ftSteps, double defaultLr) {
    if (trained.length < 1) throw new IllegalArgumentException("LSLR: empty learned rate vector");
    if (ftSteps < 1) throw new IllegalArgumentException("LSLR: ftSteps must be > 0");
    int n = trained.length - 1;
    double[] out = new double[ftSteps + 1];
    out[ftSteps] = trained[n];
    if (ftSteps <= trained.length) {
      // Enough trained rates: the authors use the vector as it is.
      System.arraycopy(trained, 0, out, 0, ftSteps);
      return out;
    }
    // The authors repeat lr[n-1] exactly n (= 5) times; for fewer remaining steps, as many as fit.
    int repeats = Math.min(n, ftSteps - n);
    for (int k = 0; k < ftSteps; k++) {
      if (k < n) out[k] = trained[k];
      else if (k < n + repeats) out[k] = trained[n - 1];
      else out[k] = defaultLr;
    }
    return out;
  }

  /** Checkpoints without learned rates (baselines): the default rate at every step. */
  public static double[] constant(int ftSteps, double lr) {
    double[] out = new double[ftSteps + 1];
    Arrays.fill(out, lr);
    return out;
  }
}
