package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;

/**
 * `mapd plan estimate` on the shipped paper plan with the committed statistics of the rehearsal
 * (conf/paper/data-stats.json): every stage fits an 80 GB GPU, and a GPU too small is refused naming the stage.
 */
class PlanEstimateCommandTest {
  @TempDir Path dir;

  @Test
  void everyStageOfThePaperPlanFitsAnEightyGigabyteGpu() throws Exception {
    Path out = dir.resolve("estimate.json");
    StringWriter text = new StringWriter();
    int code = Main.run(new PrintWriter(text, true), new PrintWriter(new StringWriter(), true), "plan", "estimate",
        "--plan", "workflows/paper.json", "--gpus", "4", "--gpu-memory", "80", "--out", out.toString());
    assertEquals(0, code, text.toString());
    JsonNode e = Json.MAPPER.readTree(out.toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode s : e.get("stages")) {
      names.add(s.get("stage").asText());
      for (String f : List.of("examples", "steps", "tokens", "flops", "gpuMemoryGB", "gpuHours")) {
        assertTrue(s.get(f).asDouble() > 0, s.get("stage") + ": " + f);
      }
      assertTrue(s.get("fits").asBoolean() && s.get("worstGpuMemoryGB").asDouble() <= 76, s.toString());
    }
    // Pretrain, 2 references, 4 strategies and their evaluations, 15 ModelAvg members and their evaluation
    assertEquals(1 + 2 + 4 * 2 + 15 + 1, names.size(), names.toString());
    assertTrue(names.containsAll(List.of("Pretrain", "Finetune ict", "Finetune mapd", "Evaluate modelavg")), names.toString());
    JsonNode total = e.get("total");
    double sum = 0;
    for (JsonNode s : e.get("stages")) sum += s.get("gpuHours").asDouble();
    assertEquals(sum, total.get("gpuHours").asDouble(), 1e-6 * sum);
    // four GPUs: no faster than a quarter of the work, no slower than all of it in a row
    assertTrue(total.get("wallHours").asDouble() >= sum / 4 && total.get("wallHours").asDouble() <= sum, total.toString());
  }

  @Test
  void aGpuTooSmallIsRefusedNamingTheStage() {
    StringWriter text = new StringWriter();
    int code = Main.run(new PrintWriter(text, true), new PrintWriter(new StringWriter(), true), "plan", "estimate",
        "--plan", "workflows/paper.json", "--gpu-memory", "24");
    assertEquals(Main.BAD_INPUT, code);
    // 28.4 GiB of FP32 weights alone exceed 24 GB: every stage is named
    assertTrue(text.toString().contains("note: Pretrain does not fit 24.0 GB per GPU"), text.toString());
    assertTrue(text.toString().contains("DOES NOT FIT"), text.toString());
  }
}
