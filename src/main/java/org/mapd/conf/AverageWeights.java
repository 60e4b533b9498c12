package org.mapd.conf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How ModelAvg weights its per-dataset mappers. The authors' README says only "a weighted average of
 * parameters"; their code does not include the averaging.
 */
public enum AverageWeights {
  /** Each dataset's record count: the average leans on each dataset as the mixture does. */
  RECORDS,
  /** Every dataset alike. */
  EQUAL;

  /** The weight of a member mapper trained on {@code records} records. */
  public double weight(double records) {
    return this == EQUAL ? 1.0 : records;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static AverageWeights parse(String s) {
    for (AverageWeights w : values()) {
      if (w.json().equalsIgnoreCase(s)) return w;
    }
    throw new IllegalArgumentException("averageWeights must be 'records' or 'equal', got '" + s + "'");
  }
}
