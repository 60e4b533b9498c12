package org.mapd.train;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.model.LoadedModel;
import org.mapd.model.TokenizedExample;

/** A tokenized training sequence and the image files of its placeholders, in order. */
record Sample(TokenizedExample example, List<Path> images) {
  Sample {
    if (example.images() != images.size()) {
      throw new IllegalArgumentException(example.images() + " image placeholders but " + images.size() + " images");
    }
  }

  /** Token-mean CE of a batch under the mapper tensors of {@code w} (learned rates in {@code w} are ignored). */
  static NDArray loss(LoadedModel model, FeatureCache cache, int padId, Map<String, NDArray> w, List<Sample> batch) {
    Map<String, NDArray> mapper = new LinkedHashMap<>(w);
    mapper.keySet().removeIf(MetaLearner::isRate);
    List<TokenizedExample> examples = new ArrayList<>();
    List<Path> images = new ArrayList<>();
    for (Sample s : batch) {
      examples.add(s.example());
      images.addAll(s.images());
    }
    NDArray features = cache.features(images); // [images, patches, dClip]
    return model.llava().loss(model.decoderWeights(), mapper, examples, features, padId);
  }
}
