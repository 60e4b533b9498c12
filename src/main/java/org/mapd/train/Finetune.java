package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.TrainConfig;
import org.mapd.data.LlavaRecord;
import org.mapd.model.Backbones;
import org.mapd.model.ChatTemplate;
import org.mapd.pipelines.DatasetFile;
import org.mapd.pipelines.Manifests;

/**
 * One finetuning run of a strategy from the pretrained mapper (method.md §2–3). Data orders come from
 * the prepared task manifests; images use LLaVA's pad-to-square mode as the authors' finetune scripts do.
 */
public final class Finetune {
  private Finetune() {}

  /** @param dataset only this dataset (a ModelAvg member run), or null for the whole mixture */
  public static MapperCheckpoint run(Plan plan, Path base, Strategy strategy, String dataset, Path prepared, Backbones backbones, Path init, Path out, Progress progress) {
    MapperCheckpoint done = MapperOutput.finished(out);
    if (done != null) return done;
    if (strategy == Strategy.MODELAVG && dataset == null) throw new IllegalArgumentException("a modelavg member run needs a dataset");
    TrainConfig cfg = plan.training(base).strategy(strategy);
    try (Prepared data = new Prepared(prepared, out.resolve("index"));
        StageModel stage = new StageModel(plan, base, backbones, true, strategy == Strategy.MAPD ? cfg.innerSteps() : 0)) {
      Map<String, NDArray> params = new LinkedHashMap<>(MapperOutput.mapperTensors(init, stage.manager));
      boolean lslr = strategy == Strategy.MAPD;
      if (lslr) params.putAll(MetaLearner.initRates(List.copyOf(params.keySet()), cfg.innerSteps(), cfg.innerLr(), stage.manager));
      Samples samples = new Samples(data, stage.template, stage.mapperConfig.prefixLength(), cfg);
      TrainLoop.Data order = switch (strategy) {
        case NOMETATASK -> supervised(stage, samples, data, e -> Manifests.tasksFile(data.root(), Strategy.NOMETATASK, e), cfg);
        case MODELAVG -> supervised(stage, samples, data, e -> Manifests.modelAvgFile(data.root(), dataset, e), cfg);
        case ICT -> ict(stage, samples, data, cfg);
        case MULTITASK -> tasks(stage, samples, data, cfg, false, plan);
        case MAPD -> tasks(stage, samples, data, cfg, true, plan);
      };
      TrainLoop.Result r = TrainLoop.run(cfg, params, lslr, order, out, plan.seed(), progress, stage.manager);
      stage.gradient.stats().write(out);
      return MapperOutput.write(out, r.params(), new MapperOutput.Config(stage.mapperConfig, strategy.json(), dataset,
          plan.fidelity().json(), r.steps(), r.finalLoss(), null, null));
    }
  }

  /** Finetuning sequences, read and tokenized when their micro-step needs them (nothing is kept). */
  static final class Samples {
    private final Prepared data;
    private final Path imageRoot;
    private final ChatTemplate template;
    private final int prefix;
    private final TrainConfig cfg;

    /** @param prefix soft tokens per image (the mapper's prefixLength) */
    Samples(Prepared data, ChatTemplate template, int prefix, TrainConfig cfg) {
      this.data = data;
      this.imageRoot = DatasetFile.imageRoot(data.root());
      this.template = template;
      this.prefix = prefix;
      this.cfg = cfg;
    }

    Sequence example(String dataset, int index) {
      return Sequence.finetune(template, dataset, data.record(dataset, index), imageRoot, cfg.maxLen());
    }

    /** ICT sample: context and query conversations in one sequence, fitted to the token budget ({@link InContext}). */
    Sequence ict(Manifests.IctSample line) {
      List<LlavaRecord> records = new ArrayList<>();
      for (int i : line.context()) records.add(data.record(line.dataset(), i));
      records.add(data.record(line.dataset(), line.query()));
      return InContext.sample(template.inContext(), line.dataset(), records, imageRoot, cfg.ictContext(), prefix, cfg.maxLen());
    }
  }

  private static TrainLoop.Data supervised(StageModel stage, Samples samples, Prepared data, IntFunction<Path> file, TrainConfig cfg) {
    return new Manifested<>(data, file, Manifests.Example.class, cfg.batchSize(), cfg.epochs(),
        (w, gc, lines) -> stage.loss(w, lines.stream().map(l -> samples.example(l.dataset(), l.index())).toList(), gc));
  }

  private static TrainLoop.Data ict(StageModel stage, Samples samples, Prepared data, TrainConfig cfg) {
    return new Manifested<>(data, e -> Manifests.tasksFile(data.root(), Strategy.ICT, e), Manifests.IctSample.class, cfg.batchSize(), cfg.epochs(),
        (w, gc, lines) -> stage.loss(w, lines.stream().map(samples::ict).toList(), gc));
  }

  /** Multi-Task: each task's support+query as one supervised batch; MAPD: the LSLR query loss. Mean over tasks. */
  private static TrainLoop.Data tasks(StageModel stage, Samples samples, Prepared data, TrainConfig cfg, boolean meta, Plan plan) {
    boolean lastChunk = plan.fidelity().innerGradLastChunkOnly();
    Strategy strategy = meta ? Strategy.MAPD : Strategy.MULTITASK;
    return new Manifested<>(data, e -> Manifests.tasksFile(data.root(), strategy, e), Manifests.MetaTask.class, cfg.batchSize(), cfg.epochs(),
        (w, gc, lines) -> {
          double value = 0;
          NDArray sum = null;
          for (Manifests.MetaTask t : lines) {
            List<Sequence> support = t.support().stream().map(i -> samples.example(t.dataset(), i)).toList();
            List<Sequence> query = t.query().stream().map(i -> samples.example(t.dataset(), i)).toList();
            TrainLoop.Loss l;
            if (meta) {
              l = MetaLearner.queryLoss(w, support, query, cfg.innerSteps(), cfg.innerChunks(), lastChunk, gc,
                  stage.gradient::at);
            } else {
              List<Sequence> all = new ArrayList<>(support);
              all.addAll(query);
              l = stage.loss(w, all, gc);
            }
            value += l.value();
            sum = sum == null ? l.objective() : sum.add(l.objective());
          }
          // mean over tasks; the scale array lives in the step's scope, past backward (djl.md)
          return new TrainLoop.Loss(value / lines.size(), sum.mul(stage.manager.full(new Shape(), 1f / lines.size())));
        });
  }

  interface BatchLoss<T> {
    TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, List<T> lines);
  }

  /** Manifest lines of an epoch ({@code file} of the epoch, bound to {@code type}), batchSize per micro-step. */
  record Manifested<T>(Prepared data, IntFunction<Path> file, Class<T> type, int batchSize, int epochs,
      BatchLoss<T> fn) implements TrainLoop.Data {
    @Override
    public int micros(int epoch) {
      return (data.manifest(file, epoch, type).size() + batchSize - 1) / batchSize;
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro) {
      Prepared.Records<T> lines = data.manifest(file, epoch, type);
      List<T> batch = new ArrayList<>();
      for (int i = micro * batchSize; i < Math.min(lines.size(), (micro + 1) * batchSize); i++) batch.add(lines.get(i));
      return fn.loss(w, gc, batch);
    }
  }
}
