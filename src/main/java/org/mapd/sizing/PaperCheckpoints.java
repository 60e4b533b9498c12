package org.mapd.sizing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.mapd.Json;
import org.mapd.model.DecoderConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.Safetensors;
import org.mapd.model.TorchCheckpoint;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;

/**
 * Random-weight checkpoints with the paper backbones' exact configs, cut to a few layers, in the formats
 * they are published in: CLIP ViT-L/14-336 as pytorch_model.bin (the openai repository has no safetensors)
 * and Qwen2.5-7B-Instruct as sharded BF16 safetensors with model.safetensors.index.json and its real
 * vocabulary. Weights are uniform with the 0.02 standard deviation of an HF init, norms 1, biases 0: what
 * the rehearsal measures (memory, time, code paths) does not depend on their values.
 */
public final class PaperCheckpoints {
  /** Published shard size of the Qwen2.5 checkpoints (4 GB). */
  private static final long SHARD_BYTES = 4_000_000_000L;

  private PaperCheckpoints() {}

  /**
   * @param conf the paper conf folder, with llm/config.json, llm/tokenizer.json and vision/config.json
   * @return the written folders: vision, llm
   */
  public static Path[] write(Path conf, Path out, int decoderLayers, int visionLayers, long seed) {
    Path vision = out.resolve("clip-vit-large-patch14-336");
    Path llm = out.resolve("Qwen2.5-7B-Instruct");
    try {
      if (!Files.exists(vision.resolve(TorchCheckpoint.WEIGHTS))) writeVision(conf.resolve("vision"), vision, visionLayers, seed);
      if (!Files.exists(llm.resolve("model.safetensors.index.json"))) writeDecoder(conf.resolve("llm"), llm, decoderLayers, seed + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write rehearsal checkpoints under " + out, e);
    }
    return new Path[] {vision, llm};
  }

  private static void writeVision(Path confDir, Path dir, int layers, long seed) throws IOException {
    Files.createDirectories(dir);
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(confDir.resolve("config.json").toFile());
    ((ObjectNode) config.get("vision_config")).put("num_hidden_layers", layers);
    VisionConfig v = VisionConfig.of(config, dir);
    Map<String, Shape> shapes = new LinkedHashMap<>(VisionTower.shapes(v));
    // Parts of the published CLIPModel that LLaVA never reads: the loader must skip them.
    shapes.put("vision_model.post_layernorm.weight", new Shape(v.hiddenSize()));
    shapes.put("vision_model.post_layernorm.bias", new Shape(v.hiddenSize()));
    shapes.put("visual_projection.weight", new Shape(config.get("projection_dim").asInt(), v.hiddenSize()));
    shapes.put("logit_scale", new Shape());
    // The writer renames its file into place when finished; config.json, written last, marks the folder complete.
    try (NDManager m = NDManager.newBaseManager();
        TorchCheckpoint.Writer w = TorchCheckpoint.writer(dir.resolve(TorchCheckpoint.WEIGHTS))) {
      SplittableRandom random = new SplittableRandom(seed);
      for (Map.Entry<String, Shape> e : shapes.entrySet()) {
        float[] values = new float[Math.toIntExact(e.getValue().size())];
        fill(e.getKey(), random, values, values.length);
        try (NDArray a = m.create(values, e.getValue())) {
          w.add(e.getKey(), a, TorchCheckpoint.Dtype.F32);
        }
      }
      w.finish();
    }
    Json.writeAtomic(dir.resolve("config.json"), config); // last: the folder is complete
  }

  private static void writeDecoder(Path confDir, Path dir, int layers, long seed) throws IOException {
    Files.createDirectories(dir);
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(confDir.resolve("config.json").toFile());
    config.put("num_hidden_layers", layers).put("max_window_layers", layers);
    DecoderConfig c = DecoderConfig.of(config, dir);
    Files.copy(confDir.resolve("tokenizer.json"), dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
    Json.writeAtomic(dir.resolve("generation_config.json"), Json.MAPPER.createObjectNode()
        .put("bos_token_id", 151643).put("do_sample", false).put("pad_token_id", 151643)
        .set("eos_token_id", Json.MAPPER.createArrayNode().add(151645).add(151643)));
    Map<String, SplittableRandom> streams = new LinkedHashMap<>();
    SplittableRandom root = new SplittableRandom(seed);
    Map<String, Shape> shapes = Qwen2Decoder.shapes(c);
    for (String name : shapes.keySet()) streams.put(name, root.split());
    Safetensors.writeShards(dir, shapes, SHARD_BYTES, (name, start, chunk, n) -> fill(name, streams.get(name), chunk, n));
    Json.writeAtomic(dir.resolve("config.json"), config);
  }

  /** Norm weights 1, biases 0, everything else uniform in +-0.02*sqrt(3) (standard deviation 0.02). */
  private static void fill(String name, SplittableRandom random, float[] chunk, int n) {
    boolean norm = name.endsWith("norm.weight") || name.contains("layer_norm") && name.endsWith("weight")
        || name.contains("layrnorm") && name.endsWith("weight");
    boolean zero = name.endsWith(".bias") || name.equals("logit_scale");
    double half = 0.02 * Math.sqrt(3);
    for (int i = 0; i < n; i++) chunk[i] = norm ? 1f : zero ? 0f : (float) ((random.nextDouble() * 2 - 1) * half);
  }
}
