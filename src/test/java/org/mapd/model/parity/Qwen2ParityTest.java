package org.mapd.model.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mapd.model.parity.Fixtures.F32_TOLERANCE;
import static org.mapd.model.parity.Fixtures.assertClose;
import static org.mapd.model.parity.Fixtures.get;
import static org.mapd.model.parity.Fixtures.ints;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapd.model.DecoderConfig;
import org.mapd.model.Decoding;
import org.mapd.model.KvCache;
import org.mapd.model.Llava;
import org.mapd.model.MapperConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.Safetensors;
import org.mapd.model.VisionConfig;

/** Qwen2Decoder against Qwen2ForCausalLM (transformers 4.44, eager attention) on checkpoints it saved. */
class Qwen2ParityTest {
  /**
   * transformers run in bf16 rounds every activation to 8 mantissa bits (relative step 2^-8); over 2 layers and a
   * 64-wide lm_head that moved its own logits by 0.055 (max |logit| 2.8) from the F32 run on the same weights.
   */
  static final double BF16_COMPUTE_TOLERANCE = 0.1;

  static NDManager manager;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  record Loaded(DecoderConfig config, Map<String, NDArray> weights, Map<String, NDArray> expected) {}

  static Loaded load(String fixture) {
    Path dir = Fixtures.dir(fixture);
    DecoderConfig config = DecoderConfig.load(dir);
    Map<String, NDArray> w = Safetensors.load(manager, dir, n -> n.startsWith("model.") || n.startsWith("lm_head."));
    return new Loaded(config, w, Fixtures.expected(manager, dir));
  }

  static NDArray ids(NDArray expectedIds) {
    return expectedIds.toType(DataType.INT64, false); // [B,T]
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-tied", "qwen2-untied", "qwen2-untied-bf16"})
  void configAndTensorNamesMatchWhatTransformersSaved(String fixture) {
    Loaded m = load(fixture);
    DecoderConfig c = m.config();
    assertEquals(new DecoderConfig(64, 128, 2, 4, 2, 300, 64, 1e-6, 1e6, fixture.equals("qwen2-tied")), c);
    Map<String, Shape> shapes = Qwen2Decoder.shapes(c);
    // save_pretrained drops lm_head of a tied model: the names must be exactly those the decoder reads.
    assertEquals(shapes.keySet(), m.weights().keySet());
    shapes.forEach((name, shape) -> assertEquals(shape, m.weights().get(name).getShape(), name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-tied", "qwen2-untied", "qwen2-untied-bf16"})
  void logitsAndEveryHiddenStateMatchTransformers(String fixture) {
    Loaded m = load(fixture);
    Map<String, NDArray> e = m.expected();
    Qwen2Decoder decoder = new Qwen2Decoder(m.config());
    NDArray embeds = decoder.embed(m.weights(), ids(get(e, "input_ids"))); // [1,T,H]
    NDArray hidden = decoder.forward(m.weights(), embeds, null, null); // [1,T,H]
    assertClose(fixture + " logits", get(e, "logits"), decoder.logits(m.weights(), hidden), F32_TOLERANCE);
    // HF hidden_states: [0] = embeddings, [k] = after layer k, [L] = after the final norm.
    int layers = m.config().numHiddenLayers();
    assertClose(fixture + " hidden_states[0]", get(e, "hidden_states.0"), embeds, F32_TOLERANCE);
    assertClose(fixture + " hidden_states[" + layers + "]", get(e, "hidden_states." + layers), hidden, F32_TOLERANCE);
    // forward() ends with model.norm, so each earlier state is seen through a k-layer decoder as norm(h_k); the
    // reference is transformers' own Qwen2RMSNorm applied to its h_k.
    for (int k = 0; k < layers; k++) {
      DecoderConfig c = m.config();
      DecoderConfig firstK = new DecoderConfig(c.hiddenSize(), c.intermediateSize(), k, c.numAttentionHeads(),
          c.numKeyValueHeads(), c.vocabSize(), c.maxPositionEmbeddings(), c.rmsNormEps(), c.ropeTheta(), c.tieWordEmbeddings());
      NDArray normed = new Qwen2Decoder(firstK).forward(m.weights(), embeds, null, null);
      assertClose(fixture + " norm(hidden_states[" + k + "])", get(e, "normed_hidden_states." + k), normed, F32_TOLERANCE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-tied", "qwen2-untied", "qwen2-untied-bf16"})
  void rightPaddedBatchMatchesTransformersAttentionMask(String fixture) {
    Loaded m = load(fixture);
    Map<String, NDArray> e = m.expected();
    int[] mask = ints(get(e, "batch_attention_mask")); // [2*T] flat
    int b = 2;
    int t = mask.length / b;
    boolean[][] keyMask = new boolean[b][t];
    for (int i = 0; i < mask.length; i++) keyMask[i / t][i % t] = mask[i] == 1;
    Qwen2Decoder decoder = new Qwen2Decoder(m.config());
    NDArray embeds = decoder.embed(m.weights(), ids(get(e, "batch_input_ids"))); // [2,T,H]
    NDArray logits = decoder.logits(m.weights(), decoder.forward(m.weights(), embeds, keyMask, null)); // [2,T,V]
    NDArray expected = get(e, "batch_logits");
    // Padded query rows are garbage on both sides; compare the real tokens only.
    for (int s = 0; s < b; s++) {
      int real = 0;
      while (real < t && keyMask[s][real]) real++;
      assertTrue(real > 0);
      String rows = s + ", :" + real;
      assertClose(fixture + " batch row " + s + " (" + real + " real tokens)", expected.get(rows), logits.get(rows), F32_TOLERANCE);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-tied", "qwen2-untied", "qwen2-untied-bf16"})
  void greedyDecodingWithKvCacheEqualsGenerate(String fixture) {
    Loaded m = load(fixture);
    Map<String, NDArray> e = m.expected();
    int[] prompt = ints(get(e, "input_ids"));
    int[] expected = ints(get(e, "greedy_tokens"));
    // transformers' smallest top-1/top-2 logit gap over the 8 steps: far above the F32 error, so ties cannot flip.
    float minMargin = get(e, "greedy_margins").min().getFloat();
    assertTrue(minMargin > 100 * F32_TOLERANCE, "fixture margin " + minMargin);
    // Production path: Llava.generate on a text-only prompt (no image, so no mapper weights are read); no end id.
    Llava llava = new Llava(new VisionConfig(32, 64, 2, 4, 3, 32, 8, "quick_gelu", 1e-5), m.config(), new MapperConfig(4, 32, 64));
    List<int[]> produced = llava.generate(m.weights(), Map.of(), List.of(prompt), null, Decoding.greedy(expected.length));
    assertArrayEquals(expected, produced.get(0), fixture + " greedy tokens");
    // Same through the decoder and its cache directly, token by token.
    Qwen2Decoder decoder = new Qwen2Decoder(m.config());
    KvCache cache = new KvCache(m.config().numHiddenLayers());
    NDArray last = decoder.forward(m.weights(), decoder.embed(m.weights(), row(prompt)), null, cache); // [1,T,H]
    int[] own = new int[expected.length];
    for (int i = 0; i < own.length; i++) {
      NDArray logits = decoder.logits(m.weights(), last.get(":, -1:")); // [1,1,V]
      own[i] = (int) logits.argMax(-1).toType(DataType.INT64, false).getLong();
      if (i + 1 < own.length) last = decoder.forward(m.weights(), decoder.embed(m.weights(), row(own[i])), null, cache);
    }
    assertArrayEquals(expected, own, fixture + " greedy tokens (own loop)");
    System.out.printf("parity %-48s greedy %s equal, min margin %.3f%n", fixture, Arrays.toString(expected), minMargin);
  }

  @Test
  void bf16CheckpointIsWithinBf16RoundingOfTransformersBf16Run() {
    Loaded m = load("qwen2-untied-bf16");
    Map<String, NDArray> e = m.expected();
    Qwen2Decoder decoder = new Qwen2Decoder(m.config());
    NDArray logits = decoder.logits(m.weights(), decoder.forward(m.weights(), decoder.embed(m.weights(), ids(get(e, "input_ids"))), null, null));
    // The reader widens BF16 exactly, so the tight reference (F32 run on rounded weights) is checked elsewhere;
    // here the bf16-arithmetic run of transformers only has to agree to bf16 precision.
    assertClose("bf16 vs transformers bf16 compute", get(e, "bf16_compute_logits"), logits, BF16_COMPUTE_TOLERANCE);
    // And rounding the weights did change the model: the fixture does test the BF16 path.
    double rounding = Fixtures.maxAbsDiff(get(e, "f32_original_logits"), logits);
    System.out.printf("parity %-48s %.3e%n", "bf16 checkpoint vs f32 original logits", rounding);
    assertTrue(rounding > 10 * F32_TOLERANCE, "bf16 rounding left the logits unchanged: " + rounding);
  }

  /** Token ids as one batch row [1,T] of INT64. */
  private static NDArray row(int... ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
    return manager.create(longs, new Shape(1, ids.length));
  }
}
