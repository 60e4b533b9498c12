package org.mapd.report;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.Locale;

/** A 95% confidence interval, written as {@code [lo, hi]} in JSON. */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
public record Interval(double lo, double hi) {
  public boolean excludesZero() {
    return lo > 0 || hi < 0;
  }

  /** In percent points, one decimal: {@code [12.3, 45.6]}. */
  public String percent() {
    return String.format(Locale.ROOT, "[%.1f, %.1f]", 100 * lo, 100 * hi);
  }
}
