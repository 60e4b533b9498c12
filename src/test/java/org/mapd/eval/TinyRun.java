package org.mapd.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.model.AttentionMapper;
import org.mapd.model.Backbones;
import org.mapd.model.DecoderConfig;
import org.mapd.model.MapperConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.Safetensors;
import org.mapd.model.TextTokenizer;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;

/**
 * A whole evaluation setup in one folder: conf/ (mapper.json, training.json), random tiny backbones in
 * HF layout, a VL-ICL fixture with images, and a mapper checkpoint with learned rates.
 */
final class TinyRun {
  final Path base;
  final Path vlIcl;
  final Path mapper;
  final Backbones backbones;

  private TinyRun(Path base, Path vlIcl, Path mapper, Backbones backbones) {
    this.base = base;
    this.vlIcl = vlIcl;
    this.mapper = mapper;
    this.backbones = backbones;
  }

  /**
   * @param sizes "tiny" (1 layer each, for tests) or "mini" (the conf/mini shapes, for timing)
   */
  static TinyRun create(Path base, String sizes, int ftSteps, int maxNewTokens, int queriesPerTask, int queriesInData) throws IOException {
    boolean mini = sizes.equals("mini");
    Path conf = base.resolve("conf");
    Files.createDirectories(conf);
    Files.writeString(conf.resolve("mapper.json"), "{\"prefixLength\": 8, \"dimClip\": 32, \"dimLlm\": 64}");
    String stage = "{\"epochs\": 1, \"lr\": 1e-3, \"batchSize\": 1, \"gradAccum\": 1, \"warmupRatio\": 0.0, \"weightDecay\": 0.0,"
        + " \"maxLen\": 256, \"kSupport\": 0, \"kQuery\": 0, \"innerSteps\": 0, \"innerLr\": 0.0, \"innerChunks\": 1,"
        + " \"ictContext\": 0, \"maxSteps\": 0, \"checkpointEvery\": 10}";
    Files.writeString(conf.resolve("training.json"), "{\"pretrain\": " + stage + ", \"strategies\": {}, \"eval\": {\"ftSteps\": "
        + ftSteps + ", \"ftDefaultLr\": 1.0, \"maxNewTokens\": " + maxNewTokens + ", \"queriesPerTask\": " + queriesPerTask
        + ", \"nWay\": 2}, " + org.mapd.train.TinyMemory.JSON + "}");

    Path vlIcl = base.resolve("VL-ICL");
    VlIclFixture.write(vlIcl, queriesInData, true);

    List<String> words = new ArrayList<>(List.of("What", "is", "the", "result", "of", "following", "mathematical",
        "expression?", "size:", "small", "material:", "metal", "shape:", "cube", "color:", "red", "This", "a?", "Answer:",
        "text", "shown", "in", "box?", "dax", "blicket", "wug", "terial:", "You", "are", "helpful", "assistant.", "system",
        "user", "assistant"));
    for (int i = 0; words.size() < 59; i++) words.add(String.valueOf(i));
    Path llm = base.resolve("llm");
    Path vision = base.resolve("vision");
    Files.createDirectories(llm);
    Files.createDirectories(vision);
    TextTokenizer.writeWordLevel(llm.resolve("tokenizer.json"), words);
    int vocab = 5 + words.size();
    Files.writeString(llm.resolve("config.json"), "{\"model_type\": \"qwen2\", \"hidden_size\": 64, \"intermediate_size\": "
        + (mini ? 176 : 96) + ", \"num_hidden_layers\": " + (mini ? 2 : 1) + ", \"num_attention_heads\": 4,"
        + " \"num_key_value_heads\": 2, \"vocab_size\": " + vocab + ", \"max_position_embeddings\": 1024,"
        + " \"rms_norm_eps\": 1e-06, \"rope_theta\": 10000.0, \"tie_word_embeddings\": false}");
    Files.writeString(vision.resolve("config.json"), "{\"hidden_size\": 32, \"intermediate_size\": 64, \"num_hidden_layers\": "
        + (mini ? 3 : 1) + ", \"num_attention_heads\": 4, \"num_channels\": 3, \"image_size\": 32, \"patch_size\": 8,"
        + " \"hidden_act\": \"quick_gelu\", \"layer_norm_eps\": 1e-05}");
    Path mapper = base.resolve("mapper");
    Files.createDirectories(mapper);
    MapperConfig mc = new MapperConfig(8, 32, 64);
    try (NDManager m = NDManager.newBaseManager()) {
      Safetensors.save(llm.resolve("model.safetensors"), Qwen2Decoder.init(DecoderConfig.load(llm), m, 1), Map.of());
      Safetensors.save(vision.resolve("model.safetensors"), VisionTower.init(VisionConfig.load(vision), m, 2), Map.of());
      Map<String, NDArray> ckpt = new LinkedHashMap<>(AttentionMapper.init(mc, m, 3));
      // Learned rates (3 trained steps) for every tensor but the soft prompts, which fall back to ftDefaultLr.
      for (int i = 1; i < Evaluate.MAPPER_TENSORS; i++) {
        ckpt.put(Evaluate.rateKey(AttentionMapper.key(i)), m.create(new float[] {0.05f, 0.04f, 0.03f, 0.02f}));
      }
      Safetensors.save(mapper.resolve(Evaluate.MAPPER_FILE), ckpt, Map.of());
    }
    return new TinyRun(base, vlIcl, mapper, new Backbones(vision.toString(), llm.toString()));
  }

  Plan plan(List<String> tasks, List<Integer> shots, List<Mode> modes) {
    return new Plan("tiny", 222, org.mapd.conf.Fidelity.AUTHORS, "conf", new Plan.Models("vision", "llm", false),
        new Plan.DataPlan(1L, null, "direct", null), List.of(org.mapd.conf.Strategy.MAPD), List.of(),
        new Plan.EvalPlan(tasks, shots, null, modes));
  }
}
