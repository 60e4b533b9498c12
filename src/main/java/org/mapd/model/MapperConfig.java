package org.mapd.model;

/**
 * Attention-mapper shape (method.md §1). The head split follows the authors' code: head width =
 * dimClip / 8, number of heads = dimLlm / head width (7B: 28 heads of 128); scores are scaled by
 * 1/sqrt(dimClip), not by the head width.
 *
 * @param prefixLength soft prompt tokens per image (256 in the paper)
 * @param dimClip vision feature width (1024 for CLIP ViT-L)
 * @param dimLlm decoder hidden size (3584 for Qwen2.5-7B)
 */
public record MapperConfig(int prefixLength, int dimClip, int dimLlm) {
  public MapperConfig {
    if (prefixLength <= 0) throw new IllegalArgumentException("mapper: prefixLength must be > 0");
    if (dimClip <= 0 || dimClip % 8 != 0) throw new IllegalArgumentException("mapper: dimClip must be a positive multiple of 8");
    if (dimLlm <= 0 || dimLlm % (dimClip / 8) != 0) {
      throw new IllegalArgumentException("mapper: dimLlm must be a multiple of dimClip/8");
    }
  }

  public int headWidth() {
    return dimClip / 8;
  }

  public int numHeads() {
    return dimLlm / headWidth();
  }
}
