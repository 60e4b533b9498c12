package org.mapd.report;

import java.util.List;

/**
 * The 95% intervals of reports and comparisons, and why each method.
 *
 * <ul>
 *   <li>One cell (k of n queries correct): the Wilson score interval. Unlike the normal approximation it does
 *       not collapse to a point at 0 % or 100 %, where mini cells often sit, and it keeps near-nominal coverage at
 *       n = 24.
 *   <li>Averages over cells and differences between independent estimates: MOVER (Zou and Donner 2008), which
 *       recovers each estimate's variance from the distance to its own limits and adds them; for the difference
 *       of two Wilson intervals it is Newcombe's hybrid score interval. It treats the cells as independent;
 *       the same query images recur across shot counts, so an average's interval is somewhat too narrow.
 *   <li>Over runs (seeds): Student's t with n - 1 degrees of freedom on the runs' values.
 * </ul>
 */
public final class Intervals {
  /** The standard normal 97.5 % quantile. */
  static final double Z = 1.959963984540054;
  /** Student's t 97.5 % quantiles for 1..30 degrees of freedom. */
  private static final double[] T = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
      2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
      2.048, 2.045, 2.042};

  private Intervals() {}

  /** Wilson score interval of {@code correct} successes in {@code n} trials; null when n is 0 (unknown). */
  public static Interval wilson(long correct, long n) {
    if (n <= 0) return null;
    double p = (double) correct / n;
    double z2 = Z * Z;
    double denominator = 1 + z2 / n;
    double center = (p + z2 / (2 * n)) / denominator;
    double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
    return new Interval(Math.max(0, center - half), Math.min(1, center + half));
  }

  /**
   * MOVER interval of the mean of independent proportions, clipped to [0, 1] (a limit on 0 % can come out a
   * rounding residue below it); null if any interval is unknown.
   */
  public static Interval mean(List<Double> estimates, List<Interval> intervals) {
    Interval m = meanOfAny(estimates, intervals);
    return m == null ? null : new Interval(Math.max(0, m.lo()), Math.min(1, m.hi()));
  }

  /** MOVER interval of the mean of independent estimates of any sign (e.g. differences); null if one is unknown. */
  public static Interval meanOfAny(List<Double> estimates, List<Interval> intervals) {
    if (estimates.isEmpty() || intervals.stream().anyMatch(java.util.Objects::isNull)) return null;
    int m = estimates.size();
    double mean = 0;
    double below = 0;
    double above = 0;
    for (int i = 0; i < m; i++) {
      double e = estimates.get(i);
      mean += e / m;
      below += square((e - intervals.get(i).lo()) / m);
      above += square((intervals.get(i).hi() - e) / m);
    }
    return new Interval(mean - Math.sqrt(below), mean + Math.sqrt(above));
  }

  /** MOVER interval of {@code a - b} for independent a and b (Newcombe's when both are Wilson intervals). */
  public static Interval difference(double a, Interval ia, double b, Interval ib) {
    if (ia == null || ib == null) return null;
    double d = a - b;
    return new Interval(d - Math.sqrt(square(a - ia.lo()) + square(ib.hi() - b)),
        d + Math.sqrt(square(ia.hi() - a) + square(b - ib.lo())));
  }

  /** Student's t interval of the mean of accuracies over runs, clipped to [0, 1]; null below two runs. */
  public static Interval overRuns(List<Double> values) {
    Interval t = overRunsOfAny(values);
    return t == null ? null : new Interval(Math.max(0, t.lo()), Math.min(1, t.hi()));
  }

  /** Student's t interval of the mean over runs of values of any sign (e.g. differences); null below two runs. */
  public static Interval overRunsOfAny(List<Double> values) {
    int n = values.size();
    if (n < 2) return null;
    double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double ss = 0;
    for (double v : values) ss += square(v - mean);
    double half = t975(n - 1) * Math.sqrt(ss / (n - 1) / n);
    return new Interval(mean - half, mean + half);
  }

  /** Beyond the table, the first Cornish-Fisher term (2.039 at 30 degrees, table 2.042). */
  static double t975(int df) {
    return df <= T.length ? T[df - 1] : Z + (Z * Z * Z + Z) / (4.0 * df);
  }

  private static double square(double x) {
    return x * x;
  }
}
