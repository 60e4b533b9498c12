package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file of a HuggingFace folder the weights come from, on copies of transformers' own fixture files. */
class ModelWeightsTest {
  static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(ModelWeightsTest.class.getResource("/parity/" + name).toURI());
  }

  @Test
  void safetensorsWinOverPytorchModelBinLikeTransformers() throws Exception {
    String name = "vision_model.encoder.layers.0.mlp.fc1.weight";
    // The .bin holds the BF16-rounded weights, the safetensors the F32 ones: the values tell which file was read.
    Files.copy(fixture("clip-vision-bf16-bin").resolve("pytorch_model.bin"), dir.resolve("pytorch_model.bin"));
    assertEquals(new ModelWeights.Source(dir.resolve("pytorch_model.bin"), ModelWeights.Format.TORCH), ModelWeights.find(dir));
    float[] bf16 = ModelWeights.load(manager, dir, name::equals).get(name).toFloatArray();

    Files.copy(fixture("clip-vision").resolve("model.safetensors"), dir.resolve("model.safetensors"));
    assertEquals(ModelWeights.Format.SAFETENSORS, ModelWeights.find(dir).format());
    Map<String, NDArray> w = ModelWeights.load(manager, dir, name::equals);
    assertEquals(1, w.size());
    float[] f32 = w.get(name).toFloatArray();
    assertArrayEquals(Safetensors.load(manager, fixture("clip-vision"), name::equals).get(name).toFloatArray(), f32);
    assertFalse(Arrays.equals(bf16, f32), "the BF16 .bin differs, so the safetensors file was read");
  }

  @Test
  void shardedFoldersOfBothFormatsAreFound() throws Exception {
    assertEquals(ModelWeights.Format.SAFETENSORS_SHARDED, ModelWeights.find(fixture("qwen2-tied")).format());
    Path bin = fixture("clip-full-bin-sharded");
    assertEquals(new ModelWeights.Source(bin.resolve("pytorch_model.bin.index.json"), ModelWeights.Format.TORCH_SHARDED),
        ModelWeights.find(bin));
    Map<String, NDArray> all = ModelWeights.load(manager, bin, n -> true);
    Map<String, NDArray> vision = ModelWeights.load(manager, bin, n -> n.startsWith("vision_model."));
    assertTrue(all.keySet().containsAll(vision.keySet()) && all.size() > vision.size() && vision.size() > 10);
  }

  @Test
  void aFolderWithoutWeightsNamesWhatWasLookedFor() throws IOException {
    var e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.find(dir));
    assertEquals(dir + ": no model.safetensors, model.safetensors.index.json, pytorch_model.bin or pytorch_model.bin.index.json",
        e.getMessage());
  }
}
