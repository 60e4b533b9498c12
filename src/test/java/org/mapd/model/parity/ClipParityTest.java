package org.mapd.model.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mapd.model.parity.Fixtures.F32_TOLERANCE;
import static org.mapd.model.parity.Fixtures.assertClose;
import static org.mapd.model.parity.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapd.model.ModelWeights;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;

/**
 * VisionTower against transformers' CLIPVisionModel, and the vision half of a whole CLIPModel checkpoint, each as
 * safetensors and as pytorch_model.bin (F32, BF16, F16, and sharded with pytorch_model.bin.index.json), read through
 * ModelWeights as the production loader does.
 */
class ClipParityTest {
  static NDManager manager;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  @ParameterizedTest
  @ValueSource(strings = {"clip-vision", "clip-full", "clip-vision-bin", "clip-vision-bf16-bin", "clip-vision-f16-bin",
      "clip-full-bin-sharded"})
  void everyHiddenStateAndLlavaFeaturesMatchTransformers(String fixture) {
    Path dir = Fixtures.dir(fixture);
    VisionConfig c = VisionConfig.load(dir); // clip-full nests it under vision_config, with defaults omitted
    assertEquals(new VisionConfig(32, 64, 2, 4, 3, 32, 8, "quick_gelu", 1e-5), c);
    Map<String, NDArray> w = ModelWeights.load(manager, dir, n -> n.startsWith("vision_model."));
    assertEquals(fixture.contains("bin"), ModelWeights.find(dir).format().name().startsWith("TORCH"), "format read");
    Map<String, Shape> shapes = VisionTower.shapes(c);
    // transformers also saves post_layernorm, which LLaVA never reads; everything the tower reads must be there.
    shapes.forEach((name, shape) -> assertEquals(shape, w.get(name) == null ? null : w.get(name).getShape(), name));
    assertTrue(w.keySet().stream().allMatch(n -> shapes.containsKey(n) || n.startsWith("vision_model.post_layernorm.")),
        "unexpected tensors " + w.keySet());

    Map<String, NDArray> e = Fixtures.expected(manager, dir);
    VisionTower tower = new VisionTower(c);
    NDArray pixels = get(e, "pixel_values"); // [B,3,32,32]
    NDList states = tower.hiddenStates(w, pixels);
    assertEquals(c.numHiddenLayers() + 1, states.size());
    for (int k = 0; k < states.size(); k++) {
      assertClose(fixture + " hidden_states[" + k + "]", get(e, "hidden_states." + k), states.get(k), F32_TOLERANCE);
    }
    assertClose(fixture + " features (hidden_states[-2][:,1:])", get(e, "features"), tower.features(w, pixels), F32_TOLERANCE);
  }
}
