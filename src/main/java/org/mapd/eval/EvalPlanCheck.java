package org.mapd.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mapd.conf.Plan;

/**
 * The evaluation grid against the tasks' data, before any stage runs: a shot count that a task cannot
 * supply would otherwise fail every Evaluate stage, after days of training.
 */
public final class EvalPlanCheck {
  private EvalPlanCheck() {}

  /** @return one line per problem, naming the task, the shots asked and the limit read from its files */
  public static List<String> problems(Plan plan, Path vlIcl, int nWay) {
    List<String> problems = new ArrayList<>();
    for (String task : plan.eval().tasks()) {
      Path dir = vlIcl.resolve(task);
      if (!Files.isRegularFile(dir.resolve("query.json"))) {
        problems.add("eval.tasks: " + dir.resolve("query.json") + " does not exist");
        continue;
      }
      VlIclTask.ShotLimit limit;
      try {
        limit = VlIclTask.load(vlIcl, task).shotLimit(nWay);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        continue;
      }
      int most = plan.eval().shots(task).stream().mapToInt(Integer::intValue).max().orElse(0);
      if (most > limit.shots()) {
        String field = plan.eval().taskShots().containsKey(task) ? "eval.taskShots." + task : "eval.shots";
        problems.add(field + ": task " + task + " allows at most " + limit.shots() + " shots (" + limit.reason()
            + " in " + dir + "), the plan asks for " + most);
      }
    }
    return problems;
  }
}
