package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Frozen backbones loaded from their folders, ready to compose with a mapper.
 *
 * @param visionWeights vision_model.* tensors
 * @param decoderWeights model.* and lm_head tensors
 */
public record LoadedModel(
    VisionConfig vision,
    DecoderConfig decoder,
    MapperConfig mapper,
    Map<String, NDArray> visionWeights,
    Map<String, NDArray> decoderWeights,
    TextTokenizer tokenizer,
    Llava llava) implements AutoCloseable {

  /**
   * Loads config.json, the weights (safetensors or pytorch_model.bin, sharded or not: {@link ModelWeights}) and
   * tokenizer.json from the two folders; checks shapes against the mapper.
   */
  public static LoadedModel load(Backbones backbones, MapperConfig mapper, NDManager manager) {
    Path visionDir = Path.of(backbones.vision());
    Path llmDir = Path.of(backbones.llm());
    VisionConfig vision = VisionConfig.load(visionDir);
    DecoderConfig decoder = DecoderConfig.load(llmDir);
    if (mapper.dimClip() != vision.hiddenSize()) {
      throw new IllegalArgumentException("mapper dimClip " + mapper.dimClip() + " does not match the vision hidden size "
          + vision.hiddenSize() + " of " + visionDir);
    }
    if (mapper.dimLlm() != decoder.hiddenSize()) {
      throw new IllegalArgumentException("mapper dimLlm " + mapper.dimLlm() + " does not match the decoder hidden size "
          + decoder.hiddenSize() + " of " + llmDir);
    }
    // The openai CLIP repos also hold the text tower: keep only the vision tensors.
    Map<String, NDArray> visionW = ModelWeights.load(manager, visionDir, n -> n.startsWith("vision_model."));
    checkShapes(visionDir, VisionTower.shapes(vision), visionW);
    Map<String, NDArray> decoderW = ModelWeights.load(manager, llmDir, n -> n.startsWith("model.") || n.startsWith("lm_head."));
    checkShapes(llmDir, Qwen2Decoder.shapes(decoder), decoderW);
    Path tokenizerJson = llmDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizerJson)) throw new IllegalArgumentException(llmDir + ": tokenizer.json not found");
    TextTokenizer tokenizer = TextTokenizer.load(tokenizerJson);
    if (tokenizer.vocabSize() > decoder.vocabSize()) {
      tokenizer.close();
      throw new IllegalArgumentException(tokenizerJson + ": " + tokenizer.vocabSize() + " tokens exceed the decoder vocab_size "
          + decoder.vocabSize());
    }
    return new LoadedModel(vision, decoder, mapper, visionW, decoderW, tokenizer, new Llava(vision, decoder, mapper));
  }

  static void checkShapes(Path dir, Map<String, Shape> expected, Map<String, NDArray> actual) {
    for (Map.Entry<String, Shape> e : expected.entrySet()) {
      NDArray a = actual.get(e.getKey());
      if (a == null) throw new IllegalArgumentException(dir + ": tensor " + e.getKey() + " is missing");
      if (!a.getShape().equals(e.getValue())) {
        throw new IllegalArgumentException(dir + ": tensor " + e.getKey() + " has shape " + a.getShape() + ", expected " + e.getValue());
      }
    }
  }

  @Override
  public void close() { tokenizer.close(); }
}
