package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Vision tower + attention mapper + decoder, LLaVA-style: mapper outputs spliced at image tokens. */
public final class Llava {
  public static final int IMAGE_TOKEN = -200;
  public static final int IGNORE = -100;

  private final VisionConfig vision;
  private final MapperConfig mapper;
  private final Qwen2Decoder decoder;

  public Llava(VisionConfig vision, DecoderConfig decoder, MapperConfig mapper) {
    if (mapper.dimClip() != vision.hiddenSize()) {
      throw new IllegalArgumentException("mapper dimClip " + mapper.dimClip() + " != vision hidden size " + vision.hiddenSize());
    }
    if (mapper.dimLlm() != decoder.hiddenSize()) {
      throw new IllegalArgumentException("mapper dimLlm " + mapper.dimLlm() + " != decoder hidden size " + decoder.hiddenSize());
    }
    this.vision = vision;
    this.mapper = mapper;
    this.decoder = new Qwen2Decoder(decoder);
  }

  public Qwen2Decoder decoder() { return decoder; }

  public VisionTower visionTower() { return new VisionTower(vision); }

  /** features [nImages, patches, dClip] in order of appearance over the batch; token-mean CE (scalar). */
  public NDArray loss(Map<String, NDArray> decoderW, Map<String, NDArray> mapperVars, List<TokenizedExample> batch, NDArray features, int padId) {
    return lossOnSoftTokens(decoderW, batch, softTokens(mapperVars, features), padId);
  }

  /**
   * The same loss with each image's soft tokens given directly ([nImages, tokens, dLlm], or null when the
   * batch has no image): the mini warm-up trains its backbones through a per-patch projector instead of
   * the mapper, as CLIP and Qwen were trained before MAPD's mapper ever saw them.
   */
  public NDArray lossOnSoftTokens(Map<String, NDArray> decoderW, List<TokenizedExample> batch, NDArray soft, int padId) {
    int perImage = soft == null ? mapper.prefixLength() : (int) soft.getShape().get(1);
    Spliced s = splice(batch, padId, perImage);
    NDArray hidden = decoder.forward(decoderW, embed(decoderW, soft, s), s.keyMask, null); // [B,T,H]
    Supervised sup = supervised(s);
    if (sup.rows.length == 0) throw new IllegalArgumentException("loss: no supervised token in the batch");
    return nllSum(decoderW, sup, 1.0 / sup.rows.length).apply(hidden);
  }

  /** A scaled loss value and its gradient with respect to each image's soft tokens. */
  public record SoftGradient(double value, NDArray gradient) {}

  /**
   * {@code scale} x the summed token NLL of {@code batch} and its gradient with respect to the soft tokens:
   * the frozen decoder's part of a mapper gradient. Callers chunk a batch and pass scale = 1 / supervised
   * tokens of the whole batch, so the chunks add up to the batch's token-mean loss and its gradient.
   *
   * @param soft [nImages, P, dLlm] without a graph, or null when the batch has no image
   * @param recompute activation checkpointing of the decoder (see {@link Qwen2Decoder#recomputedGradient})
   * @param gc the open gradient collector
   * @return the value and d value / d soft [nImages, P, dLlm] (null without images)
   */
  public SoftGradient softGradient(Map<String, NDArray> decoderW, List<TokenizedExample> batch, NDArray soft, int padId,
      double scale, boolean recompute, GradientCollector gc) {
    Spliced s = splice(batch, padId, mapper.prefixLength());
    Supervised sup = supervised(s);
    if (sup.rows.length == 0) return new SoftGradient(0, soft == null ? null : soft.zerosLike());
    NDArray leaf = soft == null ? null : Ops.leaf(soft);
    NDArray embeds = embed(decoderW, leaf, s); // [B,T,H], a graph from leaf
    double value;
    if (recompute) {
      Qwen2Decoder.Objective objective = headInChunks(decoderW, sup, scale, true);
      Qwen2Decoder.InputGradient g = decoder.recomputedGradient(decoderW, embeds.stopGradient(), s.keyMask, objective, gc);
      value = g.value();
      if (leaf != null) gc.backward(embeds.mul(g.gradient()).sum()); // carries d/d embeds back to the soft tokens
    } else {
      value = headInChunks(decoderW, sup, scale, leaf != null).backward(decoder.forward(decoderW, embeds, s.keyMask, null), gc);
    }
    return new SoftGradient(value, leaf == null ? null : leaf.getGradient());
  }

  /** Supervised rows per lm_head pass: bounds the logits and their gradient to headRows x vocab floats each (tests shrink it). */
  static int headRows = 256;

  /**
   * The scaled NLL sum run backward in chunks of {@link #headRows} supervised rows: each chunk's logits
   * are made, differentiated and freed before the next, into a detached copy of the hidden states whose
   * gradient is then carried back through the graph behind them in one step.
   *
   * @param graph whether a graph leads to the hidden states (not for a text-only batch without recompute;
   *     the engine's requiresGrad answers false for results, so the caller says)
   */
  private Qwen2Decoder.Objective headInChunks(Map<String, NDArray> decoderW, Supervised sup, double scale, boolean graph) {
    return (hidden, gc) -> {
      NDArray copy = Ops.leaf(hidden); // [B,T,H]
      double value = 0;
      for (int start = 0; start < sup.rows.length; start += headRows) {
        int end = Math.min(sup.rows.length, start + headRows);
        Supervised part = new Supervised(sup.width, Arrays.copyOfRange(sup.rows, start, end),
            Arrays.copyOfRange(sup.targets, start, end));
        try (NDScope scope = new NDScope()) {
          NDArray nll = nllSum(decoderW, part, scale).apply(copy);
          value += nll.getFloat();
          gc.backward(nll);
        }
      }
      if (graph) gc.backward(hidden.mul(copy.getGradient()).sum());
      return value;
    };
  }

  /** Supervised positions of a spliced batch: flat row b*T+t predicts target label t+1 (HF causal CE). */
  private record Supervised(int width, long[] rows, long[] targets) {}

  private static Supervised supervised(Spliced s) {
    List<Long> rows = new ArrayList<>();
    List<Long> targets = new ArrayList<>();
    for (int b = 0; b < s.batch; b++) {
      for (int t = 0; t + 1 < s.length; t++) {
        int label = s.labels[b * s.length + t + 1];
        if (label == IGNORE) continue;
        rows.add((long) b * s.length + t);
        targets.add((long) label);
      }
    }
    return new Supervised(s.length, rows.stream().mapToLong(Long::longValue).toArray(),
        targets.stream().mapToLong(Long::longValue).toArray());
  }

  /**
   * hidden [B,T,H] after model.norm -> scale x summed NLL of the supervised positions. Only those rows go
   * through lm_head: a 4,096-token sequence's full logits would be 2.5 GB in FP32, and its answer is a few
   * tokens.
   */
  private Function<NDArray, NDArray> nllSum(Map<String, NDArray> decoderW, Supervised sup, double scale) {
    return hidden -> {
      NDManager m = hidden.getManager();
      NDArray picked = Ops.rows(hidden.reshape(-1, mapper.dimLlm()), m.create(sup.rows)); // [N,H]
      NDArray logProbs = decoder.logits(decoderW, picked).logSoftmax(-1); // [N,V]
      NDArray nll = logProbs.gather(m.create(sup.targets).reshape(-1, 1), 1).neg(); // [N,1]
      return nll.sum().mul(Ops.scalar(nll, scale));
    };
  }

  /** Greedy decoding with a KV cache ({@link Decoding}); returns the new tokens only, without the end id. */
  public List<int[]> generate(Map<String, NDArray> decoderW, Map<String, NDArray> mapperVars, List<int[]> prompts, NDArray features, Decoding decoding) {
    List<int[]> out = new ArrayList<>();
    int image = 0;
    for (int[] prompt : prompts) {
      int images = countImages(prompt);
      // Each prompt runs in its own scope: its cache and activations are freed before the next one.
      try (NDScope scope = new NDScope()) {
        NDArray own = images == 0 ? null : features.get(image + ":" + (image + images)); // [images,patches,dClip]
        out.add(generateOne(decoderW, mapperVars, prompt, own, decoding));
      }
      image += images;
    }
    if (features != null && image != features.getShape().get(0)) {
      throw new IllegalArgumentException("generate: prompts hold " + image + " images but features has " + features.getShape().get(0));
    }
    return out;
  }

  private int[] generateOne(Map<String, NDArray> decoderW, Map<String, NDArray> mapperVars, int[] prompt, NDArray features, Decoding decoding) {
    // One unpadded prompt: every position is attended, so the pad id only fills an unused mask.
    Spliced s = splice(List.of(new TokenizedExample(prompt, prompt, countImages(prompt))), 0, mapper.prefixLength());
    KvCache cache = new KvCache(decoder.config().numHiddenLayers());
    NDArray soft = softTokens(mapperVars, features);
    NDArray hidden = decoder.forward(decoderW, embed(decoderW, soft, s), null, cache); // [1,T,H]
    return decoder.generate(decoderW, hidden.get(":, -1:"), cache, decoding);
  }

  /** Token embeddings with each image's soft tokens [nImg,P,H] in place of its IMAGE_TOKEN: [B,T,H]. */
  private NDArray embed(Map<String, NDArray> decoderW, NDArray soft, Spliced s) {
    NDManager m = decoderW.get("model.embed_tokens.weight").getManager();
    NDArray text = decoder.embed(decoderW, Qwen2Decoder.ids(m, s.textIds, s.batch, s.length)); // [B,T,H]
    if (s.images == 0) return text;
    if (soft == null || soft.getShape().get(0) != s.images) {
      throw new IllegalArgumentException("batch holds " + s.images + " images but features has "
          + (soft == null ? "none" : soft.getShape().get(0)));
    }
    NDArray flat = soft.reshape(-1, mapper.dimLlm()); // [nImg*P,H]
    NDArray spliced = Ops.rows(flat, Qwen2Decoder.ids(m, s.softRows, s.batch, s.length)); // [B,T,H]
    // The engine's where does not broadcast the condition.
    NDArray isImage = m.create(s.isImage, new Shape(s.batch, s.length, 1)).broadcast(text.getShape()); // [B,T,H]
    return NDArrays.where(isImage, spliced, text);
  }

  /** The batch after splicing, right-padded: flat [B*T] Java arrays that become index tensors. */
  private record Spliced(int batch, int length, int images, int[] textIds, int[] softRows, boolean[] isImage,
      int[] labels, boolean[][] keyMask) {}

  /** Mapper outputs for the given features: [nImages, prefixLength, dLlm], or null without images. */
  private NDArray softTokens(Map<String, NDArray> mapperVars, NDArray features) {
    return features == null ? null : AttentionMapper.forward(mapper, mapperVars, features);
  }

  private Spliced splice(List<TokenizedExample> batch, int padId, int p) {
    int length = 0;
    for (TokenizedExample e : batch) length = Math.max(length, e.ids().length + countImages(e.ids()) * (p - 1));
    int n = batch.size();
    int[] textIds = new int[n * length];
    int[] softRows = new int[n * length];
    boolean[] isImage = new boolean[n * length];
    int[] labels = new int[n * length];
    boolean[][] keyMask = new boolean[n][length];
    java.util.Arrays.fill(labels, IGNORE);
    int image = 0;
    for (int b = 0; b < n; b++) {
      TokenizedExample e = batch.get(b);
      if (e.labels().length != e.ids().length) throw new IllegalArgumentException("example: ids and labels differ in length");
      int t = b * length;
      for (int i = 0; i < e.ids().length; i++) {
        int id = e.ids()[i];
        if (id == IMAGE_TOKEN) {
          for (int j = 0; j < p; j++, t++) {
            softRows[t] = image * p + j;
            isImage[t] = true;
            keyMask[b][t - b * length] = true;
          }
          image++;
        } else {
          textIds[t] = id;
          labels[t] = e.labels()[i];
          // HF attention_mask = ids != pad: with the authors' pad id 0 this also hides real id-0 tokens.
          keyMask[b][t - b * length] = id != padId;
          t++;
        }
      }
      for (; t < (b + 1) * length; t++) textIds[t] = padId;
    }
    return new Spliced(n, length, image, textIds, softRows, isImage, labels, keyMask);
  }

  static int countImages(int[] ids) {
    int n = 0;
    for (int id : ids) if (id == IMAGE_TOKEN) n++;
    return n;
  }

}
