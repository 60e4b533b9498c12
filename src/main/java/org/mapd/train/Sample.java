package org.mapd.train;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.data.LlavaRecord;
import org.mapd.model.ChatTemplate;
import org.mapd.model.LoadedModel;
import org.mapd.model.TokenizedExample;

/** A tokenized training sequence and the image files of its placeholders, in order. */
record Sample(TokenizedExample example, List<Path> images) {
  Sample {
    if (example.images() != images.size()) {
      throw new IllegalArgumentException(example.images() + " image placeholders but " + images.size() + " images");
    }
  }

  /** A caption in the 'plain' format (image + caption), its image under {@code imageRoot}. */
  static Sample caption(ChatTemplate template, LlavaRecord r, Path imageRoot, int maxLen) {
    return new Sample(template.plain(Pretrain.caption(r), maxLen), List.of(imageRoot.resolve(r.image())));
  }

  /** A finetuning conversation of {@code dataset}; a text-only record has no image. */
  static Sample finetune(ChatTemplate template, String dataset, LlavaRecord r, Path imageRoot, int maxLen) {
    TokenizedExample ex = template.conversation(Conversations.finetuneTurns(dataset, r), maxLen);
    return new Sample(ex, ex.images() == 0 ? List.of() : List.of(imageRoot.resolve(r.image())));
  }

  /** Micro-batch {@code micro} of {@code samples} in the seeded order of {@code epoch}. */
  static List<Sample> batch(List<Sample> samples, long seed, int epoch, int micro, int batchSize) {
    int[] idx = StageModel.order(seed, epoch, samples.size());
    List<Sample> batch = new ArrayList<>();
    for (int i = micro * batchSize; i < Math.min(idx.length, (micro + 1) * batchSize); i++) batch.add(samples.get(idx[i]));
    return batch;
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
