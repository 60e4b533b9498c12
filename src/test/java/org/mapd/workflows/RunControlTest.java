package org.mapd.workflows;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Progress;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees of a run and does to it from the Web UI, on the SDK's test service: search attributes,
 * summaries and details (read back with describe and from the history), the progress query, and a failed
 * strategy that waits for retryStrategy or finish.
 */
class RunControlTest {
  @TempDir Path work;
  final FakeStages stages = new FakeStages();
  TestWorkflowEnvironment env;

  @AfterEach
  void close() {
    if (env != null) env.close();
  }

  WorkflowClient start(Stages s) {
    env = ReproductionWorkflowTest.environment(work, s, StageListener.NONE);
    return env.getWorkflowClient();
  }

  static ReproductionWorkflow stub(WorkflowClient client, String id) {
    return client.newWorkflowStub(ReproductionWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(Workers.CPU).setWorkflowId(id).build());
  }

  /** Fails every Finetune of mapd with a reason a retry cannot fix, until {@code healed} is set. */
  static final class FailingMapd extends DelegatingStages {
    volatile boolean healed;
    final AtomicInteger attempts = new AtomicInteger();

    FailingMapd(Stages inner) {
      super(inner);
    }

    @Override
    public MapperCheckpoint finetune(Plan plan, Path base, Strategy strategy, String dataset, Path prepared,
        Backbones backbones, Path init, Path out, Progress progress) {
      if (strategy == Strategy.MAPD && !healed) {
        attempts.incrementAndGet();
        throw new IllegalArgumentException("disk full under " + out.getParent().getFileName()); // attempts/STAGE/attempt-N
      }
      return super.finetune(plan, base, strategy, dataset, prepared, backbones, init, out, progress);
    }
  }

  @Test
  void attributesSummariesAndDetailsAreSetByTheWorkflowsThemselves() throws Exception {
    WorkflowClient client = start(stages);
    RunResult result = stub(client, "mini-seen").run(ReproductionWorkflowTest.miniPlan());
    assertTrue(result.complete());

    WorkflowExecutionDescription run = client.newUntypedWorkflowStub("mini-seen").describe();
    var attributes = run.getTypedSearchAttributes();
    assertEquals("mini", attributes.get(RunAttributes.PLAN));
    assertEquals("mini-seen", attributes.get(RunAttributes.RUN));
    assertEquals(222L, attributes.get(RunAttributes.SEED));
    assertEquals("authors", attributes.get(RunAttributes.FIDELITY));
    assertEquals("done", attributes.get(RunAttributes.STAGE));

    WorkflowExecutionDescription child = client.newUntypedWorkflowStub("mini-seen/mapd").describe();
    var childAttributes = child.getTypedSearchAttributes();
    assertEquals("mapd", childAttributes.get(RunAttributes.STRATEGY));
    assertEquals("mini-seen", childAttributes.get(RunAttributes.RUN));
    assertEquals("done", childAttributes.get(RunAttributes.STAGE));
    StrategyResult mapd = client.newUntypedWorkflowStub("mini-seen/mapd").getResult(StrategyResult.class);
    double ft = mapd.evaluation().scores().average(Mode.FT).orElseThrow().accuracy();
    assertEquals(ft, childAttributes.get(RunAttributes.FT_AVG), 1e-12);
    assertNotNull(childAttributes.get(RunAttributes.ICL_AVG));
    assertEquals("mapd · mini seed 222 · authors", child.getStaticSummary());
    // The mini plan's mapd settings that differ from the other strategies' (conf/mini/training.json).
    assertTrue(child.getStaticDetails().contains("innerSteps 3") && child.getStaticDetails().contains("lr 0.001")
        && !child.getStaticDetails().contains("warmupRatio"), child.getStaticDetails());

    // Numbers in the history: every cell with its query count and interval, and the averages.
    assertEquals(24, mapd.evaluation().scores().cells().size(), "4 tasks x 3 shots x icl/ft");
    var cell = mapd.evaluation().scores().cells().get(0);
    assertEquals(FakeStages.QUERIES, cell.queries());
    assertTrue(cell.ci95().lo() <= cell.accuracy() && cell.accuracy() <= cell.ci95().hi());

    List<String> summaries = activitySummaries(client, "mini-seen/modelavg");
    assertEquals(List.of("Finetune modelavg/gqa", "Finetune modelavg/vg", "AverageParameters modelavg",
        "Evaluate modelavg"), summaries);
    assertEquals(List.of("PrepareData", "Warmup", "Pretrain", "Evaluate pretrain_only", "Evaluate untrained",
        "ReadSettings", "Report"), activitySummaries(client, "mini-seen"));
  }

  static List<String> activitySummaries(WorkflowClient client, String id) {
    return client.fetchHistory(id).getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(), String.class,
            String.class))
        .toList();
  }

  @Test
  void progressQueryIsTheCurrentDetailsAsJson() {
    WorkflowClient client = start(stages);
    stub(client, "mini-progress").run(ReproductionWorkflowTest.miniPlan());
    RunProgress progress = client.newWorkflowStub(ReproductionWorkflow.class, "mini-progress").progress();
    assertEquals("done", progress.stage());
    assertEquals(List.of("PrepareData", "Warmup", "Pretrain", "Evaluate pretrain_only", "Evaluate untrained",
        "Report"), progress.stages().stream().map(RunProgress.Stage::name).toList());
    assertTrue(progress.stages().stream().allMatch(s -> s.state().equals("done") && s.seconds() != null));
    assertEquals(7, progress.rows().size());
    assertTrue(progress.rows().stream().allMatch(r -> r.state().equals("done") && r.ft() != null), progress.rows().toString());
    WorkflowMetadata metadata = client.newUntypedWorkflowStub("mini-progress")
        .query("__temporal_workflow_metadata", WorkflowMetadata.class);
    assertEquals(progress.markdown(), metadata.getCurrentDetails());
    assertTrue(metadata.getCurrentDetails().contains("| modelavg | done |"), metadata.getCurrentDetails());

    RunProgress child = client.newWorkflowStub(StrategyWorkflow.class, "mini-progress/modelavg").progress();
    assertEquals(List.of("Finetune modelavg/gqa", "Finetune modelavg/vg", "AverageParameters modelavg",
        "Evaluate modelavg"), child.stages().stream().map(RunProgress.Stage::name).toList());
  }

  /** Starts a run whose mapd strategy fails, and waits until the run waits for the user. */
  RunProgress startAndWaitForFailure(WorkflowClient client, String id) throws InterruptedException {
    WorkflowClient.start(stub(client, id)::run, ReproductionWorkflowTest.miniPlan());
    ReproductionWorkflow run = client.newWorkflowStub(ReproductionWorkflow.class, id);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      RunProgress p = run.progress();
      if (p != null && p.waiting()) return p;
      Thread.sleep(100);
    }
    throw new AssertionError("the run never waited: " + run.progress());
  }

  @Test
  void failedStrategyWaitsWhileTheOthersFinishThenRetryByUpdateCompletesTheReport() throws Exception {
    FailingMapd failing = new FailingMapd(stages);
    WorkflowClient client = start(failing);
    RunProgress waiting = startAndWaitForFailure(client, "mini-retry");

    assertEquals("waiting", waiting.stage());
    assertEquals(List.of("mapd"), List.copyOf(waiting.failed().keySet()));
    assertTrue(waiting.failed().get("mapd").contains("disk full"), waiting.failed().toString());
    for (String s : List.of("multitask", "nometatask", "ict", "modelavg")) {
      assertTrue(waiting.rows().stream().anyMatch(r -> r.name().equals(s) && r.state().equals("done")), s);
    }
    assertEquals("waiting", client.newUntypedWorkflowStub("mini-retry").describe().getTypedSearchAttributes()
        .get(RunAttributes.STAGE));
    assertTrue(waiting.markdown().contains("retryStrategy"), waiting.markdown());
    assertEquals(1, failing.attempts.get(), "a bad input is not retried by the activity");

    ReproductionWorkflow run = client.newWorkflowStub(ReproductionWorkflow.class, "mini-retry");
    WorkflowUpdateException notFailed = assertThrows(WorkflowUpdateException.class, () -> run.retryStrategy("ict"));
    assertTrue(notFailed.getCause().getMessage().contains("'ict' is not a failed strategy of this run; failed: mapd"),
        notFailed.getCause().getMessage());
    assertThrows(WorkflowUpdateException.class, () -> run.retryStrategy("bogus"));
    int callsBefore = stages.calls.size();

    failing.healed = true;
    assertTrue(run.retryStrategy("mapd").startsWith("mapd starts again as mini-retry/mapd"));
    RunResult result = client.newUntypedWorkflowStub("mini-retry").getResult(30, TimeUnit.SECONDS, RunResult.class);

    assertTrue(result.complete(), result.failed().toString());
    assertEquals(List.of("finetune mapd", "evaluate mapd"), stages.calls.subList(callsBefore, stages.calls.size()),
        "only mapd's stages ran again");
    String md = Files.readString(Path.of(result.report()));
    assertFalse(md.contains("Incomplete"), md);
    assertTrue(md.contains("| mapd |"), md);
    assertEquals("done", client.newUntypedWorkflowStub("mini-retry").describe().getTypedSearchAttributes()
        .get(RunAttributes.STAGE));
    // The update is in the history: a user can see who retried what.
    List<HistoryEvent> updates = client.fetchHistory("mini-retry").getEvents().stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).toList();
    assertEquals(1, updates.size());
  }

  @Test
  void finishWritesAReportMarkedIncomplete() throws Exception {
    WorkflowClient client = start(new FailingMapd(stages));
    startAndWaitForFailure(client, "mini-finish");
    client.newWorkflowStub(ReproductionWorkflow.class, "mini-finish").finish();
    RunResult result = client.newUntypedWorkflowStub("mini-finish").getResult(30, TimeUnit.SECONDS, RunResult.class);

    assertFalse(result.complete());
    assertEquals(List.of("mapd"), List.copyOf(result.failed().keySet()));
    assertEquals(6, result.resultFiles().size(), "two references and four strategies");
    String md = Files.readString(Path.of(result.report()));
    assertTrue(md.contains("**Incomplete.**") && md.contains("- mapd: Finetune: disk full under finetune-mapd-"), md);
    assertFalse(md.contains("| mapd |"), md);
    var results = org.mapd.Json.MAPPER.readTree(Path.of(result.report()).resolveSibling("results.json").toFile());
    assertFalse(results.get("complete").asBoolean());
    assertEquals("done, incomplete", client.newUntypedWorkflowStub("mini-finish").describe()
        .getTypedSearchAttributes().get(RunAttributes.STAGE));
    // Its history says so: compare shows it as incomplete, without the mapd row.
    var history = org.mapd.report.RunHistory.parse(client.fetchHistory("mini-finish").toJson(true), null);
    assertEquals("incomplete", history.status());
    assertEquals(List.of("mapd"), List.copyOf(history.failed().keySet()));
    assertFalse(history.rows().containsKey("mapd"));
    assertEquals(6, history.rows().size());
    // A closed run takes no more updates.
    assertThrows(io.temporal.client.WorkflowNotFoundException.class,
        () -> client.newWorkflowStub(ReproductionWorkflow.class, "mini-finish").retryStrategy("mapd"));
  }
}
