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
}
