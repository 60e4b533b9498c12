package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Strategy;

/** ModelAvg: weighted parameter average of per-dataset mappers (method.md §2; weights normalised to sum 1). */
public final class ModelAverage {
  private ModelAverage() {}

  /** @param weights one non-negative weight per mapper (e.g. dataset sizes), or null for equal weights */
  public static MapperCheckpoint run(List<Path> mappers, List<Double> weights, Path out) {
    if (mappers.isEmpty()) throw new IllegalArgumentException("ModelAvg needs at least one mapper");
    if (weights != null && weights.size() != mappers.size()) {
      throw new IllegalArgumentException("ModelAvg: " + weights.size() + " weights for " + mappers.size() + " mappers");
    }
    double sum = 0;
    for (int i = 0; i < mappers.size(); i++) {
      double w = weights == null ? 1 : weights.get(i);
      if (!(w >= 0)) throw new IllegalArgumentException("ModelAvg: weight " + w + " must be >= 0");
      sum += w;
    }
    if (sum <= 0) throw new IllegalArgumentException("ModelAvg: weights sum to 0");
    List<Double> normalised = new ArrayList<>();
    for (int i = 0; i < mappers.size(); i++) normalised.add((weights == null ? 1 : weights.get(i)) / sum);
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> avg = new LinkedHashMap<>();
      double loss = 0;
      for (int i = 0; i < mappers.size(); i++) {
        Map<String, NDArray> m = MapperOutput.mapperTensors(mappers.get(i), manager);
        if (i > 0 && !m.keySet().equals(avg.keySet())) {
          throw new IllegalArgumentException(mappers.get(i) + ": tensors " + m.keySet() + " differ from " + avg.keySet());
        }
        for (Map.Entry<String, NDArray> e : m.entrySet()) {
          NDArray scaled = e.getValue().mul(normalised.get(i));
          NDArray acc = avg.get(e.getKey());
          if (acc == null) avg.put(e.getKey(), scaled);
          else acc.addi(scaled);
        }
        loss += normalised.get(i) * MapperOutput.config(mappers.get(i)).finalLoss();
      }
      MapperOutput.Config first = MapperOutput.config(mappers.get(0));
      MapperOutput.Config config = new MapperOutput.Config(first.mapper(), Strategy.MODELAVG.json(), null, first.fidelity(), 0, loss,
          mappers.stream().map(Path::toString).toList(), normalised);
      return MapperOutput.write(out, avg, config);
    }
  }
}
