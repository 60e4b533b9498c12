package org.mapd.workflows;

import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.model.Backbones;
import org.mapd.train.MapperCheckpoint;

/**
 * Deterministic orchestration only: every file access happens in activities, every clock read is
 * {@link Workflow#currentTimeMillis()}, and children are iterated in plan order.
 */
public final class ReproductionWorkflowImpl implements ReproductionWorkflow {
  private final DataActivities data = Workflow.newActivityStub(DataActivities.class, StageOptions.CPU);
  private final DataActivities report = Workflow.newActivityStub(DataActivities.class, StageOptions.REPORT);
  private final TrainingActivities gpu = Workflow.newActivityStub(TrainingActivities.class, StageOptions.GPU);
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  @Override
  public RunResult run(Plan plan) {
    PrepareResult prepared = timed("PrepareData", () -> data.prepareData(plan));
    Backbones backbones =
        plan.models().warmup()
            ? timed("Warmup", () -> gpu.warmup(plan, prepared))
            : new Backbones(plan.models().vision(), plan.models().llm());
    MapperCheckpoint pretrained = timed("Pretrain", () -> gpu.pretrain(plan, prepared, backbones));

    List<String> resultFiles = new ArrayList<>();
    for (String reference : plan.references()) {
      String mapper = reference.equals("pretrain_only") ? pretrained.dir() : null;
      resultFiles.add(
          timed("Evaluate " + reference, () -> gpu.evaluate(plan, reference, mapper, backbones, prepared))
              .resultsFile());
    }

    String runId = Workflow.getInfo().getWorkflowId();
    List<Promise<StrategyResult>> children = new ArrayList<>();
    for (Strategy strategy : plan.strategies()) {
      StrategyWorkflow child =
          Workflow.newChildWorkflowStub(
              StrategyWorkflow.class,
              ChildWorkflowOptions.newBuilder()
                  .setWorkflowId(runId + "/" + strategy.json())
                  .setMemo(Map.of("plan", plan.name(), "strategy", strategy.json()))
                  .build());
      children.add(
          Async.function(child::run, new StrategyInput(plan, strategy, prepared, backbones, pretrained)));
    }
    for (Promise<StrategyResult> child : children) {
      StrategyResult result = child.get();
      seconds.putAll(result.stageSeconds());
      resultFiles.add(result.evaluation().resultsFile());
    }

    Map<String, Double> soFar = new LinkedHashMap<>(seconds);
    String reportPath = timed("Report", () -> report.report(plan, prepared.datasets(), resultFiles, soFar, runId));
    return new RunResult(reportPath, resultFiles, seconds);
  }

  private <T> T timed(String stage, Supplier<T> call) {
    long start = Workflow.currentTimeMillis();
    T result = call.get();
    seconds.put(stage, (Workflow.currentTimeMillis() - start) / 1000.0);
    return result;
  }
}
