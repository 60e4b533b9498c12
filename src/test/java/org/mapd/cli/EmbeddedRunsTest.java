package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.report.RunHistory;
import org.mapd.train.MapperCheckpoint;
import org.mapd.workflows.DelegatingStages;
import org.mapd.workflows.FakeStages;
import org.mapd.workflows.Stages;

/** reproduce (one seed and several), a failed strategy, and resume, on the embedded service around fake stages. */
class EmbeddedRunsTest extends CommandTest {
  @TempDir Path work;

  @Test
  void seedsRunOnePlanPerSeedAndEndWithTheComparison() throws Exception {
    assertEquals(0, run(new FakeStages(), "reproduce", "--plan", "workflows/mini.json", "--work", work.toString(),
        "--id", "mini-s", "--seeds", "222,223"), err);
    for (String id : List.of("mini-s-s222", "mini-s-s223")) {
      RunHistory h = CompareCommand.read(work.resolve("runs").resolve(id));
      assertEquals(id, h.id());
      assertEquals("completed", h.status());
      assertEquals(7, h.rows().size());
      assertTrue(out.contains(work.resolve("runs").resolve(id).resolve("report/report.md").toString()), out);
    }
    Path compare = work.resolve("compare/mini-s");
    assertTrue(out.lines().anyMatch(l -> l.equals(compare.resolve("compare.md").toAbsolutePath().toString())), out);
    JsonNode json = Json.MAPPER.readTree(compare.resolve("compare.json").toFile());
    assertEquals(2, json.get("runs").size());
    assertEquals(223, json.get("runs").get(1).get("seed").asInt());
    assertTrue(Files.isRegularFile(compare.resolve("accuracy_vs_shots.png")));
  }

  @Test
  void aFailedStrategyGivesAnIncompleteReportAndExitCode1() throws Exception {
    Stages failing = new DelegatingStages(new FakeStages()) {
      @Override
      public MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
          Backbones backbones, Path init, Path out, Progress progress) {
        // Not retried (a bad input), so the test need not wait for three attempts.
        if (strategy == Strategy.ICT) throw new IllegalArgumentException("out of memory");
        return super.finetune(plan, base, strategy, dataset, prepared, backbones, init, out, progress);
      }
    };
    assertEquals(Main.FAILED, run(failing, "reproduce", "--plan", "workflows/mini.json", "--work", work.toString(),
        "--id", "mini-ict"), err);
    assertTrue(err.contains("strategy ict failed: Finetune: out of memory"), err);
    assertTrue(err.contains("mapd: run mini-ict is incomplete: ict failed"), err);
    String md = Files.readString(Path.of(out.strip()));
    assertTrue(md.contains("**Incomplete.**") && md.contains("- ict: Finetune: out of memory"), md);
    assertEquals("incomplete", CompareCommand.read(work.resolve("runs/mini-ict")).status());
  }

  @Test
  void resumeTakesThePlanFromTheRunFolderAndReusesFinishedStages() throws Exception {
    FakeStages fake = new FakeStages();
    boolean[] broken = {true};
    Stages flaky = new DelegatingStages(fake) {
      @Override
      public MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out,
          Progress progress) {
        if (broken[0]) throw new IllegalArgumentException("checkpoint folder not writable");
        return super.pretrain(plan, base, prepared, backbones, out, progress);
      }
    };
    Path plan = work.resolve("seed-5.json");
    Files.writeString(plan, Files.readString(Path.of("workflows/mini.json")).replace("\"seed\": 222", "\"seed\": 5"));
    assertEquals(Main.BAD_INPUT, run(flaky, "reproduce", "--plan", plan.toString(), "--work", work.toString(),
        "--id", "mini-r"), err);
    assertTrue(err.contains("checkpoint folder not writable"), err);
    assertEquals("failed", CompareCommand.read(work.resolve("runs/mini-r")).status());
    assertEquals(List.of("synth", "prepare"), fake.calls); // the mini plan ships its backbones: no warm-up

    broken[0] = false;
    Files.delete(plan); // the plan now comes from the history
    assertEquals(0, run(flaky, "resume", "mini-r", "--work", work.toString()), err);
    assertTrue(err.contains("resume mini-r (failed) with the plan from its history (mini, seed 5)"), err);
    assertEquals("pretrain", fake.calls.get(2), "PrepareData was reused: " + fake.calls);
    RunHistory resumed = CompareCommand.read(work.resolve("runs/mini-r"));
    assertEquals("completed", resumed.status());
    assertEquals(5, resumed.plan().seed());
    assertFalse(out.isBlank());

    assertEquals(Main.BAD_INPUT, run(flaky, "resume", "nothing-here", "--work", work.toString()));
    assertTrue(err.contains("runs/nothing-here: no history.json in this folder"), err);
  }
}
