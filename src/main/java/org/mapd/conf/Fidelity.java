package org.mapd.conf;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The one switch between the authors' released behaviour and the intended one (method.md lists the
 * quirks). The paper plan uses {@link #AUTHORS} so its numbers are comparable with the paper; every
 * report states which was used.
 */
public enum Fidelity {
  /** Reproduce the released code's quirks. */
  AUTHORS,
  /** What the method intends. */
  INTENDED;

  /** MAPD inner loop: the authors' code uses only the last support chunk's gradient. */
  public boolean innerGradLastChunkOnly() {
    return this == AUTHORS;
  }

  /**
   * Labels: the authors un-mask every "\n", im_start and im_end token everywhere (preprocess_qwen2); in ICT
   * samples only "\n" (see {@link org.mapd.model.ChatTemplate#inContext()}).
   */
  public boolean unmaskSpecialTokens() {
    return this == AUTHORS;
  }

  /** Scoring for operator induction and clevr: the authors keep the first \d+ (the minus sign is lost). */
  public boolean digitsDropSign() {
    return this == AUTHORS;
  }

  /** ICL support text: the authors strip with Python's char-set lstrip("<image>\n"). */
  public boolean charsetLstrip() {
    return this == AUTHORS;
  }

  /** Training collator: the authors pad with id 0 and mask every id 0 (pad_token is None). */
  public boolean padWithZero() {
    return this == AUTHORS;
  }

  /**
   * ICT groups (training_datasets.py create_batch_ict): the authors draw 30 groups at a time, top the last
   * draw up with other examples of the dataset, and draw that last one a second time when more than half of
   * it was new. Intended: one group at a time, the last one topped up and drawn once.
   */
  public boolean ictDrawsThirtyGroups() {
    return this == AUTHORS;
  }

  /**
   * Decoding: the authors' greedy generate inherits Qwen2.5-Instruct's generation_config.json, whose
   * repetition_penalty 1.05 applies to greedy search too. Intended: plain greedy.
   */
  public boolean qwenRepetitionPenalty() {
    return this == AUTHORS;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static Fidelity parse(String s) {
    for (Fidelity f : values()) {
      if (f.json().equalsIgnoreCase(s)) return f;
    }
    throw new IllegalArgumentException("fidelity must be 'authors' or 'intended', got '" + s + "'");
  }
}
