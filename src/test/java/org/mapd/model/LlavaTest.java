package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LlavaTest {
  static final VisionConfig VISION = new VisionConfig(32, 64, 3, 4, 3, 32, 8, "quick_gelu", 1e-5);
  static final DecoderConfig DECODER = new DecoderConfig(64, 176, 2, 4, 2, 512, 1024, 1e-6, 10000.0, false);
  static final MapperConfig MAPPER = new MapperConfig(8, 32, 64);
  static final int I = Llava.IMAGE_TOKEN;
  static final int X = Llava.IGNORE;

  static NDManager manager;
  static Map<String, NDArray> decoderW;
  static Map<String, NDArray> mapperVars;
  static Llava llava;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
    decoderW = Qwen2DecoderTest.weightsOn(manager, DECODER, 11);
    mapperVars = AttentionMapper.init(MAPPER, manager, 12);
    llava = new Llava(VISION, DECODER, MAPPER);
  }

  @AfterAll
  static void stop() { manager.close(); }

  static NDArray features(int images, long seed) {
    Random r = new Random(seed);
    float[] f = new float[images * VISION.patches() * VISION.hiddenSize()];
    for (int i = 0; i < f.length; i++) f[i] = (float) r.nextGaussian();
    return manager.create(f, new Shape(images, VISION.patches(), VISION.hiddenSize()));
  }

  static List<TokenizedExample> batch() {
    return List.of(
        new TokenizedExample(new int[] {5, I, 7, 8, 9, 10}, new int[] {X, X, X, 8, 9, 10}, 1),
        new TokenizedExample(new int[] {4, 6, 11, 12}, new int[] {X, X, 11, 12}, 0),
        new TokenizedExample(new int[] {I, 3, I, 20, 21, 22, 23}, new int[] {X, X, X, X, 21, 22, X}, 2));
  }

  @Test
  void recomputedDecoderGradientEqualsPlainBackward() {
    List<TokenizedExample> batch = batch(); // 3 images, 7 supervised tokens, padding
    int supervised = batch.stream().mapToInt(TokenizedExample::supervised).sum();
    assertEquals(7, supervised);
    NDArray soft = AttentionMapper.forward(MAPPER, mapperVars, features(3, 2)); // [3,P,H], no graph
    double[] values = new double[4];
    float[][] grads = new float[4][];
    int rows = Llava.headRows;
    int block = Qwen2Decoder.attentionRows;
    try {
      for (int r = 0; r < 4; r++) {
        Llava.headRows = r == 2 ? 2 : rows; // lm_head two supervised rows at a time
        Qwen2Decoder.attentionRows = r == 3 ? 3 : block; // attention three query rows at a time
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Llava.SoftGradient g = llava.softGradient(decoderW, batch, soft, 0, 1.0 / supervised, r >= 1, gc);
          values[r] = g.value();
          grads[r] = g.gradient().toFloatArray();
        }
      }
    } finally {
      Llava.headRows = rows;
      Qwen2Decoder.attentionRows = block;
    }
    assertEquals(values[0], values[3], 1e-6 * values[0], "attention in blocks");
    assertTrue(Ref.relativeError(grads[0], grads[3]) <= 1e-5, "attention in blocks: " + Ref.relativeError(grads[0], grads[3]));
    assertEquals(values[0], values[2], 1e-6 * values[0], "lm_head in chunks");
    assertTrue(Ref.relativeError(grads[0], grads[2]) <= 1e-5, "lm_head in chunks: " + Ref.relativeError(grads[0], grads[2]));
    double mean = llava.lossOnSoftTokens(decoderW, batch, soft, 0).getFloat();
    assertEquals(mean, values[0], 1e-6 * mean, "scaled sum = token mean");
    assertEquals(values[0], values[1], 1e-6 * mean);
    double norm = 0;
    for (float v : grads[0]) norm += v * v;
    assertTrue(norm > 1e-6, "the soft tokens get a gradient");
    double err = Ref.relativeError(grads[0], grads[1]);
    assertTrue(err <= 1e-5, "relative error of the recomputed gradient " + err);
  }

  @Test
  void lossEqualsPerExampleReference() {
    List<TokenizedExample> batch = batch();
    NDArray feats = features(3, 1);
    float loss = llava.loss(decoderW, mapperVars, batch, feats, 0).getFloat();
    // Reference: splice by concatenation, run each sequence alone (no padding), CE in Java.
    NDArray soft = AttentionMapper.forward(MAPPER, mapperVars, feats); // [3,P,H]
    NDArray embed = decoderW.get("model.embed_tokens.weight");
    double nll = 0;
    int count = 0;
    int image = 0;
    for (TokenizedExample e : batch) {
      NDList pieces = new NDList();
      List<Integer> labels = new ArrayList<>();
      for (int i = 0; i < e.ids().length; i++) {
        if (e.ids()[i] == I) {
          pieces.add(soft.get(image++));
          for (int j = 0; j < MAPPER.prefixLength(); j++) labels.add(X);
        } else {
          pieces.add(embed.get(e.ids()[i] + ":" + (e.ids()[i] + 1)));
          labels.add(e.labels()[i]);
        }
      }
      NDArray seq = NDArrays.concat(pieces, 0).expandDims(0);
      Qwen2Decoder d = llava.decoder();
      double[][] logits = Ref.matrix(d.logits(decoderW, d.forward(decoderW, seq, null, null)).squeeze(0));
      for (int t = 0; t + 1 < labels.size(); t++) {
        int target = labels.get(t + 1);
        if (target == X) continue;
        double[] p = Ref.softmax(logits[t]);
        nll -= Math.log(p[target]);
        count++;
      }
    }
    assertEquals(nll / count, loss, 1e-4);
  }

  @Test
  void authorsPadZeroHidesRealZeroTokens() {
    List<TokenizedExample> b = List.of(new TokenizedExample(new int[] {5, 0, 7, 8}, new int[] {X, X, 7, 8}, 0));
    float withZeroPad = llava.loss(decoderW, mapperVars, b, null, 0).getFloat();
    float withOtherPad = llava.loss(decoderW, mapperVars, b, null, 1).getFloat();
    assertTrue(Math.abs(withZeroPad - withOtherPad) > 1e-4, "id 0 must be masked when it is the pad id");
  }

  @Test
  void gradientFlowsIntoMapperAndDecoder() {
    Map<String, NDArray> vars = AttentionMapper.init(MAPPER, manager, 13);
    vars.values().forEach(v -> v.setRequiresGradient(true));
    NDArray embed = decoderW.get("model.embed_tokens.weight");
    embed.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(llava.loss(decoderW, vars, batch(), features(3, 2), 0));
    }
    for (Map.Entry<String, NDArray> e : vars.entrySet()) {
      double norm = 0;
      for (float v : e.getValue().getGradient().toFloatArray()) norm += v * v;
      assertTrue(norm > 0 && Double.isFinite(norm), e.getKey());
    }
    double norm = 0;
    for (float v : embed.getGradient().toFloatArray()) norm += v * v;
    assertTrue(norm > 0, "embeddings get a gradient when they require one");
    embed.setRequiresGradient(false);
  }

  @Test
  void cachedGreedyEqualsUncachedGreedy() {
    int[] prompt = {3, 4, I, 9, 10, 11};
    NDArray feats = features(1, 3);
    int[] cached = llava.generate(decoderW, mapperVars, List.of(prompt), feats, new Decoding(6, 0, new int[] {511}, 1.0)).get(0);
    assertEquals(6, cached.length);
    // Uncached: re-run the whole prefix for every new token.
    List<Integer> grown = new ArrayList<>();
    for (int id : prompt) grown.add(id);
    int[] uncached = new int[6];
    for (int k = 0; k < 6; k++) {
      int[] ids = grown.stream().mapToInt(Integer::intValue).toArray();
      uncached[k] = llava.generate(decoderW, mapperVars, List.of(ids), feats, new Decoding(1, 0, new int[] {511}, 1.0)).get(0)[0];
      grown.add(uncached[k]);
    }
    assertArrayEquals(uncached, cached);
    // Stopping: the end token is not returned, and min_new_tokens=1 keeps it from ending at the first step.
    assertEquals(0, llava.generate(decoderW, mapperVars, List.of(prompt), feats, new Decoding(6, 0, new int[] {cached[0]}, 1.0)).get(0).length);
    int[] forced = llava.generate(decoderW, mapperVars, List.of(prompt), feats, new Decoding(6, 1, new int[] {cached[0]}, 1.0)).get(0);
    assertTrue(forced.length >= 1 && forced[0] != cached[0], java.util.Arrays.toString(forced));
  }

  @Test
  void imageCountMismatchIsAnError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> llava.loss(decoderW, mapperVars, batch(), features(2, 1), 0));
    assertTrue(e.getMessage().contains("3 images"));
  }

  /** Timing of one mini training step (batch 8, ~60 tokens after splicing); printed for the report. */
  @Test
  void miniTrainingStepTiming() {
    Map<String, NDArray> vars = AttentionMapper.init(MAPPER, manager, 14);
    vars.values().forEach(v -> v.setRequiresGradient(true));
    List<TokenizedExample> batch = new ArrayList<>();
    Random r = new Random(4);
    for (int b = 0; b < 8; b++) {
      int[] ids = new int[53];
      int[] labels = new int[53];
      ids[0] = I;
      labels[0] = X;
      for (int t = 1; t < 53; t++) {
        ids[t] = 3 + r.nextInt(500);
        labels[t] = t > 30 ? ids[t] : X;
      }
      batch.add(new TokenizedExample(ids, labels, 1));
    }
    NDArray feats = features(8, 5);
    System.out.println("mini training step (B=8, T=60, mapper grads): best " + bestStepMs(batch, feats, vars) + " ms");
    // The warm-up trains the decoder through the same code.
    Map<String, NDArray> all = new java.util.LinkedHashMap<>(vars);
    decoderW.values().forEach(v -> v.setRequiresGradient(true));
    all.putAll(decoderW);
    try {
      System.out.println("mini training step (B=8, T=60, mapper + decoder grads): best " + bestStepMs(batch, feats, all) + " ms");
    } finally {
      decoderW.values().forEach(v -> v.setRequiresGradient(false));
    }
  }

  private static double bestStepMs(List<TokenizedExample> batch, NDArray feats, Map<String, NDArray> trained) {
    long best = Long.MAX_VALUE;
    for (int step = 0; step < 6; step++) {
      long t0 = System.nanoTime();
      try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = llava.loss(decoderW, trained, batch, feats, 0);
        gc.backward(loss);
        assertTrue(Float.isFinite(loss.getFloat()));
      }
      trained.values().forEach(v -> v.getGradient().close());
      if (step > 0) best = Math.min(best, System.nanoTime() - t0);
    }
    return best / 1_000_000.0;
  }
}
