package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/** CLIP ViT forward pass over named HF tensors (vision_model.*), method.md §9. */
public final class VisionTower {
  private static final String P = "vision_model.";
  private final VisionConfig config;

  public VisionTower(VisionConfig config) { this.config = config; }

  /** HF names and shapes of every tensor the forward pass reads (no post_layernorm: LLaVA never uses it). */
  public static Map<String, Shape> shapes(VisionConfig c) {
    int h = c.hiddenSize();
    Map<String, Shape> s = new LinkedHashMap<>();
    s.put(P + "embeddings.class_embedding", new Shape(h));
    s.put(P + "embeddings.patch_embedding.weight", new Shape(h, c.numChannels(), c.patchSize(), c.patchSize()));
    s.put(P + "embeddings.position_embedding.weight", new Shape(c.patches() + 1, h));
    s.put(P + "pre_layrnorm.weight", new Shape(h));
    s.put(P + "pre_layrnorm.bias", new Shape(h));
    for (int i = 0; i < c.numHiddenLayers(); i++) {
      String l = layer(i);
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
        s.put(l + "self_attn." + proj + ".weight", new Shape(h, h));
        s.put(l + "self_attn." + proj + ".bias", new Shape(h));
      }
      s.put(l + "layer_norm1.weight", new Shape(h));
      s.put(l + "layer_norm1.bias", new Shape(h));
      s.put(l + "mlp.fc1.weight", new Shape(c.intermediateSize(), h));
      s.put(l + "mlp.fc1.bias", new Shape(c.intermediateSize()));
      s.put(l + "mlp.fc2.weight", new Shape(h, c.intermediateSize()));
      s.put(l + "mlp.fc2.bias", new Shape(h));
      s.put(l + "layer_norm2.weight", new Shape(h));
      s.put(l + "layer_norm2.bias", new Shape(h));
    }
    return s;
  }

  /** Mini warm-up init: N(0, 0.02) weights, zero biases, LayerNorm 1/0, from java.util.Random(seed). */
  public static Map<String, NDArray> init(VisionConfig config, NDManager manager, long seed) {
    return Ops.initNamed(shapes(config), name -> (name.contains("layer_norm") || name.contains("layrnorm"))
        ? Float.valueOf(name.endsWith("weight") ? 1f : 0f) : name.endsWith(".bias") ? Float.valueOf(0f) : null,
        manager, seed);
  }

  /** pixels [B,3,H,W] -> L+1 arrays [B,1+patches,hidden]; 0 = after pre_layrnorm. */
  public NDList hiddenStates(Map<String, NDArray> w, NDArray pixels) {
    return run(w, pixels, config.numHiddenLayers());
  }

  /** LLaVA's features: hidden_states[-2] without CLS -> [B,patches,hidden]. */
  public NDArray features(Map<String, NDArray> w, NDArray pixels) {
    NDList states = run(w, pixels, config.numHiddenLayers() - 1); // the last layer's output is never used
    return states.get(states.size() - 1).get(":, 1:");
  }

  private NDList run(Map<String, NDArray> w, NDArray pixels, int layers) {
    int b = Math.toIntExact(pixels.getShape().get(0));
    int c = config.numChannels();
    int p = config.patchSize();
    int g = config.imageSize() / p;
    int h = config.hiddenSize();
    // Patch conv with stride = kernel = a matmul over flattened patches (no bias in CLIP).
    NDArray patches = pixels.reshape(b, c, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(b, g * g, c * p * p); // [B,g*g,C*p*p]
    NDArray kernel = get(w, P + "embeddings.patch_embedding.weight").reshape(h, c * p * p); // [hidden,C*p*p]
    NDArray x = Ops.linear(patches, kernel, null); // [B,patches,hidden]
    NDArray cls = get(w, P + "embeddings.class_embedding").reshape(1, 1, h).broadcast(b, 1, h); // [B,1,hidden]
    x = Ops.concat(cls, x, 1).add(get(w, P + "embeddings.position_embedding.weight")); // [B,1+patches,hidden]
    x = Ops.layerNorm(x, get(w, P + "pre_layrnorm.weight"), get(w, P + "pre_layrnorm.bias"), config.layerNormEps());
    NDList states = new NDList(x);
    NDArray scale = Ops.scalar(x, 1.0 / Math.sqrt(config.headDim()));
    NDArray gelu = Ops.scalar(x, 1.702);
    for (int i = 0; i < layers; i++) {
      String l = layer(i);
      NDArray n = Ops.layerNorm(x, get(w, l + "layer_norm1.weight"), get(w, l + "layer_norm1.bias"), config.layerNormEps());
      NDArray q = Ops.splitHeads(proj(w, l + "self_attn.q_proj", n), config.numAttentionHeads()); // [B,heads,T,d]
      NDArray k = Ops.splitHeads(proj(w, l + "self_attn.k_proj", n), config.numAttentionHeads());
      NDArray v = Ops.splitHeads(proj(w, l + "self_attn.v_proj", n), config.numAttentionHeads());
      x = x.add(proj(w, l + "self_attn.out_proj", Ops.mergeHeads(Ops.attention(q, k, v, scale, null))));
      n = Ops.layerNorm(x, get(w, l + "layer_norm2.weight"), get(w, l + "layer_norm2.bias"), config.layerNormEps());
      NDArray up = proj(w, l + "mlp.fc1", n); // [B,T,intermediate]
      NDArray act = up.mul(Activation.sigmoid(up.mul(gelu))); // quick_gelu
      x = x.add(proj(w, l + "mlp.fc2", act));
      states.add(x);
    }
    return states;
  }

  private static NDArray proj(Map<String, NDArray> w, String name, NDArray x) {
    return Ops.linear(x, get(w, name + ".weight"), get(w, name + ".bias"));
  }

  private static String layer(int i) { return P + "encoder.layers." + i + "."; }

  private static NDArray get(Map<String, NDArray> w, String name) {
    NDArray a = w.get(name);
    if (a == null) throw new IllegalArgumentException("vision tower: missing tensor " + name);
    return a;
  }
}
