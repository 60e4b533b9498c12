package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The weights of a HuggingFace model folder, in whichever format it was published: model.safetensors,
 * model.safetensors.index.json, pytorch_model.bin or pytorch_model.bin.index.json, looked for in that order (as
 * transformers' from_pretrained does: safetensors wins when both are there).
 */
public final class ModelWeights {
  /** The file that holds (or indexes) a folder's weights, and its format. */
  public record Source(Path file, Format format) {}

  public enum Format { SAFETENSORS, SAFETENSORS_SHARDED, TORCH, TORCH_SHARDED }

  private ModelWeights() {}

  /** Which file of {@code dir} the weights come from. */
  public static Source find(Path dir) {
    for (Format f : Format.values()) {
      Path file = dir.resolve(switch (f) {
        case SAFETENSORS -> "model.safetensors";
        case SAFETENSORS_SHARDED -> "model.safetensors.index.json";
        case TORCH -> TorchCheckpoint.WEIGHTS;
        case TORCH_SHARDED -> TorchCheckpoint.INDEX;
      });
      if (Files.isRegularFile(file)) return new Source(file, f);
    }
    throw new IllegalArgumentException(dir + ": no model.safetensors, model.safetensors.index.json, "
        + TorchCheckpoint.WEIGHTS + " or " + TorchCheckpoint.INDEX);
  }

  /** The tensors of a model folder whose names pass {@code keep}, as FP32 (INT64 stays INT64). */
  public static Map<String, NDArray> load(NDManager manager, Path dir, Predicate<String> keep) {
    Source s = find(dir);
    return switch (s.format()) {
      case SAFETENSORS, SAFETENSORS_SHARDED -> Safetensors.load(manager, dir, keep);
      case TORCH, TORCH_SHARDED -> TorchCheckpoint.load(manager, dir, keep);
    };
  }
}
