package org.mapd.train;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.List;

/** Frozen vision features computed once per image file (skeleton: helper D). */
public final class FeatureCache implements AutoCloseable {
  /** @param padToSquare LLaVA's pad mode (finetuning) instead of the plain processor (pretraining, eval) */
  public FeatureCache(org.mapd.model.LoadedModel model, boolean padToSquare) { throw new UnsupportedOperationException("helper D"); }

  /** [images.size(), patches, dClip] in the order given; computed once per path, then cached. */
  public NDArray features(List<Path> images) { throw new UnsupportedOperationException("helper D"); }

  @Override
  public void close() {}
}
