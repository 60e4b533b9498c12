package org.mapd.model;

import java.util.ArrayList;
import java.util.List;
import org.mapd.conf.MemoryBudget;

/**
 * Device bytes of training the mapper through the frozen backbones in FP32, from shapes alone: what decides
 * how a batch is cut into micro-batches, whether a plan fits its device at all, and the memory column of
 * {@code mapd plan estimate}. It counts the tensors that autograd keeps for backward plus the largest
 * transients of one backward step; the rehearsal measures it against the host's peak resident memory at
 * reduced depth (README, "Paper plan").
 *
 * @param recompute activation checkpointing of the decoder ({@link Qwen2Decoder#recomputedGradient})
 */
public record MemoryModel(VisionConfig vision, DecoderConfig decoder, MapperConfig mapper, boolean recompute) {
  private static final long FLOAT = 4;
  /** Images per mapper backward when the mapper is checkpointed too (recompute): its graph exists for these only. */
  public static final int MAPPER_IMAGES_PER_PASS = 1;

  /**
   * The shape of one micro-batch through the decoder.
   *
   * @param sequences sequences (right-padded to {@code length})
   * @param length tokens per sequence after image placeholders are expanded
   * @param images images whose soft tokens are spliced in
   * @param supervised positions that go through lm_head
   */
  public record Chunk(int sequences, int length, int images, int supervised) {
    /** The smallest chunk holding both. */
    public Chunk plus(Chunk o) {
      return new Chunk(sequences + o.sequences, Math.max(length, o.length), images + o.images, supervised + o.supervised);
    }
  }

  /** One example as a chunk. */
  public Chunk chunk(TokenizedExample e) {
    return new Chunk(1, e.splicedLength(mapper.prefixLength()), e.images(), e.supervised());
  }

  public long decoderParameters() {
    return Ops.parameterCount(Qwen2Decoder.shapes(decoder));
  }

  public long visionParameters() {
    return Ops.parameterCount(VisionTower.shapes(vision));
  }

  public long mapperParameters() {
    return Ops.parameterCount(AttentionMapper.shapes(mapper));
  }

  /**
   * What a training stage holds throughout: both frozen backbones, the mapper with its gradient and two
   * AdamW moments, and for MAPD the fast weights and support gradients of every inner step (first order:
   * both stay in the outer graph).
   */
  public long residentBytes(int innerSteps) {
    long mapperCopies = 4 + 2L * innerSteps;
    return FLOAT * (decoderParameters() + visionParameters() + mapperCopies * mapperParameters());
  }

  /** Activations of one forward + backward of a micro-batch, through the mapper and the decoder. */
  public long activationBytes(Chunk c) {
    long b = c.sequences();
    long t = c.length();
    long h = decoder.hiddenSize();
    long inter = decoder.intermediateSize();
    long heads = decoder.numAttentionHeads();
    long kvWidth = (long) decoder.numKeyValueHeads() * decoder.headDim();
    long tokens = b * t;
    // With recompute, attention runs a block of query rows at a time (Qwen2Decoder.attentionRows).
    long r = recompute ? Math.min(t, Qwen2Decoder.attentionRows) : t;
    // Kept per token by one layer: norms, q/k/v and their rotated copies, attention output, projections and
    // residuals (~16 hidden-size vectors), and the SwiGLU's five intermediate-size ones; attention scores and
    // probabilities per head, and their gradient in backward.
    long layer = b * r * (16 * h + 5 * inter) + 3 * b * heads * r * t;
    long backwardStep = b * r * (4 * h + 2 * inter) + b * heads * r * t;
    long layers;
    if (recompute) {
      // kept layer inputs; the running gradient and a layer's input leaf with its gradient; keys and values of
      // every row with their graph, as leaves with gradients, and repeated to every head for a block
      layers = decoder.numHiddenLayers() * tokens * h + 3 * tokens * h + tokens * (3 * h + 8 * kvWidth) + 4 * tokens * h
          + layer;
    } else {
      layers = decoder.numHiddenLayers() * layer;
    }
    long mask = b * t * t; // the additive causal + padding mask [B,1,T,T]
    long embeds = 4 * tokens * h; // text rows, spliced soft rows, the merged input and its gradient
    // final norm and its detached copy with gradient; logits, log-softmax and their gradients for one chunk of
    // supervised rows (Llava.headRows at a time)
    long head = 5 * tokens * h + (long) Math.min(c.supervised(), Llava.headRows) * (h + 4L * decoder.vocabSize());
    return FLOAT * (layers + backwardStep + mask + embeds + head + mapperActivations(c.images()));
  }

  /**
   * The mapper's forward + backward for {@code images} images, and the per-micro-batch leaf copies and
   * gradients; with recompute the mapper's graph exists for one image at a time (MapperGradient), plus
   * every image's soft tokens and their gradient.
   */
  long mapperActivations(int images) {
    long z = mapper.prefixLength() + vision.patches();
    long perImage = z * mapper.dimClip() * 2 // inputs: prompts + features
        + 24 * z * mapper.dimLlm() // q, k, v, merged heads, attention output, residual, two LayerNorms, Wo, leaky ReLU, backward transients
        + 5L * mapper.numHeads() * z * z; // scores, scaled, probabilities and their gradients
    long graphs = recompute ? Math.min(images, MAPPER_IMAGES_PER_PASS) * perImage + 2L * images * mapper.prefixLength() * mapper.dimLlm()
        : images * perImage;
    return graphs + (long) images * vision.patches() * vision.hiddenSize() + 2 * mapperParameters();
  }

  /**
   * Device bytes left for one micro-batch's activations: the device minus the runtime's reserve, what the
   * stage holds throughout, the feature cache and one vision-tower batch (run before the decoder's pass).
   */
  public long activationBudget(MemoryBudget budget, int innerSteps, int visionBatch) {
    return budget.deviceBytes() - budget.reserveBytes() - residentBytes(innerSteps) - budget.featureCacheBytes()
        - visionBytes(visionBatch);
  }

  /**
   * Sizes of consecutive micro-batches of {@code batch}, each as large as fits {@code budget}; an example
   * that does not fit alone still gets its own (PlanCheck refuses plans where that can happen).
   */
  public List<Integer> microBatches(List<TokenizedExample> batch, long budget) {
    return split(batch.stream().map(this::chunk).toList(), budget);
  }

  /** As {@link #microBatches}, for sequences given by their shapes. */
  public List<Integer> split(List<Chunk> sequences, long budget) {
    List<Integer> sizes = new ArrayList<>();
    Chunk open = null;
    int n = 0;
    for (Chunk c : sequences) {
      if (open != null && activationBytes(open.plus(c)) > budget) {
        sizes.add(n);
        open = null;
        n = 0;
      }
      open = open == null ? c : open.plus(c);
      n++;
    }
    if (n > 0) sizes.add(n);
    return sizes;
  }

  /** The vision tower's forward (no graph) over a batch of images, done before the decoder's pass. */
  public long visionBytes(int images) {
    long t = vision.patches() + 1L;
    return FLOAT * images * (t * (10L * vision.hiddenSize() + 2L * vision.intermediateSize())
        + 2L * vision.numAttentionHeads() * t * t);
  }
}
