package org.mapd.workflows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.conf.Training;

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
        for (Strategy s : plan.strategies()) training.strategy(s.json());
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
    if ("flink".equals(data.runner()) && data.flinkMaster() == null) {
      problems.add("data.flinkMaster is required with runner flink (host:port, or [local])");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("plan '" + plan.name() + "': " + String.join("; ", problems));
    }
    return training;
  }
}
