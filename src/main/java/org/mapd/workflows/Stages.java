package org.mapd.workflows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.data.SynthData;
import org.mapd.eval.EvalSummary;
import org.mapd.eval.Evaluate;
import org.mapd.model.Backbones;
import org.mapd.pipelines.PrepareData;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.mapd.train.Finetune;
import org.mapd.train.MapperCheckpoint;
import org.mapd.train.ModelAverage;
import org.mapd.train.Pretrain;
import org.mapd.train.Warmup;

/**
 * The stage implementations the activities call, as an interface so that tests can run the activities'
 * caching and heartbeating around fake stages. {@link #REAL} calls the real ones.
 */
public interface Stages {
  Map<String, Integer> synth(Path out, long seed);

  PrepareSummary prepare(PrepareOptions options);

  Backbones warmup(Plan plan, Path base, Path prepared, Path out, Progress progress);

  MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out, Progress progress);

  MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
      Backbones backbones, Path init, Path out, Progress progress);

  MapperCheckpoint average(List<Path> mappers, List<Double> weights, Path out);

  EvalSummary evaluate(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl, Path out,
      Progress progress);

  Stages REAL = new Stages() {
    @Override
    public Map<String, Integer> synth(Path out, long seed) {
      return SynthData.generate(out, seed);
    }

    @Override
    public PrepareSummary prepare(PrepareOptions options) {
      return PrepareData.run(options);
    }

    @Override
    public Backbones warmup(Plan plan, Path base, Path prepared, Path out, Progress progress) {
      return Warmup.run(plan, base, prepared, out, progress);
    }

    @Override
    public MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out,
        Progress progress) {
      return Pretrain.run(plan, base, prepared, backbones, out, progress);
    }

    @Override
    public MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
        Backbones backbones, Path init, Path out, Progress progress) {
      return Finetune.run(plan, base, strategy, dataset, prepared, backbones, init, out, progress);
    }

    @Override
    public MapperCheckpoint average(List<Path> mappers, List<Double> weights, Path out) {
      return ModelAverage.run(mappers, weights, out);
    }

    @Override
    public EvalSummary evaluate(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl,
        Path out, Progress progress) {
      return Evaluate.run(plan, base, row, mapper, backbones, vlIcl, out, progress);
    }
  };
}
