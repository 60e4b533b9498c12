package org.mapd.eval;

import java.util.List;
import org.mapd.conf.Mode;

/**
 * One evaluated query: a line of samples.jsonl.
 *
 * @param query index of the query in query.json
 * @param predictions cleaned generation per step (one entry in ICL mode and for 0-shot FT; steps
 *     0..ftSteps otherwise)
 * @param correct exact_match per step, aligned with predictions
 * @param millis wall time of this query (adaptation and every generation)
 */
public record Sample(
    String task,
    Mode mode,
    int shots,
    int query,
    String id,
    String answer,
    List<String> predictions,
    List<Boolean> correct,
    long millis) {

  /** Correctness with the final weights: the fixed-step figure. */
  public boolean correctAtEnd() {
    return correct.get(correct.size() - 1);
  }

  public Key key() {
    return new Key(task, mode, shots, query);
  }

  /** Identity of a unit of work, for resuming. */
  public record Key(String task, Mode mode, int shots, int query) {}
}
