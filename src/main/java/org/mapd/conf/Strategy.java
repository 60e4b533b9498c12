package org.mapd.conf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The five finetuning strategies of the paper (method.md §2–3), named as in results.json. */
public enum Strategy {
  /** First-order MAML with learned per-step inner learning rates. */
  MAPD,
  /** Meta-task batches (support+query of one dataset), plain supervised loss on all of them. */
  MULTITASK,
  /** Plain supervised finetuning on the shuffled mixture. */
  NOMETATASK,
  /** In-context tuning: several examples of one dataset in one turn, loss on the last answer. */
  ICT,
  /** One NoMetaTask run per dataset, then a weighted parameter average. */
  MODELAVG;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Strategy parse(String s) {
    for (Strategy v : values()) {
      if (v.json().equalsIgnoreCase(s)) return v;
    }
    throw new IllegalArgumentException(
        "unknown strategy '" + s + "' (known: mapd, multitask, nometatask, ict, modelavg)");
  }
}
