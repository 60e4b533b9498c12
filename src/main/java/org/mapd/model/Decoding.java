package org.mapd.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How {@link Llava#generate} picks each new token: greedy search with the logits processors that
 * transformers' generate applies for these generation-config settings.
 *
 * @param maxNewTokens max_new_tokens
 * @param minNewTokens min_new_tokens: while fewer tokens were produced, every end id's logit is -inf
 * @param endIds eos_token_id (and stopping criteria): generation stops at the first of them, which is not
 *     returned
 * @param repetitionPenalty repetition_penalty: the logit of each distinct token produced so far is divided
 *     by it when positive, multiplied by it otherwise (1 = off). The prompt does not count: LLaVA hands
 *     generate the prompt as embeddings, so generate's input_ids hold only the new tokens.
 */
public record Decoding(int maxNewTokens, int minNewTokens, int[] endIds, double repetitionPenalty) {
  public Decoding {
    if (maxNewTokens < 0 || minNewTokens < 0) throw new IllegalArgumentException("token counts must be >= 0");
    if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
    endIds = endIds.clone();
  }

  /** Plain greedy decoding of {@code maxNewTokens} tokens: no end id, no penalty. */
  public static Decoding greedy(int maxNewTokens) {
    return new Decoding(maxNewTokens, 0, new int[0], 1.0);
  }

  /** Whether {@code token} ends the generation. */
  public boolean ends(int token) {
    for (int e : endIds) if (e == token) return true;
    return false;
  }

  /** The next token from the last position's logits [V] (changed in place) after {@code produced}. */
  public int next(float[] logits, List<Integer> produced) {
    if (repetitionPenalty != 1) {
      float p = (float) repetitionPenalty; // the logits' precision, as torch applies a Python float to a float tensor
      Set<Integer> seen = new HashSet<>(produced);
      for (int t : seen) logits[t] = logits[t] < 0 ? logits[t] * p : logits[t] / p;
    }
    if (produced.size() < minNewTokens) for (int e : endIds) logits[e] = Float.NEGATIVE_INFINITY;
    int best = 0;
    for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
}
