package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.conf.MemoryBudget;
import org.mapd.model.AttentionMapper;
import org.mapd.model.FlopModel;
import org.mapd.model.Llava;
import org.mapd.model.LoadedModel;
import org.mapd.model.MemoryModel;
import org.mapd.model.Ops;
import org.mapd.model.TokenizedExample;

/**
 * The token-mean cross-entropy of a batch of sequences and its gradient with respect to the mapper, in
 * micro-batches sized to the device: each micro-batch runs mapper and decoder on its own images and adds
 * its summed token NLL divided by the whole batch's supervised tokens, so the micro-batches add up to
 * exactly the batch's loss and gradient (HF's loss: mean over every supervised token of the batch).
 */
public final class MapperGradient {
  private final LoadedModel model;
  private final FeatureCache cache;
  private final int padId;
  private final MemoryModel memory;
  private final FlopModel flops;
  private final long budget;
  private final boolean recompute;
  private final BatchStats stats = new BatchStats();

  /**
   * @param innerSteps MAPD's inner steps (their fast weights stay on the device), else 0
   */
  public MapperGradient(LoadedModel model, FeatureCache cache, int padId, MemoryBudget budget, int innerSteps) {
    this(model, cache, padId, new MemoryModel(model.vision(), model.decoder(), model.mapper(), budget.recompute()),
        budget, innerSteps);
  }

  private MapperGradient(LoadedModel model, FeatureCache cache, int padId, MemoryModel memory, MemoryBudget budget,
      int innerSteps) {
    this(model, cache, padId, memory, memory.activationBudget(budget, innerSteps, FeatureCache.BATCH));
  }

  /** @param activationBudget device bytes one micro-batch's activations may take (tests force small ones) */
  MapperGradient(LoadedModel model, FeatureCache cache, int padId, MemoryModel memory, long activationBudget) {
    this.model = model;
    this.cache = cache;
    this.padId = padId;
    this.memory = memory;
    this.flops = new FlopModel(model.vision(), model.decoder(), model.mapper());
    this.budget = activationBudget;
    this.recompute = memory.recompute();
  }

  public MemoryModel memory() {
    return memory;
  }

  /** Shapes seen so far: micro-batch sizes and sequence lengths, for the stage's metrics. */
  public BatchStats stats() {
    return stats;
  }

  /** At the mapper tensors of {@code at} (learned rates in it are ignored; a graph behind it is not used). */
  Gradient at(Map<String, NDArray> at, List<Sequence> batch, GradientCollector gc) {
    Map<String, NDArray> mapper = new LinkedHashMap<>(at);
    mapper.keySet().removeIf(MetaLearner::isRate);
    List<TokenizedExample> examples = batch.stream().map(Sequence::example).toList();
    int supervised = examples.stream().mapToInt(TokenizedExample::supervised).sum();
    Map<String, NDArray> sum = Gradient.zeros(mapper, mapper.values().iterator().next().getManager());
    if (supervised == 0) return new Gradient(0, sum); // nothing to predict: HF's loss would be NaN here
    double scale = 1.0 / supervised;
    stats.batch(examples.stream().map(memory::chunk).toList());
    double loss = 0;
    int start = 0;
    for (int size : memory.microBatches(examples, budget)) {
      List<Sequence> micro = batch.subList(start, start + size);
      start += size;
      List<MemoryModel.Chunk> shapes = micro.stream().map(s -> memory.chunk(s.example())).toList();
      stats.add(shapes, memory);
      long began = System.nanoTime();
      try (NDScope scope = new NDScope()) {
        loss += addMicroBatch(mapper, micro, scale, gc, sum);
      }
      MemoryModel.Chunk all = shapes.stream().reduce(MemoryModel.Chunk::plus).orElseThrow();
      // padded to the longest sequence, as the micro-batch runs
      stats.work(flops.trainBatch(all, recompute), System.nanoTime() - began);
    }
    return new Gradient(loss, sum);
  }

  private static String range(int from, int n, int step) {
    return from + ":" + Math.min(n, from + step);
  }

  /** Adds one micro-batch's gradient to {@code sum}; returns its share of the loss. */
  private double addMicroBatch(Map<String, NDArray> mapper, List<Sequence> micro, double scale, GradientCollector gc,
      Map<String, NDArray> sum) {
    List<TokenizedExample> examples = new ArrayList<>();
    List<Path> images = new ArrayList<>();
    for (Sequence s : micro) {
      examples.add(s.example());
      images.addAll(s.images());
    }
    Llava llava = model.llava();
    if (images.isEmpty()) { // a text-only sequence: nothing reaches the mapper
      return llava.softGradient(model.decoderWeights(), examples, null, padId, scale, recompute, gc).value();
    }
    Map<String, NDArray> leaves = Ops.leaves(mapper);
    NDArray features = cache.features(images); // [images, patches, dClip]
    if (!recompute) {
      NDArray soft = AttentionMapper.forward(model.mapper(), leaves, features); // [images, P, dLlm]
      Llava.SoftGradient g = llava.softGradient(model.decoderWeights(), examples, soft.stopGradient(), padId, scale,
          false, gc);
      gc.backward(soft.mul(g.gradient()).sum()); // the decoder's gradient carried back through the mapper
      leaves.forEach((k, leaf) -> sum.get(k).addi(leaf.getGradient()));
      return g.value();
    }
    // With recompute the mapper is checkpointed too: its soft tokens come from a pass without a graph, and
    // its backward runs image by image from a second pass (an ICT sequence has 11 images, each ~0.5 GB of
    // mapper activations at the paper's shapes).
    int n = images.size();
    int step = MemoryModel.MAPPER_IMAGES_PER_PASS;
    NDList parts = new NDList();
    for (int i = 0; i < n; i += step) {
      try (NDScope scope = new NDScope()) { // frees this image's intermediates before the next
        NDArray part = AttentionMapper.forward(model.mapper(), Gradient.values(leaves), features.get(range(i, n, step)));
        NDScope.unregister(part);
        parts.add(part);
      }
    }
    NDArray soft = NDArrays.concat(parts, 0); // [images, P, dLlm], no graph
    parts.forEach(NDArray::close);
    Llava.SoftGradient g = llava.softGradient(model.decoderWeights(), examples, soft, padId, scale, true, gc);
    for (int i = 0; i < n; i += step) {
      try (NDScope scope = new NDScope()) {
        NDArray part = AttentionMapper.forward(model.mapper(), leaves, features.get(range(i, n, step)));
        gc.backward(part.mul(g.gradient().get(range(i, n, step))).sum());
      }
    }
    leaves.forEach((k, leaf) -> sum.get(k).addi(leaf.getGradient()));
    return g.value();
  }
}
