package org.mapd.workflows;

import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/**
 * Deterministic orchestration only: every file access happens in activities, every clock read is
 * {@link Workflow#currentTimeMillis()}, and children are iterated in plan order.
 *
 * <p>Runs recorded before {@link #READABLE_RUNS} (search attributes, strategy settings, failed strategies that
 * wait) replay on the path they took: the change is behind {@link Workflow#getVersion}.
 */
public final class ReproductionWorkflowImpl implements ReproductionWorkflow {
  /** The getVersion change id of search attributes, strategy settings and tolerated strategy failures. */
  static final String READABLE_RUNS = "readable-runs";

  private final Deque<String> retries = new ArrayDeque<>();
  private RunStatus status;
  private boolean finish;
  /** Past waiting for strategies: retry updates are refused. */
  private boolean closed;

  @Override
  public RunResult run(Plan plan) {
    boolean readable = Workflow.getVersion(READABLE_RUNS, Workflow.DEFAULT_VERSION, 1) == 1;
    String runId = Workflow.getInfo().getWorkflowId();
    status = new RunStatus(runId, plan, readable);
    if (readable) RunAttributes.upsertRun(plan, runId);

    PrepareResult prepared = status.run("PrepareData", () -> data("PrepareData").prepareData(plan));
    Backbones backbones =
        plan.models().warmup()
            ? status.run("Warmup", () -> gpu("Warmup").warmup(plan, prepared))
            : new Backbones(plan.models().vision(), plan.models().llm());
    MapperCheckpoint pretrained = status.run("Pretrain", () -> gpu("Pretrain").pretrain(plan, prepared, backbones));

    List<String> resultFiles = new ArrayList<>();
    for (String reference : plan.references()) {
      String mapper = reference.equals("pretrain_only") ? pretrained.dir() : null;
      String stage = "Evaluate " + reference;
      Evaluation evaluation =
          status.run(stage, () -> gpu(stage).evaluate(plan, reference, mapper, backbones, prepared));
      status.scored(evaluation);
      resultFiles.add(evaluation.resultsFile());
    }

    Map<String, Map<String, String>> settings = readable ? data("ReadSettings").settings(plan) : Map.of();
    Map<String, StrategyResult> results = strategies(plan,
        s -> new StrategyInput(plan, s, prepared, backbones, pretrained), runId, settings, readable);

    Map<String, Double> seconds = new LinkedHashMap<>(status.seconds());
    for (Strategy s : plan.strategies()) {
      StrategyResult result = results.get(s.json());
      if (result == null) continue;
      seconds.putAll(result.stageSeconds());
      resultFiles.add(result.evaluation().resultsFile());
    }
    Map<String, Double> soFar = new LinkedHashMap<>(seconds);
    Map<String, String> failed = new LinkedHashMap<>(status.failed());
    String report = status.run("Report", () -> Workflow.newActivityStub(DataActivities.class,
        StageOptions.summarized(StageOptions.REPORT, "Report")).report(plan, prepared.datasets(), resultFiles, soFar, runId, failed));
    seconds.put("Report", status.seconds().get("Report"));
    status.phase(failed.isEmpty() ? "done" : "done, incomplete");
    return new RunResult(report, resultFiles, seconds, failed);
  }

  /**
   * Starts one child per strategy and collects their results. A failed child is recorded and the others go
   * on; then, while some have failed, the run waits for retryStrategy (the child starts again under the same
   * id) or finish. Before {@link #READABLE_RUNS} a failed child failed the run.
   */
  private Map<String, StrategyResult> strategies(Plan plan, Function<Strategy, StrategyInput> input, String runId,
      Map<String, Map<String, String>> settings, boolean readable) {
    Map<String, Promise<StrategyResult>> running = new LinkedHashMap<>();
    Map<String, StrategyResult> results = new LinkedHashMap<>();
    for (Strategy s : plan.strategies()) running.put(s.json(), start(input.apply(s), runId, settings, readable));
    status.phase("strategies");
    while (!running.isEmpty() || (!status.failed().isEmpty() && !finish)) {
      if (running.isEmpty()) status.waiting();
      Workflow.await(() -> running.values().stream().anyMatch(Promise::isCompleted) || !retries.isEmpty()
          || (finish && running.isEmpty()));
      for (var it = running.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Promise<StrategyResult>> child = it.next();
        if (!child.getValue().isCompleted()) continue;
        it.remove();
        try {
          StrategyResult result = child.getValue().get();
          results.put(child.getKey(), result);
          status.scored(result.evaluation());
        } catch (ChildWorkflowFailure e) {
          if (!readable) throw e;
          status.strategyFailed(child.getKey(), Failures.reason(e));
        }
      }
      while (!retries.isEmpty()) {
        Strategy s = Strategy.parse(retries.poll());
        running.put(s.json(), start(input.apply(s), runId, settings, readable));
      }
    }
    closed = true;
    return results;
  }

  private Promise<StrategyResult> start(StrategyInput input, String runId, Map<String, Map<String, String>> settings,
      boolean readable) {
    Plan plan = input.plan();
    Strategy strategy = input.strategy();
    ChildWorkflowOptions.Builder options = ChildWorkflowOptions.newBuilder()
        .setWorkflowId(runId + "/" + strategy.json())
        .setMemo(Map.of("plan", plan.name(), "strategy", strategy.json()));
    if (readable) {
      options.setTypedSearchAttributes(RunAttributes.child(plan, runId, strategy.json()))
          .setStaticSummary(RunLabels.childSummary(plan, strategy.json()))
          .setStaticDetails(RunLabels.childDetails(plan, strategy.json(), runId, settings));
    }
    StrategyWorkflow child = Workflow.newChildWorkflowStub(StrategyWorkflow.class, options.build());
    status.row(strategy.json(), "running");
    return Async.function(child::run, input);
  }

  private DataActivities data(String summary) {
    return Workflow.newActivityStub(DataActivities.class, StageOptions.summarized(StageOptions.CPU, summary));
  }

  private TrainingActivities gpu(String summary) {
    return Workflow.newActivityStub(TrainingActivities.class, StageOptions.summarized(StageOptions.GPU, summary));
  }

  @Override
  public RunProgress progress() {
    return status == null ? null : status.progress();
  }

  @Override
  public void validateRetryStrategy(String strategy) {
    if (status == null || closed) throw new IllegalArgumentException("this run no longer waits for failed strategies");
    if (!status.failed().containsKey(strategy)) {
      throw new IllegalArgumentException(status.failed().isEmpty()
          ? "no strategy of this run has failed ('" + strategy + "' given)"
          : "'" + strategy + "' is not a failed strategy of this run; failed: "
              + String.join(", ", status.failed().keySet()));
    }
  }

  @Override
  public String retryStrategy(String strategy) {
    status.strategyRetried(strategy);
    retries.add(strategy);
    return strategy + " starts again as " + Workflow.getInfo().getWorkflowId() + "/" + strategy
        + "; its finished stages are reused";
  }

  @Override
  public void finish() {
    finish = true;
  }
}
