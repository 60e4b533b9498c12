package org.mapd.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mapd.data.LlavaRecord;
import org.mapd.model.ChatTemplate;
import org.mapd.model.TokenizedExample;

/** A tokenized training sequence and the image files of its placeholders, in order. */
public record Sequence(TokenizedExample example, List<Path> images) {
  public Sequence {
    if (example.images() != images.size()) {
      throw new IllegalArgumentException(example.images() + " image placeholders but " + images.size() + " images");
    }
  }

  /** A caption in the 'plain' format (image + caption), its image under {@code imageRoot}. */
  static Sequence caption(ChatTemplate template, LlavaRecord r, Path imageRoot, int maxLen) {
    return new Sequence(template.plain(Pretrain.caption(r), maxLen), List.of(imageRoot.resolve(r.image())));
  }

  /** A finetuning conversation of {@code dataset}; a text-only record has no image. */
  static Sequence finetune(ChatTemplate template, String dataset, LlavaRecord r, Path imageRoot, int maxLen) {
    TokenizedExample ex = template.conversation(Conversations.finetuneTurns(dataset, r), maxLen);
    return new Sequence(ex, ex.images() == 0 ? List.of() : List.of(imageRoot.resolve(r.image())));
  }

  /** Micro-batch {@code micro} of {@code samples} in the seeded order of {@code epoch}. */
  static List<Sequence> batch(List<Sequence> samples, long seed, int epoch, int micro, int batchSize) {
    int[] idx = StageModel.order(seed, epoch, samples.size());
    List<Sequence> batch = new ArrayList<>();
    for (int i = micro * batchSize; i < Math.min(idx.length, (micro + 1) * batchSize); i++) batch.add(samples.get(idx[i]));
    return batch;
  }
}
