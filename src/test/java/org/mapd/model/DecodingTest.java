package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Token choice as transformers' greedy generate makes it with min_new_tokens, eos_token_id and repetition_penalty. */
class DecodingTest {
  @Test
  void minNewTokensSuppressesEveryEndIdAtTheFirstStep() {
    Decoding d = new Decoding(5, 1, new int[] {2, 0}, 1.0);
    assertEquals(3, d.next(new float[] {9, 1, 8, 7}, List.of()), "<|endoftext|> (0) and <|im_end|> (2) cannot come first");
    assertEquals(0, d.next(new float[] {9, 1, 8, 7}, List.of(3)), "after one token they can");
    assertTrue(d.ends(0) && d.ends(2));
    assertFalse(d.ends(3));
    assertEquals(0, new Decoding(5, 0, new int[] {2, 0}, 1.0).next(new float[] {9, 1, 8, 7}, List.of()));
  }

  @Test
  void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfProducedTokensOnce() {
    Decoding d = new Decoding(5, 0, new int[0], 1.05);
    float[] logits = {2.0f, 2.05f, -1.0f, -1.02f};
    // token 1 (2.05 -> 1.952) falls below token 0 (2.0); produced twice, it is still penalised once
    assertEquals(0, d.next(logits, List.of(1, 1, 2)));
    assertEquals(2.05f / 1.05f, logits[1]);
    assertEquals(-1.0f * 1.05f, logits[2]);
    assertEquals(-1.02f, logits[3], "tokens not produced keep their logit");
    assertEquals(1, Decoding.greedy(5).next(new float[] {2.0f, 2.05f}, List.of(1)), "plain greedy: no penalty");
  }
}
