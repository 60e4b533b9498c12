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
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.train.MapperCheckpoint;

/**
 * ModelAvg fans out one Finetune per dataset (sorted by name, so replay sees the same order). Each stage's
 * activity summary names the strategy (and dataset), e.g. "Finetune modelavg/gqa".
 */
public final class StrategyWorkflowImpl implements StrategyWorkflow {
  private RunStatus status;

  @Override
  public StrategyResult run(StrategyInput in) {
    boolean readable = Workflow.getVersion(ReproductionWorkflowImpl.READABLE_RUNS, Workflow.DEFAULT_VERSION, 1) == 1;
    Plan plan = in.plan();
    String name = in.strategy().json();
    status = new RunStatus(Workflow.getInfo().getWorkflowId(), plan, readable);
    String init = in.pretrained().dir();
    Map<String, Double> weights = new LinkedHashMap<>();
    MapperCheckpoint mapper;
    if (in.strategy() == Strategy.MODELAVG) {
      Map<String, Promise<MapperCheckpoint>> members = new LinkedHashMap<>();
      for (Map.Entry<String, Long> dataset : new TreeMap<>(in.prepared().datasets()).entrySet()) {
        if (dataset.getValue() <= 0) continue;
        String ds = dataset.getKey();
        String stage = "Finetune " + name + "/" + ds;
        members.put(ds, status.runAsync(stage, () -> Async.function(gpu(stage)::finetune, plan, in.strategy(), ds,
            in.prepared(), in.backbones(), init)));
        weights.put(ds, dataset.getValue().doubleValue());
      }
      if (members.isEmpty()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "modelavg: the prepared data has no non-empty dataset to train on", StageOptions.INVALID_INPUT);
      }
      List<String> dirs = new ArrayList<>();
      for (Promise<MapperCheckpoint> member : members.values()) dirs.add(member.get().dir());
      List<Double> w = new ArrayList<>(weights.values());
      String stage = "AverageParameters " + name;
      mapper = status.run(stage, () -> gpu(stage).averageParameters(plan, dirs, w));
    } else {
      String stage = "Finetune " + name;
      mapper = status.run(stage,
          () -> gpu(stage).finetune(plan, in.strategy(), null, in.prepared(), in.backbones(), init));
    }
    String dir = mapper.dir();
    String stage = "Evaluate " + name;
    Evaluation evaluation = status.run(stage, () -> gpu(stage).evaluate(plan, name, dir, in.backbones(), in.prepared()));
    status.scored(evaluation);
    if (readable) RunAttributes.upsertAverages(evaluation.scores());
    status.phase("done");
    return new StrategyResult(in.strategy(), mapper, evaluation, weights, status.seconds());
  }

  private static TrainingActivities gpu(String summary) {
    return Workflow.newActivityStub(TrainingActivities.class, StageOptions.summarized(StageOptions.GPU, summary));
  }

  @Override
  public RunProgress progress() {
    return status == null ? null : status.progress();
  }
}
