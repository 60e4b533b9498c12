package org.mapd.report;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.Locale;

/** A 95% confidence interval, written as {@code [lo, hi]} in JSON. */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record Interval(double lo, double hi) {
  public boolean excludesZero() {
    return lo > 0 || hi < 0;
  }

  /** In percent, one decimal: {@code [12.3, 45.6]}. */
  public String percent() {
    return "[" + percent(lo) + ", " + percent(hi) + "]";
  }

  /** A fraction in percent with one decimal; a rounding residue below zero prints as 0.0, not -0.0. */
  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.1f", Math.round(1000 * fraction) / 10.0 + 0.0);
  }
}
