package org.mapd.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mapd.Json;
import org.mapd.model.AttentionMapper;
import org.mapd.model.DecoderConfig;
import org.mapd.model.Decoding;
import org.mapd.model.FlopModel;
import org.mapd.model.Llava;
import org.mapd.model.MapperConfig;
import org.mapd.model.Ops;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.TokenizedExample;
import org.mapd.model.VisionConfig;

/**
 * {@code mapd bench model}: the engine's F32 matmul peak; the achieved FLOP/s of a mapper training step
 * (forward and backward of the LLaVA loss with respect to the mapper only, decoder frozen; FLOPs from
 * {@link FlopModel}) for the {@code conf} config and for a Qwen2.5-0.5B-shaped decoder cut to {@code layers}
 * layers (random weights); and greedy decoding tokens/s with the KV cache and with the whole sequence
 * recomputed for every token.
 *
 * @param conf config folder with llm/config.json, vision/config.json and mapper.json
 * @param matmulSize side of the square matmuls of the peak measurement
 * @param repeats timed repetitions of each matmul and training step after one warm-up; the best is kept
 * @param seq training sequence length: one image's soft tokens plus text, every text token supervised
 * @param newTokens tokens decoded in the decoding measurement
 * @param prompt text tokens of the decoding prompt, after one image's soft tokens
 * @param layers decoder layers of the Qwen2.5-0.5B-shaped config
 * @param vocab its vocabulary (smaller only for smoke runs)
 */
public record ModelBench(Path conf, int matmulSize, int repeats, int seq, int newTokens, int prompt, int layers,
    int vocab) {
  public ModelBench {
    for (int v : new int[] {matmulSize, repeats, seq, newTokens, prompt, vocab, layers}) {
      if (v <= 0) throw new IllegalArgumentException("bench model: every size and count must be > 0");
    }
  }

  /** Runs every measurement and prints it. */
  public void run(PrintWriter out) {
    Path mapperFile = conf.resolve("mapper.json");
    if (!mapperFile.toFile().isFile()) throw new IllegalArgumentException(mapperFile + ": mapper config not found");
    MapperConfig miniMapper = Json.read(mapperFile, MapperConfig.class);
    VisionConfig miniVision = VisionConfig.load(conf.resolve("vision"));
    DecoderConfig miniDecoder = DecoderConfig.load(conf.resolve("llm"));
    if (seq <= miniMapper.prefixLength()) {
      throw new IllegalArgumentException("--seq must exceed the mapper prefix length " + miniMapper.prefixLength());
    }
    // Qwen2.5-0.5B's decoder (tied embeddings) cut to --layers layers, fed by CLIP ViT-L/14-336 features (576 x 1024).
    DecoderConfig qwen = new DecoderConfig(896, 4864, layers, 14, 2, vocab, 32768, 1e-6, 1e6, true);
    VisionConfig clipL = new VisionConfig(1024, 4096, 24, 16, 3, 336, 14, "quick_gelu", 1e-5);
    MapperConfig qwenMapper = new MapperConfig(Math.max(1, seq / 4), 1024, 896);

    out.printf("engine %s, %d cores visible%n", Engine.getInstance().getEngineName(), Runtime.getRuntime().availableProcessors());
    try (NDManager manager = NDManager.newBaseManager()) {
      double peak = matmulPeak(manager, out);
      measure(manager, out, "mini (" + conf + ")", miniVision, miniDecoder, miniMapper, miniMapper.prefixLength(), peak);
      measure(manager, out, "qwen2.5-0.5b-shape (" + layers + " layers)", clipL, qwen, qwenMapper, PAPER_SOFT_TOKENS, peak);
    }
    out.flush();
  }

  private double matmulPeak(NDManager manager, PrintWriter out) {
    int n = matmulSize;
    NDArray a = manager.randomNormal(new Shape(n, n)); // [n,n]
    NDArray b = manager.randomNormal(new Shape(n, n));
    double best = Double.MAX_VALUE;
    for (int r = 0; r <= repeats; r++) {
      long start = System.nanoTime();
      a.matMul(b).close(); // eager engine: the product is computed before matMul returns
      double s = (System.nanoTime() - start) / 1e9;
      if (r > 0) best = Math.min(best, s); // r = 0 warms up
    }
    double gflops = 2.0 * n * n * n / best / 1e9;
    out.printf("matmul %d^3 F32: best %.2f ms of %d -> peak %.1f GFLOP/s%n", n, best * 1e3, repeats, gflops);
    a.close();
    b.close();
    return gflops;
  }

  /** The paper mapper's soft tokens per image (method.md §1): the prefix of every real decoding prompt. */
  private static final int PAPER_SOFT_TOKENS = 256;

  private void measure(NDManager parent, PrintWriter out, String name, VisionConfig vision, DecoderConfig decoder,
      MapperConfig mapper, int softTokens, double peak) {
    try (NDManager manager = parent.newSubManager()) {
      Llava llava = new Llava(vision, decoder, mapper);
      Map<String, NDArray> w = randomDecoder(decoder, manager);
      Map<String, NDArray> theta = AttentionMapper.init(mapper, manager, 1);
      NDArray features = manager.randomNormal(new Shape(1, vision.patches(), vision.hiddenSize())); // [1,patches,dClip]
      Random random = new Random(7);

      // Training step: [image] + text, every text token supervised, so N = text rows go through lm_head.
      int text = seq - mapper.prefixLength();
      int[] ids = new int[1 + text];
      ids[0] = Llava.IMAGE_TOKEN;
      for (int i = 1; i < ids.length; i++) ids[i] = 1 + random.nextInt(decoder.vocabSize() - 1); // 0 is the pad id
      int[] labels = ids.clone();
      labels[0] = Llava.IGNORE;
      List<TokenizedExample> batch = List.of(new TokenizedExample(ids, labels, 1));
      double best = Double.MAX_VALUE;
      for (int r = 0; r <= repeats; r++) {
        long start = System.nanoTime();
        trainStep(llava, w, theta, batch, features);
        double s = (System.nanoTime() - start) / 1e9;
        if (r > 0) best = Math.min(best, s);
      }
      double flops = new FlopModel(vision, decoder, mapper).trainSequence(seq, text, 1, false);
      out.printf("%s train step (seq %d = %d soft + %d text, vocab %d): best %.1f ms of %d, %.2f GFLOP -> %.1f GFLOP/s "
          + "(%.0f%% of matmul peak)%n", name, seq, mapper.prefixLength(), text, decoder.vocabSize(), best * 1e3,
          repeats, flops / 1e9, flops / best / 1e9, 100 * flops / best / 1e9 / peak);

      // Decoding: one image's soft tokens then the text, greedy, no stop token. Random token ids stand in for the
      // soft tokens: the decoder's cost per position is the same for a spliced embedding and a looked-up one.
      int[] promptIds = new int[softTokens + prompt];
      for (int i = 0; i < promptIds.length; i++) promptIds[i] = 1 + random.nextInt(decoder.vocabSize() - 1);
      llava.generate(w, theta, List.of(promptIds), null, Decoding.greedy(Math.min(5, newTokens))); // warm-up
      uncached(llava.decoder(), w, promptIds, Math.min(5, newTokens));
      long start = System.nanoTime();
      int[] cachedTokens = llava.generate(w, theta, List.of(promptIds), null, Decoding.greedy(newTokens)).get(0);
      double cached = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      int[] plainTokens = uncached(llava.decoder(), w, promptIds, newTokens);
      double plain = (System.nanoTime() - start) / 1e9;
      out.printf("%s decode %d tokens after a %d-token prompt (%d soft + %d text): KV cache %.1f tokens/s, full "
          + "recompute %.1f tokens/s (x%.1f); same tokens: %s%n", name, newTokens, promptIds.length, softTokens, prompt,
          newTokens / cached, newTokens / plain, plain / cached,
          Arrays.equals(cachedTokens, plainTokens) ? "yes" : "no (random weights: near-tied logits)");
    }
  }

  private static void trainStep(Llava llava, Map<String, NDArray> w, Map<String, NDArray> theta,
      List<TokenizedExample> batch, NDArray features) {
    try (NDScope scope = new NDScope();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Map<String, NDArray> leaves = Ops.leaves(theta);
      gc.backward(llava.loss(w, leaves, batch, features, 0));
      float g = leaves.get(AttentionMapper.key(0)).getGradient().abs().sum().getFloat(); // forces the backward
      if (!Float.isFinite(g)) throw new IllegalStateException("bench: non-finite mapper gradient");
    }
  }

  private static final Decoding GREEDY = Decoding.greedy(1);

  /** Greedy decoding recomputing the whole sequence for every new token (no cache). */
  private static int[] uncached(Qwen2Decoder decoder, Map<String, NDArray> w, int[] prompt, int n) {
    int[] seqIds = Arrays.copyOf(prompt, prompt.length + n);
    for (int i = 0; i < n; i++) {
      int t = prompt.length + i;
      try (NDScope scope = new NDScope()) {
        long[] ids = Arrays.stream(seqIds, 0, t).asLongStream().toArray();
        NDArray idArray = w.get("model.embed_tokens.weight").getManager().create(ids, new Shape(1, t)); // [1,t]
        NDArray hidden = decoder.forward(w, decoder.embed(w, idArray), null, null); // [1,t,H]
        NDArray logits = decoder.logits(w, hidden.get(":, -1:")); // [1,1,V]
        seqIds[t] = GREEDY.next(logits.toFloatArray(), List.of()); // the cached path's pick, ties included
      }
    }
    return Arrays.copyOfRange(seqIds, prompt.length, seqIds.length);
  }

  /** Engine-drawn N(0, 0.02) weights (fast at 136M embeddings), zero biases, unit RMSNorm weights. */
  private static Map<String, NDArray> randomDecoder(DecoderConfig c, NDManager manager) {
    Map<String, NDArray> w = new LinkedHashMap<>();
    Qwen2Decoder.shapes(c).forEach((name, shape) -> w.put(name,
        name.endsWith("layernorm.weight") || name.equals("model.norm.weight") ? manager.ones(shape)
            : name.endsWith(".bias") ? manager.zeros(shape)
            : manager.randomNormal(0, 0.02f, shape, DataType.FLOAT32)));
    return w;
  }

}
