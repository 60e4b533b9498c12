package org.mapd.workflows;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.eval.EvalSummary;
import org.mapd.train.MapperCheckpoint;

/** ModelAvg fans out one Finetune per dataset (sorted by name, so replay sees the same order). */
public final class StrategyWorkflowImpl implements StrategyWorkflow {
  private final TrainingActivities gpu = Workflow.newActivityStub(TrainingActivities.class, StageOptions.GPU);
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  @Override
  public StrategyResult run(StrategyInput in) {
    Plan plan = in.plan();
    String name = in.strategy().json();
    String init = in.pretrained().dir();
    Map<String, Double> weights = new LinkedHashMap<>();
    MapperCheckpoint mapper;
    if (in.strategy() == Strategy.MODELAVG) {
      Map<String, Promise<MapperCheckpoint>> members = new LinkedHashMap<>();
      for (Map.Entry<String, Long> dataset : new TreeMap<>(in.prepared().datasets()).entrySet()) {
        if (dataset.getValue() <= 0) continue;
        String ds = dataset.getKey();
        long start = Workflow.currentTimeMillis();
        Promise<MapperCheckpoint> run =
            Async.function(gpu::finetune, plan, in.strategy(), ds, in.prepared(), in.backbones(), init)
                .thenApply(
                    m -> {
                      seconds.put(name + " Finetune " + ds, (Workflow.currentTimeMillis() - start) / 1000.0);
                      return m;
                    });
        members.put(ds, run);
        weights.put(ds, dataset.getValue().doubleValue());
      }
      if (members.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "modelavg: the prepared data has no non-empty dataset to train on", StageOptions.INVALID_INPUT);
      }
      List<String> dirs = new ArrayList<>();
      for (Promise<MapperCheckpoint> member : members.values()) dirs.add(member.get().dir());
      List<Double> w = new ArrayList<>(weights.values());
      mapper = timed(name + " AverageParameters", () -> gpu.averageParameters(plan, dirs, w));
    } else {
      mapper = timed(name + " Finetune",
          () -> gpu.finetune(plan, in.strategy(), null, in.prepared(), in.backbones(), init));
    }
    String dir = mapper.dir();
    EvalSummary eval = timed(name + " Evaluate",
        () -> gpu.evaluate(plan, name, dir, in.backbones(), in.prepared()));
    return new StrategyResult(in.strategy(), mapper, eval, weights, seconds);
  }

  private <T> T timed(String stage, Supplier<T> call) {
    long start = Workflow.currentTimeMillis();
    T result = call.get();
    seconds.put(stage, (Workflow.currentTimeMillis() - start) / 1000.0);
    return result;
  }
}
