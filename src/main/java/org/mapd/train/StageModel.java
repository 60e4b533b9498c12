package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mapd.Json;
import org.mapd.conf.MemoryBudget;
import org.mapd.conf.Plan;
import org.mapd.data.Seeds;
import org.mapd.model.Backbones;
import org.mapd.model.ChatTemplate;
import org.mapd.model.LoadedModel;
import org.mapd.model.MapperConfig;
import org.mapd.model.ModelPool;

/** What a mapper-training stage holds for its whole run: frozen backbones, feature cache, template, gradient. */
final class StageModel implements AutoCloseable {
  final NDManager manager = NDManager.newBaseManager();
  final MapperConfig mapperConfig;
  private final ModelPool.Lease backbonesLease;
  final LoadedModel model;
  final FeatureCache cache;
  final ChatTemplate template;
  final int padId;
  final MapperGradient gradient;

  /** @param innerSteps MAPD's inner steps, else 0 (sizes the memory its fast weights take) */
  StageModel(Plan plan, Path base, Backbones backbones, boolean padToSquare, int innerSteps) {
    MemoryBudget memory = plan.training(base).memory();
    mapperConfig = Json.read(plan.mapperConfig(base), MapperConfig.class);
    backbonesLease = ModelPool.acquire(backbones, mapperConfig);
    model = backbonesLease.model();
    cache = new FeatureCache(model, padToSquare, memory.featureCacheBytes());
    template = new ChatTemplate(model.tokenizer(), plan.fidelity().unmaskSpecialTokens(), mapperConfig.prefixLength());
    padId = template.padId(plan.fidelity().padWithZero());
    gradient = new MapperGradient(model, cache, padId, memory, innerSteps);
  }

  /** Token-mean CE of a batch under the mapper tensors of {@code w}, as a training loop's loss. */
  TrainLoop.Loss loss(Map<String, NDArray> w, List<Sequence> batch, GradientCollector gc) {
    Gradient g = gradient.at(w, batch, gc);
    return new TrainLoop.Loss(g.loss(), g.objective(w));
  }

  /** A permutation of 0..n-1 that depends only on (seed, epoch): the data order survives a restart. */
  static int[] order(long seed, int epoch, int n) {
    return Seeds.permutation(n, new Random(seed * 1_000_003L + epoch));
  }

  @Override
  public void close() {
    cache.close();
    backbonesLease.close();
    manager.close();
  }
}
