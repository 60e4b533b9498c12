package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.model.MapperConfig;
import org.mapd.model.Safetensors;

class ModelAverageTest {
  static Path mapper(Path dir, NDManager m, float a, float b, double loss) {
    Map<String, NDArray> t = new LinkedHashMap<>();
    t.put("model.mm_projector.vars.0", m.create(new float[] {a, b}));
    t.put("model.mm_projector.vars.1", m.create(new float[] {b}));
    t.put(MetaLearner.rateKey("model.mm_projector.vars.0"), m.create(new float[] {0.1f, 0.1f}));
    MapperOutput.write(dir, t, new MapperOutput.Config(new MapperConfig(4, 8, 8), "modelavg", "x", "authors", 3, loss, null, null));
    return dir;
  }

  @Test
  void weightedAverageIsExactAndNormalised(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      Path p1 = mapper(dir.resolve("a"), m, 1f, 2f, 1.0);
      Path p2 = mapper(dir.resolve("b"), m, 5f, -2f, 3.0);
      MapperCheckpoint c = ModelAverage.run(List.of(p1, p2), List.of(1.0, 3.0), dir.resolve("avg"));
      Map<String, NDArray> avg = Safetensors.load(m, Path.of(c.dir()).resolve(MapperOutput.WEIGHTS));
      assertEquals(2, avg.size()); // learned rates of members are not averaged
      assertArrayEquals(new float[] {0.25f * 1 + 0.75f * 5, 0.25f * 2 + 0.75f * -2}, avg.get("model.mm_projector.vars.0").toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {0.25f * 2 + 0.75f * -2}, avg.get("model.mm_projector.vars.1").toFloatArray(), 1e-6f);
      MapperOutput.Config cfg = MapperOutput.config(Path.of(c.dir()));
      assertEquals(List.of(0.25, 0.75), cfg.weights());
      assertEquals(2.5, c.finalLoss(), 1e-12);
      assertEquals(List.of(p1.toString(), p2.toString()), cfg.members());
      assertThrows(IllegalArgumentException.class, () -> ModelAverage.run(List.of(p1, p2), List.of(1.0), dir.resolve("bad")));
      assertThrows(IllegalArgumentException.class, () -> ModelAverage.run(List.of(p1, p2), List.of(0.0, 0.0), dir.resolve("bad")));
    }
  }
}
