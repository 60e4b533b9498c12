package org.mapd.workflows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.eval.EvalSummary;
import org.mapd.model.Backbones;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.mapd.train.MapperCheckpoint;

/** Forwards every stage, so a test can override just the one it breaks. */
public class DelegatingStages implements Stages {
  private final Stages inner;

  public DelegatingStages(Stages inner) {
    this.inner = inner;
  }

  @Override
  public Map<String, Integer> synth(Path out, long seed) {
    return inner.synth(out, seed);
  }

  @Override
  public PrepareSummary prepare(PrepareOptions options) {
    return inner.prepare(options);
  }

  @Override
  public Backbones warmup(Plan plan, Path base, Path prepared, Path out, Progress progress) {
    return inner.warmup(plan, base, prepared, out, progress);
  }

  @Override
  public MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out,
      Progress progress) {
    return inner.pretrain(plan, base, prepared, backbones, out, progress);
  }

  @Override
  public MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
      Backbones backbones, Path init, Path out, Progress progress) {
    return inner.finetune(plan, base, strategy, dataset, prepared, backbones, init, out, progress);
  }

  @Override
  public MapperCheckpoint average(List<Path> mappers, List<Double> weights, Path out) {
    return inner.average(mappers, weights, out);
  }

  @Override
  public EvalSummary evaluate(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl,
      Path out, Progress progress) {
    return inner.evaluate(plan, base, row, mapper, backbones, vlIcl, out, progress);
  }
}
