package org.mapd.model.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mapd.model.parity.Fixtures.F32_TOLERANCE;
import static org.mapd.model.parity.Fixtures.assertClose;
import static org.mapd.model.parity.Fixtures.get;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapd.model.Backbones;
import org.mapd.model.LoadedModel;
import org.mapd.model.MapperConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.TextTokenizer;

/**
 * LoadedModel.load on transformers' folders: a whole CLIPModel (text tower included; as model.safetensors and as
 * pytorch_model.bin shards with their index, as the openai repos publish it) and a Qwen2 checkpoint.
 */
class LoadedModelParityTest {
  @TempDir Path llm;

  @ParameterizedTest
  @ValueSource(strings = {"clip-full", "clip-full-bin-sharded"})
  void productionLoaderReadsTransformersFoldersAndReproducesTheirOutputs(String clipFixture) throws IOException {
    // save_pretrained writes no tokenizer; the loader wants one beside the weights, so pair the checkpoint with a small one.
    Path qwen = Fixtures.dir("qwen2-untied");
    for (String f : List.of("config.json", "model.safetensors")) Files.copy(qwen.resolve(f), llm.resolve(f));
    TextTokenizer.writeWordLevel(llm.resolve("tokenizer.json"), List.of("a", "cat"));
    Path clip = Fixtures.dir(clipFixture);
    try (NDManager manager = NDManager.newBaseManager();
        LoadedModel model = LoadedModel.load(new Backbones(clip.toString(), llm.toString()), new MapperConfig(4, 32, 64), manager)) {
      assertTrue(model.visionWeights().keySet().stream().allMatch(n -> n.startsWith("vision_model.")),
          "text tower leaked into the vision weights: " + model.visionWeights().keySet());
      Map<String, NDArray> ev = Fixtures.expected(manager, clip);
      NDArray features = model.llava().visionTower().features(model.visionWeights(), get(ev, "pixel_values"));
      assertClose("LoadedModel " + clipFixture + " features", get(ev, "features"), features, F32_TOLERANCE);

      Map<String, NDArray> ed = Fixtures.expected(manager, qwen);
      Qwen2Decoder decoder = model.llava().decoder();
      NDArray ids = get(ed, "input_ids").toType(DataType.INT64, false); // [1,T]
      NDArray hidden = decoder.forward(model.decoderWeights(), decoder.embed(model.decoderWeights(), ids), null, null);
      assertClose("LoadedModel qwen2-untied logits", get(ed, "logits"), decoder.logits(model.decoderWeights(), hidden), F32_TOLERANCE);
    }
  }
}
