package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadedModelTest {
  @TempDir Path dir;

  @Test
  void miniConfigsBindFromTheRepository() {
    VisionConfig v = VisionConfig.load(Path.of("conf/mini/vision"));
    assertEquals(new VisionConfig(32, 64, 3, 4, 3, 32, 8, "quick_gelu", 1e-5), v);
    assertEquals(16, v.patches());
    DecoderConfig d = DecoderConfig.load(Path.of("conf/mini/llm"));
    assertEquals(new DecoderConfig(64, 176, 2, 4, 2, 512, 1024, 1e-6, 10000.0, false), d);
  }

  @Test
  void miniPlanBackbonesLoadFromTheRepository() {
    // The committed stand-ins for CLIP and Qwen (tools/mini_backbones.sh): every tensor present with its shape.
    MapperConfig mapper = org.mapd.Json.read(Path.of("conf/mini/mapper.json"), MapperConfig.class);
    try (NDManager m = NDManager.newBaseManager();
        LoadedModel model = LoadedModel.load(new Backbones("conf/mini/vision", "conf/mini/llm"), mapper, m)) {
      assertEquals(VisionTower.shapes(model.vision()).keySet(), model.visionWeights().keySet());
      assertEquals(Qwen2Decoder.shapes(model.decoder()).keySet(), model.decoderWeights().keySet());
      assertTrue(model.tokenizer().vocabSize() <= model.decoder().vocabSize());
    }
  }

  @Test
  void clipConfigWithNestedVisionPartAndDefaults() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"clip\",\"text_config\":{},\"vision_config\":"
        + "{\"hidden_size\":1024,\"intermediate_size\":4096,\"num_hidden_layers\":24,\"num_attention_heads\":16,"
        + "\"image_size\":336,\"patch_size\":14,\"projection_dim\":768}}");
    VisionConfig v = VisionConfig.load(dir);
    assertEquals(576, v.patches());
    assertEquals(3, v.numChannels());
    assertEquals("quick_gelu", v.hiddenAct());
    assertEquals(1e-5, v.layerNormEps());
  }

  @Test
  void decoderConfigErrorsNameTheFile() throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"qwen2\",\"hidden_size\":64}");
    var e = assertThrows(IllegalArgumentException.class, () -> DecoderConfig.load(dir));
    assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("lacks num_attention_heads"), e.getMessage());
    var missing = assertThrows(IllegalArgumentException.class, () -> DecoderConfig.load(dir.resolve("nowhere")));
    assertTrue(missing.getMessage().contains("config.json"));
  }

  @Test
  void loadsSavedBackbonesAndChecksThem() throws Exception {
    Path vision = Files.createDirectories(dir.resolve("vision"));
    Path llm = Files.createDirectories(dir.resolve("llm"));
    Files.copy(Path.of("conf/mini/vision/config.json"), vision.resolve("config.json"));
    Files.copy(Path.of("conf/mini/llm/config.json"), llm.resolve("config.json"));
    MapperConfig mapper = new MapperConfig(8, 32, 64);
    try (NDManager m = NDManager.newBaseManager()) {
      VisionConfig vc = VisionConfig.load(vision);
      DecoderConfig dc = DecoderConfig.load(llm);
      Map<String, NDArray> vw = new LinkedHashMap<>(VisionTower.init(vc, m, 1));
      vw.put("text_model.embeddings.token_embedding.weight", m.zeros(new Shape(3, 2))); // ignored, as in the openai repo
      Safetensors.save(vision.resolve("model.safetensors"), vw, Map.of("format", "pt"));
      Map<String, NDArray> dw = Qwen2Decoder.init(dc, m, 2);
      Safetensors.save(llm.resolve("model.safetensors"), dw, Map.of("format", "pt"));
      TextTokenizer.writeWordLevel(llm.resolve("tokenizer.json"), List.of("red", "cat"));
      try (LoadedModel model = LoadedModel.load(new Backbones(vision.toString(), llm.toString()), mapper, m)) {
        assertFalse(model.visionWeights().containsKey("text_model.embeddings.token_embedding.weight"));
        assertEquals(dw.keySet(), model.decoderWeights().keySet());
        assertEquals(2, model.tokenizer().id("<|im_end|>"));
        NDArray pixels = m.create(ImageProcessor.process(new int[32][32][3], 32, false), new Shape(1, 3, 32, 32));
        NDArray feats = model.llava().visionTower().features(model.visionWeights(), pixels);
        assertEquals(new Shape(1, 16, 32), feats.getShape());
        ChatTemplate t = new ChatTemplate(model.tokenizer(), true, mapper.prefixLength());
        int[] answer = model.llava().generate(model.decoderWeights(), AttentionMapper.init(mapper, m, 3),
            List.of(t.prompt("<image>\nred")), feats, new Decoding(3, 1, t.endIds(), 1.0)).get(0);
        assertTrue(answer.length <= 3);
      }
      var e = assertThrows(IllegalArgumentException.class,
          () -> LoadedModel.load(new Backbones(vision.toString(), llm.toString()), new MapperConfig(8, 32, 128), m));
      assertTrue(e.getMessage().contains("dimLlm 128"), e.getMessage());
      dw = new LinkedHashMap<>(dw);
      dw.put("model.norm.weight", m.ones(new Shape(63)));
      Safetensors.save(llm.resolve("model.safetensors"), dw, Map.of());
      e = assertThrows(IllegalArgumentException.class,
          () -> LoadedModel.load(new Backbones(vision.toString(), llm.toString()), mapper, m));
      assertTrue(e.getMessage().contains("model.norm.weight has shape (63)"), e.getMessage());
    }
  }
}
