package org.mapd.model;

/**
 * One training or prompt sequence. {@code ids} holds {@link Llava#IMAGE_TOKEN} where an image's soft
 * prompts go; {@code labels} is aligned with ids ({@link Llava#IGNORE} = not supervised; the shift by
 * one happens in the loss). {@code images} = number of image placeholders.
 */
public record TokenizedExample(int[] ids, int[] labels, int images) {
  /** Tokens the causal loss predicts: every supervised label but the first position's (nothing precedes it). */
  public int supervised() {
    int n = 0;
    for (int i = 1; i < labels.length; i++) if (labels[i] != Llava.IGNORE && ids[i] != Llava.IMAGE_TOKEN) n++;
    return n;
  }

  /** Length after each image placeholder is replaced by {@code prefix} soft tokens. */
  public int splicedLength(int prefix) {
    return ids.length + images * (prefix - 1);
  }

  /**
   * The longest prefix that is at most {@code maxLen} long once each image becomes {@code prefix} soft
   * tokens: LLaVA's prepare_inputs_labels_for_multimodal cuts the spliced sequence to the tokenizer's
   * model_max_length (after the collator cut the ids to it). An image that does not fit whole is dropped
   * with everything after it; LLaVA would keep its first soft tokens, but their labels are ignored and no
   * kept position attends to them, so the loss is the same.
   */
  public TokenizedExample cut(int maxLen, int prefix) {
    int n = 0;
    int length = 0;
    int kept = 0;
    for (; n < ids.length; n++) {
      int add = ids[n] == Llava.IMAGE_TOKEN ? prefix : 1;
      if (length + add > maxLen) break;
      length += add;
      if (ids[n] == Llava.IMAGE_TOKEN) kept++;
    }
    if (n == ids.length) return this;
    return new TokenizedExample(java.util.Arrays.copyOf(ids, n), java.util.Arrays.copyOf(labels, n), kept);
  }
}
