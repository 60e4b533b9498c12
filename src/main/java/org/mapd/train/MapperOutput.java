package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.mapd.Json;
import org.mapd.model.MapperConfig;
import org.mapd.model.Safetensors;

/** The final files of a mapper stage: OUT/mm_projector.safetensors and OUT/config.json. */
final class MapperOutput {
  static final String WEIGHTS = "mm_projector.safetensors";
  static final String CONFIG = "config.json";

  /**
   * config.json of a finished mapper.
   *
   * @param stage pretrain, a strategy name, or modelavg for an average
   * @param dataset the only dataset of a ModelAvg member run, else null
   * @param members averaged mapper folders (ModelAvg), else null
   * @param weights normalised averaging weights (ModelAvg), else null
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Config(MapperConfig mapper, String stage, String dataset, String fidelity, long steps, double finalLoss,
      List<String> members, List<Double> weights) {}

  private MapperOutput() {}

  /** The finished stage in {@code out}, if both files exist (a retried activity returns at once). */
  static MapperCheckpoint finished(Path out) {
    if (!Files.exists(out.resolve(WEIGHTS)) || !Files.exists(out.resolve(CONFIG))) return null;
    Config c = Json.read(out.resolve(CONFIG), Config.class);
    return new MapperCheckpoint(out.toString(), c.steps(), c.finalLoss());
  }

  /** Writes the weights first and config.json last, so config.json marks a complete output. */
  static MapperCheckpoint write(Path out, Map<String, NDArray> tensors, Config config) {
    Safetensors.save(out.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
    Json.writeAtomic(out.resolve(CONFIG), config);
    return new MapperCheckpoint(out.toString(), config.steps(), config.finalLoss());
  }

  static Config config(Path dir) {
    return Json.read(dir.resolve(CONFIG), Config.class);
  }

  /** The 13 mapper tensors of a finished mapper folder (learned rates left out). */
  static Map<String, NDArray> mapperTensors(Path dir, NDManager manager) {
    Map<String, NDArray> all = new java.util.LinkedHashMap<>(Safetensors.load(manager, dir.resolve(WEIGHTS)));
    all.keySet().removeIf(MetaLearner::isRate);
    return all;
  }
}
