package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.data.PaperScaleData;
import org.mapd.sizing.Rehearsal;
import org.mapd.sizing.RehearsalReport;
import org.mapd.train.DataStats;

/**
 * `mapd rehearse` end to end on the paper plan's settings with tiny backbone configs in their place and the
 * paper-scale generator at 0.05 %: every stage of ReproductionWorkflow runs, and the report and the
 * statistics cover them.
 */
class RehearseCommandTest {
  @TempDir Path dir;

  @Test
  void rehearsesEveryStageAndReportsThem() throws Exception {
    Path conf = dir.resolve("conf");
    Files.createDirectories(conf.resolve("llm"));
    Files.createDirectories(conf.resolve("vision"));
    Files.copy(Path.of("conf/paper/training.json"), conf.resolve("training.json"));
    Files.copy(Path.of("conf/paper/llm/tokenizer.json"), conf.resolve("llm/tokenizer.json"));
    Files.writeString(conf.resolve("mapper.json"), "{\"prefixLength\": 8, \"dimClip\": 32, \"dimLlm\": 64}");
    ObjectNode llm = (ObjectNode) Json.MAPPER.readTree(Path.of("conf/paper/llm/config.json").toFile());
    llm.put("hidden_size", 64).put("intermediate_size", 96).put("num_attention_heads", 4).put("num_key_value_heads", 2);
    Json.writeAtomic(conf.resolve("llm/config.json"), llm);
    ObjectNode vision = (ObjectNode) Json.MAPPER.readTree(Path.of("conf/paper/vision/config.json").toFile());
    ((ObjectNode) vision.get("vision_config")).put("hidden_size", 32).put("intermediate_size", 64)
        .put("num_attention_heads", 4).put("image_size", 32).put("patch_size", 8).put("projection_dim", 16);
    Json.writeAtomic(conf.resolve("vision/config.json"), vision);
    ObjectNode plan = (ObjectNode) Json.MAPPER.readTree(Path.of("workflows/paper.json").toFile());
    plan.put("conf", conf.toString());
    ((ObjectNode) plan.get("data")).put("runner", "direct").putNull("flinkMaster");
    Path planFile = dir.resolve("plan.json");
    Json.writeAtomic(planFile, plan);

    Path work = dir.resolve("work");
    // The inputs the command would generate, made smaller still (two pictures per image folder).
    Path data = Rehearsal.dir(work).resolve("inputs/data-x5.0E-4");
    Map<String, Long> counts = PaperScaleData.generate(data, 7, PaperScaleData.Sizes.PAPER.scaled(0.0005).withPoolImages(2));
    Json.writeAtomic(data.resolve("generated.json"), counts);

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "rehearse", "--plan", planFile.toString(),
        "--work", work.toString(), "--data-scale", "0.0005", "--decoder-layers", "1", "--host-gb", "4", "--id", "rehearsal-test");
    assertEquals(0, code, err.toString());
    Path md = Path.of(out.toString().lines().findFirst().orElseThrow());
    assertEquals(Rehearsal.dir(work).resolve("rehearsal.md").toAbsolutePath(), md.toAbsolutePath());

    RehearsalReport.Findings f = Json.read(Rehearsal.dir(work).resolve("rehearsal.json"), RehearsalReport.Findings.class);
    List<String> stages = f.stages().stream().map(RehearsalReport.Row::stage).toList();
    for (String s : List.of("PrepareData", "Pretrain", "Finetune mapd", "Finetune multitask", "Finetune nometatask",
        "Finetune ict", "AverageParameters", "Evaluate pretrain_only", "Evaluate untrained", "Evaluate mapd", "Evaluate modelavg")) {
      assertTrue(stages.contains(s), s + " in " + stages);
    }
    assertTrue(stages.stream().filter(s -> s.startsWith("Finetune modelavg ")).count() >= 10, stages.toString());
    RehearsalReport.Row mapd = f.stages().stream().filter(r -> r.stage().equals("Finetune mapd")).findFirst().orElseThrow();
    assertNotNull(mapd.gpuGiB(), "a training stage is projected to the paper's GPU");
    assertEquals("28 decoder / 24 vision layers", f.depthPaper(), "projected at the conf's full depth");
    assertEquals("1 decoder / 2 vision layers", f.depthHere());
    assertTrue(mapd.gpuGiB() > 4, "the GPU holds at least the paper conf's 4 GiB feature cache: " + mapd.gpuGiB());
    assertTrue(mapd.peakRssGiB() > 0);

    DataStats stats = Json.read(Rehearsal.dir(work).resolve("data-stats.json"), DataStats.class);
    assertEquals(15, stats.datasets().size(), stats.datasets().keySet().toString());
    assertEquals(4, stats.vlIcl().size());
    assertNotNull(stats.ict());
  }
}
