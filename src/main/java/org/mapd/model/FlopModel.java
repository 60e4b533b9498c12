package org.mapd.model;

/**
 * Floating-point operations of the model's passes, counted analytically: 2*m*n*k per matmul, elementwise
 * work ignored, attention over the whole sequence (the causal mask saves nothing in a dense kernel).
 * Backward through the frozen backbones needs input gradients only: 1x forward for every linear layer
 * and lm_head, 2x for the two attention matmuls (both operands are activations); the trained mapper's
 * backward counts 2x its forward.
 */
public record FlopModel(VisionConfig vision, DecoderConfig decoder, MapperConfig mapper) {
  /** The decoder's layers on one sequence of {@code t} tokens, split into linear and attention matmuls. */
  double[] decoderLayers(long t) {
    double h = decoder.hiddenSize();
    double kv = (double) decoder.numKeyValueHeads() * decoder.headDim();
    double linear = 2.0 * t * (h * h + 2 * h * kv + h * h + 3 * h * decoder.intermediateSize()); // q,k,v,o; gate,up,down
    double attention = 2.0 * 2 * t * t * h; // scores and context over every head
    return new double[] {decoder.numHiddenLayers() * linear, decoder.numHiddenLayers() * attention};
  }

  /** lm_head over {@code rows} positions. */
  public double head(long rows) {
    return 2.0 * rows * decoder.hiddenSize() * decoder.vocabSize();
  }

  /** The mapper's forward for one image. */
  public double mapperForward() {
    double z = mapper.prefixLength() + vision.patches();
    return 2 * z * mapper.dimClip() * mapper.dimLlm() * 3 + 2 * 2 * z * z * mapper.dimLlm() + 2 * z * mapper.dimLlm() * mapper.dimLlm();
  }

  /** The vision tower's forward for one image, up to the layer LLaVA reads (the second to last). */
  public double visionForward() {
    double t = vision.patches() + 1;
    double h = vision.hiddenSize();
    double perLayer = 2 * t * (4 * h * h + 2 * h * vision.intermediateSize()) + 2 * 2 * t * t * h;
    double patchEmbedding = 2.0 * vision.patches() * vision.numChannels() * vision.patchSize() * vision.patchSize() * h;
    return patchEmbedding + (vision.numHiddenLayers() - 1) * perLayer;
  }

  /**
   * One training sequence through mapper and decoder: forward, backward with input gradients only, and with
   * activation checkpointing one more forward of the layers.
   *
   * @param t tokens (images expanded), {@code supervised} of them through lm_head, {@code images} images
   */
  public double trainSequence(long t, long supervised, int images, boolean recompute) {
    double[] layers = decoderLayers(t);
    double forward = layers[0] + layers[1];
    double backward = layers[0] + 2 * layers[1];
    return forward + backward + (recompute ? forward : 0) + 2 * head(supervised) + 3 * images * mapperForward();
  }

  /** A micro-batch as it runs: every sequence padded to the longest. */
  public double trainBatch(MemoryModel.Chunk c, boolean recompute) {
    return c.sequences() * trainSequence(c.length(), 0, 0, recompute) + 2 * head(c.supervised())
        + 3.0 * c.images() * mapperForward();
  }

  /** Forward only (a prompt's prefill, without generation). */
  public double forwardSequence(long t, long headRows, int images) {
    double[] layers = decoderLayers(t);
    return layers[0] + layers[1] + head(headRows) + images * mapperForward();
  }

  /** One generated token with a KV cache after {@code past} positions: one position through every layer. */
  public double decodeToken(long past) {
    double h = decoder.hiddenSize();
    double kv = (double) decoder.numKeyValueHeads() * decoder.headDim();
    double linear = 2.0 * (h * h + 2 * h * kv + h * h + 3 * h * decoder.intermediateSize());
    double attention = 2.0 * 2 * (past + 1) * h;
    return decoder.numHiddenLayers() * (linear + attention) + head(1);
  }
}
