package org.mapd.model;

/**
 * One training or prompt sequence. {@code ids} holds {@link Llava#IMAGE_TOKEN} where an image's soft
 * prompts go; {@code labels} is aligned with ids ({@link Llava#IGNORE} = not supervised; the shift by
 * one happens in the loss). {@code images} = number of image placeholders.
 */
public record TokenizedExample(int[] ids, int[] labels, int images) {}
