package org.mapd.workflows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;
import org.mapd.conf.TrainConfig;
import org.mapd.conf.MemoryBudget;
import org.mapd.eval.EvalPlanCheck;
import org.mapd.eval.Evaluate;
import org.mapd.model.DecoderConfig;
import org.mapd.model.MapperConfig;
import org.mapd.model.MemoryModel;
import org.mapd.model.VisionConfig;
import org.mapd.train.FeatureCache;
import org.mapd.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks what the Plan record cannot check by itself: the files it names. Run before any work starts
 * (CLI and PrepareData activity), so that a typo fails in seconds with a message saying what to fix
 * instead of at the first stage that needs the file, hours later.
 */
public final class PlanCheck {
  private PlanCheck() {}

  /**
   * @param base the folder relative plan paths resolve against
   * @return the plan's training.json
   * @throws IllegalArgumentException listing every problem found
   */
  public static Training check(Plan plan, Path base) {
    List<String> problems = new ArrayList<>();
    Path conf = base.resolve(plan.conf());
    Training training = null;
    if (!Files.isRegularFile(conf.resolve("training.json"))) {
      problems.add("conf: " + conf.resolve("training.json") + " does not exist");
    } else {
      try {
        training = plan.training(base);
        for (Strategy s : plan.strategies()) training.strategy(s);
        if (plan.models().warmup() && training.warmup() == null) {
          problems.add("models.warmup is true but " + conf.resolve("training.json") + " has no warmup section");
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (!Files.isRegularFile(plan.mapperConfig(base))) {
      problems.add("conf: " + plan.mapperConfig(base) + " does not exist");
    }
    for (String[] model : new String[][] {{"models.vision", plan.models().vision()}, {"models.llm", plan.models().llm()}}) {
      Path config = base.resolve(model[1]).resolve("config.json");
      if (!Files.isRegularFile(config)) problems.add(model[0] + ": " + config + " does not exist");
    }
    Plan.DataPlan data = plan.data();
    if (data.synthSeed() == null && !Files.isDirectory(base.resolve(data.datasets()))) {
      problems.add("data.datasets: folder " + base.resolve(data.datasets()) + " does not exist");
    }
    if (data.synthSeed() == null && training != null && Files.isDirectory(base.resolve(data.datasets()).resolve("VL-ICL"))) {
      problems.addAll(EvalPlanCheck.problems(plan, base.resolve(data.datasets()).resolve("VL-ICL"), training.eval().nWay()));
    }
    if (training != null && problems.isEmpty() && training.memory().checkFit()) {
      problems.addAll(memoryProblems(plan, training, VisionConfig.load(base.resolve(plan.models().vision())),
          DecoderConfig.load(base.resolve(plan.models().llm())), Json.read(plan.mapperConfig(base), MapperConfig.class)));
    }
    if ("flink".equals(data.runner()) && data.flinkMaster() == null) {
      problems.add("data.flinkMaster is required with runner flink (host:port, or [local])");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("plan '" + plan.name() + "': " + String.join("; ", problems));
    }
    return training;
  }

  /**
   * Every training stage's largest possible micro-batch, one sequence at its maxLen (image placeholders
   * expand after truncation, as in the authors' code) with its images, against the device budget: a plan
   * that cannot fit is refused now rather than at the stage, after the ones before it ran for days.
   */
  public static List<String> memoryProblems(Plan plan, Training training, VisionConfig vision, DecoderConfig decoder,
      MapperConfig mapper) {
    MemoryModel model = new MemoryModel(vision, decoder, mapper, training.memory().recompute());
    int p = mapper.prefixLength();
    Map<String, MemoryModel.Chunk> worst = new LinkedHashMap<>();
    Map<String, Integer> innerSteps = new LinkedHashMap<>();
    TrainConfig pre = training.pretrain();
    worst.put("Pretrain", new MemoryModel.Chunk(1, pre.maxLen() + p - 1, 1, pre.maxLen()));
    for (Strategy s : plan.strategies()) {
      TrainConfig c = training.strategy(s);
      String stage = "Finetune " + s.json();
      // ICT fits its images into maxLen; every other sequence holds one image
      worst.put(stage, s == Strategy.ICT
          ? new MemoryModel.Chunk(1, c.maxLen(), c.ictContext() + 1, c.maxLen())
          : new MemoryModel.Chunk(1, c.maxLen() + p - 1, 1, c.maxLen()));
      innerSteps.put(stage, s == Strategy.MAPD ? c.innerSteps() : 0);
    }
    worst.put("Evaluate (FT support)", new MemoryModel.Chunk(1, Evaluate.SUPPORT_MAX_LEN + p - 1, 1, Evaluate.SUPPORT_MAX_LEN));
    List<String> problems = new ArrayList<>();
    MemoryBudget budget = training.memory();
    for (Map.Entry<String, MemoryModel.Chunk> e : worst.entrySet()) {
      int steps = innerSteps.getOrDefault(e.getKey(), 0);
      long need = model.activationBytes(e.getValue());
      long room = model.activationBudget(budget, steps, FeatureCache.BATCH);
      if (need > room) {
        problems.add("memory: " + e.getKey() + ": one " + e.getValue().length() + "-token sequence with "
            + e.getValue().images() + " image(s) needs " + MemoryBudget.human(need) + " of activations; memory.deviceGB "
            + budget.deviceGB() + " leaves " + MemoryBudget.human(Math.max(0, room)) + " after the reserve, the frozen "
            + "weights and mapper state (" + MemoryBudget.human(model.residentBytes(steps)) + "), the feature cache and "
            + "a vision batch (raise memory.deviceGB, lower maxLen, or set memory.recompute)");
      }
    }
    return problems;
  }
}
