package org.mapd.model;

import java.nio.file.Path;

/** CLIP image preprocessing (HF CLIPImageProcessor) and LLaVA's pad-to-square mode. */
public final class ImageProcessor {
  private ImageProcessor() {}

  /** Reads an image file -> normalised pixels [3, imageSize, imageSize], row-major. */
  public static float[] load(Path image, VisionConfig config, boolean padToSquare) { throw new UnsupportedOperationException("helper A"); }
}
