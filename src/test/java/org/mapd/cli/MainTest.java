package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.workflows.FakeStages;

class MainTest extends CommandTest {
  @TempDir Path dir;

  @Test
  void everyCommandExplainsEveryOption() {
    List<List<String>> commands = List.of(List.of(), List.of("reproduce"), List.of("data"), List.of("data", "synth"),
        List.of("data", "paper-scale"), List.of("data", "prepare"), List.of("train"), List.of("train", "warmup"), List.of("train", "pretrain"),
        List.of("train", "finetune"), List.of("train", "average"), List.of("eval"), List.of("worker"),
        List.of("resume"), List.of("compare"), List.of("temporal"), List.of("temporal", "setup"));
    for (List<String> c : commands) {
      String[] args = java.util.stream.Stream.concat(c.stream(), java.util.stream.Stream.of("--help"))
          .toArray(String[]::new);
      assertEquals(0, run(args), c.toString());
      assertTrue(out.startsWith("Usage: mapd"), c + ": " + out);
    }
    assertDocumented(new picocli.CommandLine(new Main()));
    run("reproduce", "--help");
    for (String o : List.of("--plan", "--work", "--temporal", "--namespace", "--tls-cert", "--no-worker", "--seeds",
        "--verbose")) {
      assertTrue(out.contains(o), o);
    }
  }

  @Test
  void paperScaleRefusesANonPositiveScale() {
    assertEquals(Main.BAD_INPUT, run("data", "paper-scale", "--out", "target/never-written", "--scale", "0"));
    assertTrue(err.contains("--scale must be > 0"), err);
    assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("target/never-written")));
  }

  static void assertDocumented(picocli.CommandLine cmd) {
    assertTrue(cmd.getCommandSpec().usageMessage().description().length > 0, cmd.getCommandName());
    for (var option : cmd.getCommandSpec().options()) {
      assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
          cmd.getCommandName() + " " + option.longestName());
    }
    cmd.getSubcommands().values().forEach(MainTest::assertDocumented);
  }

  @Test
  void badPlanIsOneLineNamingFileAndFieldWithExitCode2() throws Exception {
    String good = Files.readString(Path.of("workflows/mini.json"));
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, good.replace("\"multitask\"", "\"multitusk\""));
    assertEquals(2, run("reproduce", "--plan", bad.toString(), "--work", dir.toString()));
    String first = err.lines().findFirst().orElse("");
    assertTrue(first.contains(bad.toString()) && first.contains("unknown strategy 'multitusk'")
        && first.contains("strategies[1]"), err);
    assertFalse(err.contains("\tat "), "no stack trace without --verbose: " + err);

    Files.writeString(bad, good.replace("\"ft\"]", "\"fewshot\"]"));
    assertEquals(2, run("reproduce", "--plan", bad.toString()));
    assertTrue(err.contains("unknown mode 'fewshot'") && err.contains("eval.modes[1]"), err);

    Files.writeString(bad, good.replace("\"seed\"", "\"seeed\""));
    assertEquals(2, run("reproduce", "--plan", bad.toString()));
    assertTrue(err.contains("unknown field 'seeed'") && err.contains(bad.toString()), err);

    Files.writeString(bad, good.replace("\"conf/mini\"", "\"conf/nothing\""));
    assertEquals(2, run("reproduce", "--plan", bad.toString()));
    assertTrue(err.contains("conf/nothing/training.json does not exist"), err);

    assertEquals(2, run("reproduce", "--plan", dir.resolve("absent.json").toString()));
    assertTrue(err.contains("absent.json: plan file does not exist"), err);
  }

  @Test
  void planThatCannotRunIsRefusedBeforeAnyStage() throws Exception {
    Path datasets = dir.resolve("datasets");
    org.mapd.eval.VlIclFixture.write(datasets.resolve("VL-ICL"), 3, false); // open_mi: 5 support images per class
    String mini = Files.readString(Path.of("workflows/mini.json"));
    Path plan = dir.resolve("eight.json");
    Files.writeString(plan, mini.replace("\"synthSeed\": 7, \"datasets\": null", "\"synthSeed\": null, \"datasets\": \"" + datasets + "\"")
        .replace("\"shots\": [0, 2, 4]", "\"shots\": [0, 2, 4, 8]"));
    FakeStages stages = new FakeStages();
    assertEquals(2, run(stages, "reproduce", "--plan", plan.toString(), "--work", dir.resolve("w").toString()));
    assertTrue(err.contains("task open_mi allows at most 5 shots") && err.contains("the plan asks for 8")
        && err.contains("eval.shots"), err);
    assertTrue(err.contains("task clevr allows at most 12 shots") || !err.contains("clevr"), err);
    assertTrue(stages.calls.isEmpty(), "no stage ran: " + stages.calls);

    Files.writeString(plan, mini.replace("\"synthSeed\": 7, \"datasets\": null", "\"synthSeed\": null, \"datasets\": \"" + datasets + "\"")
        .replace("\"shots\": [0, 1, 2, 4]", "\"shots\": [0, 1, 2, 4, 8], \"taskShots\": {\"open_mi\": [0, 1, 2, 4, 5]}"));
    assertEquals(0, run(stages, "reproduce", "--plan", plan.toString(), "--work", dir.resolve("w").toString()), err);

    Path conf = dir.resolve("conf");
    Files.createDirectories(conf);
    for (String f : List.of("mapper.json", "training.json")) Files.copy(Path.of("conf/mini").resolve(f), conf.resolve(f));
    Files.writeString(conf.resolve("training.json"), Files.readString(conf.resolve("training.json"))
        .replace("\"deviceGB\": 8, \"reserveGB\": 1, \"featureCacheGB\": 1", "\"deviceGB\": 0.02, \"reserveGB\": 0, \"featureCacheGB\": 0"));
    Files.writeString(plan, mini.replace("\"conf\": \"conf/mini\"", "\"conf\": \"" + conf + "\""));
    stages = new FakeStages();
    assertEquals(2, run(stages, "reproduce", "--plan", plan.toString(), "--work", dir.resolve("w").toString()));
    assertTrue(err.contains("memory: Finetune mapd: one 519-token sequence with 1 image(s) needs") && err.contains("memory.deviceGB 0.02"), err);
    assertTrue(stages.calls.isEmpty(), "no stage ran: " + stages.calls);
  }

  @Test
  void reproduceRunsEmbeddedPrintsTheReportPathAndReusesOnTheSecondRun() throws Exception {
    FakeStages stages = new FakeStages();
    String[] args = {"reproduce", "--plan", "workflows/mini.json", "--work", dir.toString(), "--id", "cli-run"};
    assertEquals(0, run(stages, args), err);
    Path report = Path.of(out.strip());
    assertEquals(dir.resolve("runs/cli-run/report/report.md"), report);
    assertTrue(Files.readString(report).contains("| mapd |"));
    int calls = stages.calls.size();
    assertTrue(calls > 10, stages.calls.toString());

    args[args.length - 1] = "cli-run-2";
    assertEquals(0, run(stages, args), err);
    assertEquals(calls, stages.calls.size(), "the second run recomputes nothing");
    assertTrue(Files.isRegularFile(dir.resolve("runs/cli-run-2/report/results.json")));
  }

  @Test
  void stageRefusesToReuseCheckpointsWithoutResume() throws Exception {
    Files.createDirectories(dir.resolve("out/checkpoints/step-0000010"));
    assertEquals(2, run("train", "pretrain", "--plan", "workflows/mini.json", "--prepared", dir.toString(),
        "--out", dir.resolve("out").toString()));
    assertTrue(err.contains("pass --resume"), err);
  }

  @Test
  void workerRejectsUnknownQueueBeforeConnecting() {
    assertEquals(2, run("worker", "--temporal", "127.0.0.1:1", "--queue", "mapd-tpu"));
    assertTrue(err.contains("unknown task queue 'mapd-tpu'"), err);
  }
}
