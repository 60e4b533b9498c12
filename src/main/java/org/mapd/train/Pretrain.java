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
 * (image + caption), captions reshuffled every epoch from (seed, epoch).
 */
public final class Pretrain {
  private Pretrain() {}

  public static MapperCheckpoint run(Plan plan, Path base, Path prepared, Backbones backbones, Path out, Progress progress) {
    MapperCheckpoint done = MapperOutput.finished(out);
    if (done != null) return done;
    TrainConfig cfg = plan.training(base).pretrain();
    Prepared data = new Prepared(prepared);
    try (StageModel stage = new StageModel(plan, base, backbones, false, 0)) {
      List<Sequence> samples = new ArrayList<>();
      for (LlavaRecord r : data.captions()) samples.add(Sequence.caption(stage.template, r, data.pretrainImages(), cfg.maxLen()));
      TrainLoop.Data order = new Batches(samples, cfg.batchSize(), cfg.epochs(), plan.seed(), stage);
      Map<String, NDArray> init = AttentionMapper.init(stage.mapperConfig, stage.manager, plan.seed());
      TrainLoop.Result r = TrainLoop.run(cfg, init, false, order, out, plan.seed(), progress, stage.manager);
      return MapperOutput.write(out, r.params(), new MapperOutput.Config(stage.mapperConfig, "pretrain", null,
          plan.fidelity().json(), r.steps(), r.finalLoss(), null, null));
    }
  }

  static String caption(LlavaRecord r) {
    for (Turn t : r.conversations()) if (Turn.GPT.equals(t.from())) return t.value();
    throw new IllegalArgumentException("caption record " + r.id() + " has no gpt turn");
  }

  /** Fixed samples in a seeded order per epoch, batchSize per micro-step. */
  record Batches(List<Sequence> samples, int batchSize, int epochs, long seed, StageModel stage) implements TrainLoop.Data {
    @Override
    public int micros(int epoch) {
      return (samples.size() + batchSize - 1) / batchSize;
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro) {
      return stage.loss(w, Sequence.batch(samples, seed, epoch, micro, batchSize), gc);
    }
  }
}
