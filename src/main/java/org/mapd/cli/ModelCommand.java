package org.mapd.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.mapd.model.DecoderConfig;
import org.mapd.model.Decoding;
import org.mapd.model.KvCache;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.Safetensors;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Inspection of the hand-written forward passes: writes their tensors in HuggingFace's naming for comparison. */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = "Runs a backbone on given inputs and writes its outputs to a safetensors file, for comparison "
        + "with HuggingFace transformers.",
    subcommands = {ModelCommand.Forward.class, ModelCommand.Vision.class})
final class ModelCommand {

  @Command(name = "forward", mixinStandardHelpOptions = true,
      description = {"Qwen2 decoder on one unpadded sequence (batch 1).",
          "Writes logits [n, vocab], hidden_states_k [n, hidden] for k = 0..L as transformers' output_hidden_states "
              + "(0 = embeddings, L = after the final norm) and, with --generate, greedy [N] (int64)."})
  static final class Forward implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Folder with config.json and model.safetensors (or its sharded index).")
    Path model;

    @Option(names = "--ids", required = true, paramLabel = "ID,ID,...", description = "Input token ids, comma-separated.")
    String ids;

    @Option(names = "--generate", defaultValue = "0", paramLabel = "N",
        description = "Also decode N tokens greedily with the KV cache, never stopping early (default: ${DEFAULT-VALUE}).")
    int generate;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors file.")
    Path out;

    @Override
    public Integer call() {
      requireFolder(model);
      if (generate < 0) throw new IllegalArgumentException("--generate must be >= 0, got " + generate);
      DecoderConfig config = DecoderConfig.load(model);
      int[] tokens = parseIds(ids, config.vocabSize(), model);
      Qwen2Decoder decoder = new Qwen2Decoder(config);
      try (NDManager manager = NDManager.newBaseManager()) {
        Map<String, NDArray> w = Safetensors.load(manager, model, n -> n.startsWith("model.") || n.startsWith("lm_head."));
        Map<String, NDArray> result = new LinkedHashMap<>();
        KvCache cache = generate > 0 ? new KvCache(config.numHiddenLayers()) : null;
        NDList states = decoder.hiddenStates(w, decoder.embed(w, row(manager, tokens)), null, cache); // L+1 x [1,n,H]
        NDArray last = states.get(states.size() - 1);
        result.put("logits", decoder.logits(w, last).squeeze(0)); // [n,V]
        for (int k = 0; k < states.size(); k++) result.put("hidden_states_" + k, states.get(k).squeeze(0)); // [n,H]
        if (generate > 0) {
          int[] greedy = decoder.generate(w, last.get(":, -1:"), cache, Decoding.greedy(generate));
          result.put("greedy", manager.create(Arrays.stream(greedy).asLongStream().toArray())); // [N] int64
        }
        Safetensors.save(out, result, Map.of());
      }
      return 0;
    }
  }

  @Command(name = "vision", mixinStandardHelpOptions = true,
      description = {"CLIP vision tower on normalised pixels.",
          "Writes hidden_states_k [B, tokens, hidden] for k = 0..L (0 = after pre_layrnorm, CLS included) and "
              + "last_hidden_state (before post_layernorm, which LLaVA never applies)."})
  static final class Vision implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--model", required = true, paramLabel = "DIR",
        description = "Folder with config.json (CLIPVisionConfig or CLIPConfig) and model.safetensors.")
    Path model;

    @Option(names = "--pixels", required = true, paramLabel = "FILE",
        description = "Safetensors file holding pixel_values [B, 3, H, W], already normalised.")
    Path pixels;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors file.")
    Path out;

    @Override
    public Integer call() {
      requireFolder(model);
      if (!Files.isRegularFile(pixels)) throw new IllegalArgumentException(pixels + ": pixels file does not exist");
      VisionConfig config = VisionConfig.load(model);
      try (NDManager manager = NDManager.newBaseManager()) {
        NDArray input = Safetensors.load(manager, pixels, "pixel_values"::equals).get("pixel_values");
        if (input == null) throw new IllegalArgumentException(pixels + ": no tensor pixel_values");
        Shape shape = input.getShape();
        if (shape.dimension() != 4 || shape.get(1) != config.numChannels() || shape.get(2) != config.imageSize()
            || shape.get(3) != config.imageSize()) {
          throw new IllegalArgumentException(pixels + ": pixel_values has shape " + input.getShape() + ", the model wants [B, "
              + config.numChannels() + ", " + config.imageSize() + ", " + config.imageSize() + "]");
        }
        Map<String, NDArray> w = Safetensors.load(manager, model, n -> n.startsWith("vision_model."));
        NDList states = new VisionTower(config).hiddenStates(w, input); // L+1 x [B,1+patches,hidden]
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (int k = 0; k < states.size(); k++) result.put("hidden_states_" + k, states.get(k));
        result.put("last_hidden_state", states.get(states.size() - 1));
        Safetensors.save(out, result, Map.of());
      }
      return 0;
    }
  }

  static void requireFolder(Path model) {
    if (!Files.isDirectory(model)) throw new IllegalArgumentException(model + ": model folder does not exist");
  }

  /** "12,149,201" -> ids, each checked against the vocabulary of the model in {@code model}. */
  static int[] parseIds(String text, int vocab, Path model) {
    String[] parts = text.split(",", -1);
    int[] ids = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        ids[i] = Integer.parseInt(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--ids: '" + parts[i].trim() + "' is not an integer");
      }
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException("--ids: id " + ids[i] + " is outside the vocabulary [0, " + vocab + ") of "
            + model.resolve("config.json"));
      }
    }
    return ids;
  }

  private static NDArray row(NDManager manager, int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
    return manager.create(longs, new Shape(1, ids.length)); // [1,n]
  }
}
