package org.mapd.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.eval.ResultRow;

class ReportTest {
  @TempDir Path dir;

  static Plan plan() {
    return Plan.load(Path.of("workflows/mini.json"));
  }

  Path rows(String name, ResultRow... rows) {
    Path f = dir.resolve(name + "/results.json");
    Json.writeAtomic(f, Map.of("rows", List.of(rows)));
    return f;
  }

  @Test
  void writesTableAveragesResultsJsonAndChart() throws Exception {
    Path mapd = rows("mapd",
        new ResultRow("mapd", "open_mi", "ft", 1, 0.30, 0.40),
        new ResultRow("mapd", "clevr", "ft", 0, 0.10, 0.20),
        new ResultRow("mapd", "clevr", "ft", 1, 0.50, 0.60),
        new ResultRow("mapd", "clevr", "ft", 2, 0.70, 0.90),
        new ResultRow("mapd", "clevr", "icl", 1, 0.25, 0.25));
    Path untrained = rows("untrained", new ResultRow("untrained", "clevr", "ft", 1, 0.0, 0.05));
    Map<String, Double> seconds = new LinkedHashMap<>();
    seconds.put("PrepareData", 12.5);
    seconds.put("Pretrain", 3725.0);

    Path md = Report.write(plan(), List.of(untrained, mapd), seconds, dir.resolve("out"));

    String text = Files.readString(md);
    assertTrue(text.contains("fidelity: **authors**"), text);
    // FT cells: fixed-step then max over steps; average over tasks for shots >= 1 = (0.5+0.7+0.3)/3.
    assertTrue(text.contains("| mapd | 10.0 (max 20.0) | 50.0 (max 60.0) | 70.0 (max 90.0) | – | 30.0 (max 40.0) | – | 50.0 (max 63.3) |"),
        text);
    assertTrue(text.contains("| clevr 1-shot |"), text);
    // Strategies come before references, whatever order the files were given in.
    assertTrue(text.indexOf("| mapd |") < text.indexOf("| untrained |"));
    assertTrue(text.contains("| mapd | 25.0 | 25.0 |"), "ICL section: " + text);
    assertTrue(text.contains("| Pretrain | 3725.0 | 1:02:05 |"), text);

    JsonNode results = Json.MAPPER.readTree(dir.resolve("out/results.json").toFile());
    assertEquals("mini", results.get("plan").asText());
    assertEquals("authors", results.get("fidelity").asText());
    assertEquals(222, results.get("seed").asLong());
    assertEquals(6, results.get("rows").size());
    assertEquals("mapd", results.get("rows").get(0).get("strategy").asText());
    assertEquals(0.4, results.get("rows").get(0).get("accuracy_max_over_steps").asDouble());
    assertEquals(3725.0, results.get("stage_seconds").get("Pretrain").asDouble());

    BufferedImage png = ImageIO.read(dir.resolve("out/accuracy_vs_shots.png").toFile());
    assertEquals(1280, png.getWidth(), "two charts side by side: ICL and FT");
  }

  @Test
  void missingResultsFileIsAnInputError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Report.write(plan(), List.of(dir.resolve("nope.json")), Map.of(), dir.resolve("out")));
    assertTrue(e.getMessage().contains("nope.json"));
  }
}
