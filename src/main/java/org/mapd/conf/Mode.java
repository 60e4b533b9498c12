package org.mapd.conf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a row adapts to a task's support set at evaluation (method.md §4), named as in results.json. */
public enum Mode {
  /** In-context: the support examples precede the query in one prompt. */
  ICL,
  /** Finetuning: a few gradient steps of the mapper on the support set, then the query alone. */
  FT;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The results.json name, so that a mode reads the same in file names, logs and tables. */
  @Override
  public String toString() {
    return json();
  }

  @JsonCreator
  public static Mode parse(String s) {
    for (Mode v : values()) {
      if (v.json().equalsIgnoreCase(s)) return v;
    }
    throw new IllegalArgumentException("unknown mode '" + s + "' (known: icl, ft)");
  }
}
