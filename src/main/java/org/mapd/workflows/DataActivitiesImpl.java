package org.mapd.workflows;

import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.conf.Params;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;
import org.mapd.eval.EvalPlanCheck;
import org.mapd.pipelines.PrepareData;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.mapd.pipelines.SplitRules;
import org.mapd.report.Report;

/**
 * @param base folder relative plan paths resolve against (the repository root)
 * @param store the work folder's stage outputs
 */
public record DataActivitiesImpl(Path base, StageStore store, Stages stages, StageListener listener)
    implements DataActivities {

  @Override
  public PrepareResult prepareData(Plan plan) {
    Training training;
    SplitRules rules;
    try {
      training = PlanCheck.check(plan, base);
      rules = SplitRules.loadDefault();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), StageOptions.INVALID_INPUT);
    }
    Plan.DataPlan data = plan.data();
    StageKey key = new StageKey("prepare")
        .value("seed", plan.seed())
        .value("data", data)
        // The manifests' sizes and epochs come from the strategies' settings.
        .value("strategies", training.strategies())
        // ICT groups are drawn as the fidelity says.
        .value("fidelity", plan.fidelity())
        // Every file the stage reads: the split rules, and the dataset files they name (generated data is the synthSeed's).
        .file("split_rules.json", SplitRules.defaultFile());
    if (data.synthSeed() == null) {
      key.value("inputs", PrepareData.inputStamps(base.resolve(data.datasets()), rules));
    }
    return StageRun.run(store, listener, "PrepareData", key, PrepareResult.class, (out, progress) -> {
      Path datasets;
      if (data.synthSeed() != null) {
        datasets = out.resolve("source");
        stages.synth(datasets, data.synthSeed());
        // Real datasets were checked with the plan; generated ones can only be checked now, still before training.
        List<String> problems = EvalPlanCheck.problems(plan, datasets.resolve("VL-ICL"), training.eval().nWay());
        if (!problems.isEmpty()) throw new IllegalArgumentException("plan '" + plan.name() + "': " + String.join("; ", problems));
      } else {
        datasets = base.resolve(data.datasets());
      }
      Path prepared = out.resolve("prepared");
      PrepareOptions options = PrepareOptions.forRunner(data.runner() == null ? "direct" : data.runner());
      options.setFlinkMaster(data.flinkMaster());
      options.setDatasets(datasets.toString());
      options.setOut(prepared.toString());
      options.setSeed(plan.seed());
      options.setFidelity(plan.fidelity());
      options.setTraining(training);
      PrepareSummary summary = stages.prepare(options);
      return new PrepareResult(prepared.toString(), prepared.resolve("VL-ICL").toString(), summary.datasets());
    });
  }

  @Override
  public String report(Plan plan, Map<String, Long> datasets, List<String> resultFiles, Map<String, Double> stageSeconds,
      String runId, Map<String, String> failed) {
    Path out = store.runDir(runId).resolve("report");
    listener.started("Report", out, null);
    try {
      Path md = Report.write(plan, datasets, resultFiles.stream().map(Path::of).toList(), stageSeconds,
          failed == null ? Map.of() : failed, out);
      listener.finished("Report", out, false);
      return md.toString();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "Report: " + e.getMessage(), StageOptions.INVALID_INPUT);
    }
  }

  @Override
  public Map<String, Map<String, String>> settings(Plan plan) {
    try {
      Training training = plan.training(base);
      Map<String, Map<String, String>> out = new LinkedHashMap<>();
      for (Strategy s : plan.strategies()) out.put(s.json(), Params.flatten(training.strategy(s)));
      return out;
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure("ReadSettings: " + e.getMessage(), StageOptions.INVALID_INPUT);
    }
  }
}
