package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.TrainConfig;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.AttentionMapper;
import org.mapd.model.Backbones;

/**
 * Mapper pretraining on captions (method.md §2): a fresh mapper, frozen backbones, the 'plain' format
 * (image + caption), captions reshuffled every epoch from (seed, epoch) and read one micro-batch at a time.
 */
public final class Pretrain {
  private Pretrain() {}

  public static MapperCheckpoint run(Plan plan, Path base, Path prepared, Backbones backbones, Path out, Progress progress) {
    MapperCheckpoint done = MapperOutput.finished(out);
    if (done != null) return done;
    TrainConfig cfg = plan.training(base).pretrain();
    try (Prepared data = new Prepared(prepared, out.resolve("index"));
        StageModel stage = new StageModel(plan, base, backbones, false, 0)) {
      TrainLoop.Data order = new Captions(data, cfg, plan.seed(), stage);
      Map<String, NDArray> init = AttentionMapper.init(stage.mapperConfig, stage.manager, plan.seed());
      TrainLoop.Result r = TrainLoop.run(cfg, init, false, order, out, plan.seed(), progress, stage.manager);
      stage.gradient.stats().write(out);
      return MapperOutput.write(out, r.params(), new MapperOutput.Config(stage.mapperConfig, "pretrain", null,
          plan.fidelity().json(), r.steps(), r.finalLoss(), null, null));
    }
  }

  static String caption(LlavaRecord r) {
    for (Turn t : r.conversations()) if (Turn.GPT.equals(t.from())) return t.value();
    throw new IllegalArgumentException("caption record " + r.id() + " has no gpt turn");
  }

  /**
   * The captions in a seeded order per epoch, batchSize per micro-step, tokenized when their micro-step
   * comes. The epoch's permutation (4 bytes a caption) is the only per-record state held.
   */
  static final class Captions implements TrainLoop.Data {
    private final Prepared.Records<LlavaRecord> captions;
    private final Path images;
    private final TrainConfig cfg;
    private final long seed;
    private final StageModel stage;
    private int orderEpoch = -1;
    private int[] order;

    Captions(Prepared data, TrainConfig cfg, long seed, StageModel stage) {
      this.captions = data.captions();
      this.images = data.pretrainImages();
      this.cfg = cfg;
      this.seed = seed;
      this.stage = stage;
    }

    @Override
    public int epochs() {
      return cfg.epochs();
    }

    @Override
    public int micros(int epoch) {
      return (captions.size() + cfg.batchSize() - 1) / cfg.batchSize();
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro) {
      if (orderEpoch != epoch) {
        order = StageModel.order(seed, epoch, captions.size());
        orderEpoch = epoch;
      }
      List<Sequence> batch = new ArrayList<>();
      for (int i = micro * cfg.batchSize(); i < Math.min(order.length, (micro + 1) * cfg.batchSize()); i++) {
        batch.add(Sequence.caption(stage.template, captions.get(order[i]), images, cfg.maxLen()));
      }
      return stage.loss(w, batch, gc);
    }
  }
}
