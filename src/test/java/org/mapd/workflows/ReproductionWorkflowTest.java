package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/**
 * The workflows run on the in-process test service with the real activity classes around fake stages:
 * what is tested is the orchestration (order, fan-out, children, caching, failures, retries, replay),
 * not the stages.
 */
class ReproductionWorkflowTest {
  static final Path BASE = Path.of("").toAbsolutePath();
  /** Id of the workflow in src/test/resources/histories/reproduction-mini.json. */
  static final String RECORDED_ID = "mini-recorded";

  @TempDir Path work;
  final FakeStages stages = new FakeStages();
  final List<String> events = Collections.synchronizedList(new ArrayList<>());
  final List<HeartbeatDetails> resumedFrom = Collections.synchronizedList(new ArrayList<>());
  TestWorkflowEnvironment env;

  final StageListener listener = new StageListener() {
    @Override
    public void started(String stage, Path dir, HeartbeatDetails previous) {
      events.add("started " + stage + " " + dir.getFileName());
      if (previous != null) resumedFrom.add(previous);
    }

    @Override
    public void finished(String stage, Path dir, boolean reused) {
      events.add((reused ? "reused " : "finished ") + stage);
    }
  };

  /** The mini plan with its warm-up stage switched on (it ships its backbones), so every stage runs. */
  static Plan miniPlan() {
    Plan p = Plan.load(BASE.resolve("workflows/mini.json"));
    return withModels(p, new Plan.Models(p.models().vision(), p.models().llm(), true), p.strategies());
  }

  static Plan withModels(Plan p, Plan.Models models, List<org.mapd.conf.Strategy> strategies) {
    return new Plan(p.name(), p.seed(), p.fidelity(), p.conf(), models, p.data(), strategies, p.references(), p.eval());
  }

  WorkflowClient start(Stages s) {
    env = environment(work, s, listener);
    return env.getWorkflowClient();
  }

  /** A started in-process service with mapd's search attributes and both workers around the given stages. */
  static TestWorkflowEnvironment environment(Path work, Stages s, StageListener listener) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    RunAttributes.registerIn(env);
    Workers.create(env::newWorker, java.util.Set.of(Workers.CPU, Workers.GPU), s, BASE, work, listener);
    env.start();
    return env;
  }

  static RunResult run(WorkflowClient client, String id, Plan plan) {
    return client.newWorkflowStub(ReproductionWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(Workers.CPU).setWorkflowId(id).build()).run(plan);
  }

  @AfterEach
  void close() {
    if (env != null) env.close();
  }

  @Test
  void stagesRunInOrderWithOneChildPerStrategyAndModelAvgFanOut() throws IOException {
    WorkflowClient client = start(stages);
    RunResult result = run(client, "mini-order", miniPlan());

    List<String> calls = new ArrayList<>(stages.calls);
    assertEquals(List.of("synth", "prepare", "warmup", "pretrain", "evaluate pretrain_only", "evaluate untrained"),
        calls.subList(0, 6));
    assertTrue(stages.evaluatedMappers.get("pretrain_only").contains("pretrain-"));
    assertEquals("null", stages.evaluatedMappers.get("untrained"));
    List<String> children = calls.subList(6, calls.size());
    assertEquals(12, children.size(), children.toString());
    for (String s : List.of("mapd", "multitask", "nometatask", "ict")) {
      assertTrue(children.indexOf("finetune " + s) >= 0, s);
      assertTrue(children.indexOf("finetune " + s) < children.indexOf("evaluate " + s), s);
    }
    // ModelAvg: one run per dataset (sorted by name), then the average weighted by record counts.
    int average = children.indexOf("average [30.0, 10.0]");
    assertTrue(children.indexOf("finetune modelavg gqa") < average);
    assertTrue(children.indexOf("finetune modelavg vg") < average);
    assertTrue(average < children.indexOf("evaluate modelavg"));
    assertTrue(stages.evaluatedMappers.get("modelavg").contains("average-modelavg-"));

    StrategyResult modelavg = client.newUntypedWorkflowStub("mini-order/modelavg").getResult(StrategyResult.class);
    assertEquals(Map.of("gqa", 30.0, "vg", 10.0), modelavg.averageWeights());
    for (String s : List.of("mapd", "multitask", "nometatask", "ict")) {
      assertEquals(s, client.newUntypedWorkflowStub("mini-order/" + s).getResult(StrategyResult.class)
          .strategy().json());
    }
    assertEquals(7, result.resultFiles().size());
    assertTrue(result.stageSeconds().keySet().containsAll(List.of("PrepareData", "Warmup", "Pretrain",
        "Evaluate untrained", "Finetune mapd", "Finetune modelavg/gqa", "AverageParameters modelavg",
        "Evaluate modelavg", "Report")), result.stageSeconds().toString());
    String md = Files.readString(Path.of(result.report()));
    assertTrue(md.contains("| modelavg |") && md.contains("| untrained |"), md);
    assertTrue(Path.of(result.report()).startsWith(work.resolve("runs").resolve("mini-order")));
  }

  @Test
  void secondRunReusesEveryFinishedStage() throws IOException {
    WorkflowClient client = start(stages);
    run(client, "first", miniPlan());
    int firstCalls = stages.calls.size();
    stages.calls.clear();
    RunResult second = run(client, "second", miniPlan());

    assertEquals(List.of(), stages.calls, "nothing recomputed");
    assertEquals(firstCalls - 1, events.stream().filter(e -> e.startsWith("reused ")).count(),
        "every stage but the synth call inside PrepareData is reused: " + events);
    try (Stream<Path> dirs = Files.list(work.resolve("stages"))) {
      List<Path> all = dirs.toList();
      assertEquals(firstCalls - 1, all.size());
      for (Path d : all) assertTrue(Files.isRegularFile(d.resolve(StageStore.DONE)), d.toString());
    }
    assertTrue(Files.isRegularFile(Path.of(second.report())));
  }

  @Test
  void changedBackboneWeightsReRunEveryStageThatReadsThem(@TempDir Path models) throws IOException {
    WorkflowClient client = start(stages);
    Plan mini = Plan.load(BASE.resolve("workflows/mini.json")); // given backbones, no warm-up
    for (String part : List.of("vision", "llm")) {
      Files.createDirectories(models.resolve(part));
      try (Stream<Path> files = Files.list(BASE.resolve(part.equals("vision") ? mini.models().vision() : mini.models().llm()))) {
        for (Path f : files.toList()) Files.copy(f, models.resolve(part).resolve(f.getFileName()));
      }
    }
    Plan copy = withModels(mini, new Plan.Models(models.resolve("vision").toString(), models.resolve("llm").toString(), false),
        List.of(org.mapd.conf.Strategy.MULTITASK));
    run(client, "before", copy);
    assertTrue(stages.calls.contains("pretrain"), stages.calls.toString());
    Path weights = models.resolve("llm/model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    bytes[bytes.length - 1] ^= 1; // one bit of the last tensor: the same shapes, other weights
    Files.write(weights, bytes);
    stages.calls.clear();
    run(client, "after", copy);
    // PrepareData does not read the backbones and is reused; every stage that loads them runs again.
    assertEquals(java.util.Set.of("pretrain", "evaluate pretrain_only", "evaluate untrained", "finetune multitask",
        "evaluate multitask"), new java.util.HashSet<>(stages.calls));
  }

  @Test
  void equalAverageWeightsReRunOnlyTheAverage(@TempDir Path conf) throws IOException {
    WorkflowClient client = start(stages);
    Plan mini = miniPlan();
    try (Stream<Path> files = Files.walk(BASE.resolve(mini.conf()))) {
      for (Path f : files.toList()) {
        Path to = conf.resolve(BASE.resolve(mini.conf()).relativize(f).toString());
        if (Files.isDirectory(f)) Files.createDirectories(to);
        else Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Plan copy = new Plan(mini.name(), mini.seed(), mini.fidelity(), conf.toString(), mini.models(), mini.data(),
        List.of(org.mapd.conf.Strategy.MODELAVG), mini.references(), mini.eval());
    run(client, "records", copy);
    assertTrue(stages.calls.contains("average [30.0, 10.0]"), stages.calls.toString());
    Path training = conf.resolve("training.json");
    Files.writeString(training, Files.readString(training).replace("\"averageWeights\": \"records\"", "\"averageWeights\": \"equal\""));
    stages.calls.clear();
    run(client, "equal", copy);
    assertEquals(List.of("average [1.0, 1.0]", "evaluate modelavg"), stages.calls);
  }

  @Test
  void replaysItsOwnHistoryAndTheCommittedOne() throws Exception {
    WorkflowClient client = start(stages);
    run(client, RECORDED_ID, miniPlan());
    WorkflowExecutionHistory history = client.fetchHistory(RECORDED_ID);
    WorkflowReplayer.replayWorkflowExecution(history, ReproductionWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(
        WorkflowExecutionHistory.fromJson(history.toJson(true), RECORDED_ID), ReproductionWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(client.fetchHistory(RECORDED_ID + "/modelavg"),
        StrategyWorkflowImpl.class);

    String record = System.getProperty("mapd.recordHistory");
    if (record != null) Files.writeString(Path.of(record), history.toJson(true));

    try (var in = getClass().getResourceAsStream("/histories/reproduction-mini.json")) {
      assertNotNull(in, "committed history missing");
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(json, RECORDED_ID),
          ReproductionWorkflowImpl.class);
    }
  }

  /** Committed runs of the current workflow code, seeds 222 and 223 (compare's golden test reads them too). */
  static final List<String> READABLE = List.of("readable-mini-222", "readable-mini-223");

  /**
   * Replays the committed histories of the current code path (search attributes, summaries, numbers in the
   * results), parent and ModelAvg child. {@code -Dmapd.recordHistories=src/test/resources/histories} records
   * them again from fake-stage runs.
   */
  @Test
  void replaysTheCommittedReadableHistories() throws Exception {
    String record = System.getProperty("mapd.recordHistories");
    if (record != null) {
      WorkflowClient client = start(stages);
      for (String id : READABLE) {
        run(client, id, miniPlan().withSeed(Long.parseLong(id.substring(id.lastIndexOf('-') + 1))));
        Files.writeString(Path.of(record, id + ".json"), client.fetchHistory(id).toJson(true));
        Files.writeString(Path.of(record, id + "-modelavg.json"), client.fetchHistory(id + "/modelavg").toJson(true));
      }
    }
    for (String id : READABLE) {
      WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(resource(id + ".json"), id),
          ReproductionWorkflowImpl.class);
      WorkflowReplayer.replayWorkflowExecution(
          WorkflowExecutionHistory.fromJson(resource(id + "-modelavg.json"), id + "/modelavg"),
          StrategyWorkflowImpl.class);
    }
  }

  static String resource(String name) throws IOException {
    try (var in = ReproductionWorkflowTest.class.getResourceAsStream("/histories/" + name)) {
      assertNotNull(in, "committed history missing: " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void badPlanFailsOnceWithWhatToFix() {
    WorkflowClient client = start(stages);
    Plan good = miniPlan();
    Plan bad = new Plan(good.name(), good.seed(), good.fidelity(), "conf/missing", good.models(), good.data(),
        good.strategies(), good.references(), good.eval());

    WorkflowFailedException e = assertThrows(WorkflowFailedException.class, () -> run(client, "bad", bad));
    ActivityFailure activity = assertInstanceOf(ActivityFailure.class, e.getCause());
    ApplicationFailure app = assertInstanceOf(ApplicationFailure.class, activity.getCause());
    assertEquals(StageOptions.INVALID_INPUT, app.getType());
    assertTrue(app.getOriginalMessage().contains("conf/missing/training.json"), app.getOriginalMessage());
    List<HistoryEvent> started = client.fetchHistory("bad").getEvents().stream()
        .filter(ev -> ev.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED).toList();
    assertEquals(1, started.size());
    assertEquals(1, started.get(0).getActivityTaskStartedEventAttributes().getAttempt(), "not retried");
    assertEquals(List.of(), stages.calls);
  }

  @Test
  void retryResumesWhereTheHeartbeatSaidItWas() {
    Stages crashingOnce = new DelegatingStages(stages) {
      int attempts;

      @Override
      public MapperCheckpoint pretrain(Plan plan, Path base, Path prepared, Backbones backbones, Path out,
          Progress progress) {
        if (attempts++ == 0) {
          try {
            Files.createDirectories(out.resolve("checkpoints/step-0000003"));
            Files.writeString(out.resolve("checkpoints/step-0000003/state.json"), "{}");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          progress.report(3, 10, 0.7, out.resolve("checkpoints/step-0000003").toString());
          throw new IllegalStateException("worker lost its device");
        }
        assertTrue(Files.exists(out.resolve("checkpoints/step-0000003/state.json")), "the retry starts from the files of the first");
        return super.pretrain(plan, base, prepared, backbones, out, progress);
      }
    };
    WorkflowClient client = start(crashingOnce);
    RunResult result = run(client, "retry", miniPlan());

    List<String> pretrainStarts = events.stream().filter(e -> e.startsWith("started Pretrain ")).toList();
    assertEquals(2, pretrainStarts.size(), events.toString());
    assertEquals(List.of("started Pretrain attempt-000001", "started Pretrain attempt-000002"), pretrainStarts,
        "the retry runs in the next attempt folder of the same stage");
    assertEquals(1, resumedFrom.size());
    HeartbeatDetails last = resumedFrom.get(0);
    assertEquals(3, last.step());
    assertEquals(10, last.total());
    assertTrue(last.checkpoint().endsWith("checkpoints/step-0000003"), last.checkpoint());
    assertNotNull(result.report());
  }

  @Test
  void twoRunsOfOnePlanStartedTogetherComputeEachStageOnceAndAgree() throws Exception {
    WorkflowClient client = start(stages);
    List<ReproductionWorkflow> runs = new ArrayList<>();
    for (String id : List.of("twin-a", "twin-b")) {
      ReproductionWorkflow stub = client.newWorkflowStub(ReproductionWorkflow.class,
          WorkflowOptions.newBuilder().setTaskQueue(Workers.CPU).setWorkflowId(id).build());
      WorkflowClient.start(stub::run, miniPlan());
      runs.add(stub);
    }
    RunResult a = client.newUntypedWorkflowStub("twin-a").getResult(60, java.util.concurrent.TimeUnit.SECONDS, RunResult.class);
    RunResult b = client.newUntypedWorkflowStub("twin-b").getResult(60, java.util.concurrent.TimeUnit.SECONDS, RunResult.class);
    assertTrue(a.complete() && b.complete());
    List<String> calls = new ArrayList<>(stages.calls);
    assertEquals(calls.stream().distinct().toList(), calls, "no stage computed twice");
    assertEquals(a.resultFiles(), b.resultFiles(), "both runs read the same published results");
    try (Stream<Path> left = Files.exists(work.resolve("attempts")) ? Files.walk(work.resolve("attempts")) : Stream.empty()) {
      List<Path> files = left.filter(Files::isRegularFile).toList();
      assertEquals(List.of(), files, "no attempt files left behind");
    }
  }

  @Test
  void planThatDoesNotDeserializeFailsTheRun() {
    WorkflowClient client = start(stages);
    Map<String, Object> plan = new java.util.LinkedHashMap<>(
        org.mapd.Json.MAPPER.convertValue(miniPlan(), Map.class));
    plan.put("name", "has spaces");
    var stub = client.newUntypedWorkflowStub(ReproductionWorkflow.TYPE,
        WorkflowOptions.newBuilder().setTaskQueue(Workers.CPU).setWorkflowId("undeserializable").build());
    stub.start(plan);
    WorkflowFailedException e = assertThrows(WorkflowFailedException.class,
        () -> stub.getResult(10, java.util.concurrent.TimeUnit.SECONDS, RunResult.class));
    Throwable cause = e.getCause();
    assertTrue(String.valueOf(cause.getMessage()).contains("name must match"), String.valueOf(cause));
  }
}
