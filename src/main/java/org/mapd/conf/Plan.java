package org.mapd.conf;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mapd.Json;

/**
 * One reproduction run, as a hand-writable JSON object (workflows/mini.json, workflows/paper.json). It
 * is the single input of ReproductionWorkflow; paths in it are resolved against the worker's working
 * directory (the repository root), so the UI's Start Workflow form takes the same text.
 *
 * @param name run name: prefix of workflow ids and the report folder
 * @param seed seed of every random choice of the run
 * @param fidelity authors' quirks or intended behaviour
 * @param conf folder with mapper.json and training.json
 * @param models backbone folders (HuggingFace layout)
 * @param data where the data comes from
 * @param strategies finetuning strategies to run
 * @param references reference rows evaluated like the strategies: pretrain_only, untrained
 * @param eval the evaluation grid
 */
public record Plan(
    String name,
    long seed,
    Fidelity fidelity,
    String conf,
    Models models,
    DataPlan data,
    List<Strategy> strategies,
    List<String> references,
    EvalPlan eval) {

  public static final Set<String> REFERENCES = Set.of("pretrain_only", "untrained");

  /**
   * @param vision folder with the vision tower's config.json (and its weights, unless warmed up)
   * @param llm folder with the decoder's config.json (and weights and tokenizer.json, unless warmed up)
   * @param warmup train the backbones first (mini plan only: tiny backbones cannot be downloaded)
   */
  public record Models(String vision, String llm, boolean warmup) {}

  /**
   * @param synthSeed generate synthetic data with this seed (mini plan), or null to read {@code datasets}
   * @param datasets folder of downloaded datasets in the authors' README layout
   * @param runner Beam runner: direct or flink
   * @param flinkMaster Flink master host:port or [local]; only with runner flink
   */
  public record DataPlan(Long synthSeed, String datasets, String runner, String flinkMaster) {}

  /**
   * @param tasks VL-ICL tasks
   * @param shots shot counts of every task without its own list
   * @param taskShots optional per-task shot lists, as VL-ICL defines them (open_mi has 5 images per class,
   *     so its list ends at 5 where the others end at 8)
   * @param modes icl and/or ft
   */
  public record EvalPlan(List<String> tasks, List<Integer> shots, Map<String, List<Integer>> taskShots,
      List<Mode> modes) {
    public EvalPlan {
      taskShots = taskShots == null ? Map.of() : Map.copyOf(taskShots);
    }

    /** The shot counts evaluated for {@code task}. */
    public List<Integer> shots(String task) {
      return taskShots.getOrDefault(task, shots);
    }

    /** Every shot count of any task, ascending: the columns of the report. */
    public List<Integer> allShots() {
      java.util.TreeSet<Integer> all = new java.util.TreeSet<>(shots);
      for (String t : tasks) all.addAll(shots(t));
      return List.copyOf(all);
    }
  }

  public Plan {
    require(name != null && name.matches("[A-Za-z0-9._-]+"), "name must match [A-Za-z0-9._-]+");
    require(fidelity != null, "fidelity is required (authors or intended)");
    require(conf != null, "conf is required (e.g. conf/mini)");
    require(models != null && models.vision() != null && models.llm() != null,
        "models.vision and models.llm are required");
    require(data != null, "data is required");
    require(data.synthSeed() != null || data.datasets() != null,
        "data needs synthSeed (synthetic data) or datasets (a folder)");
    require(data.runner() == null || Set.of("direct", "flink").contains(data.runner()),
        "data.runner must be direct or flink");
    require(strategies != null && !strategies.isEmpty(), "strategies must list at least one strategy");
    references = references == null ? List.of() : List.copyOf(references);
    for (String r : references) {
      require(REFERENCES.contains(r), "unknown reference '" + r + "' (known: " + REFERENCES + ")");
    }
    require(eval != null && eval.tasks() != null && !eval.tasks().isEmpty(), "eval.tasks is required");
    require(eval.shots() != null && !eval.shots().isEmpty(), "eval.shots is required");
    for (int s : eval.shots()) require(s >= 0, "eval.shots must be >= 0");
    for (Map.Entry<String, List<Integer>> e : eval.taskShots().entrySet()) {
      require(eval.tasks().contains(e.getKey()), "eval.taskShots names '" + e.getKey() + "', which is not in eval.tasks");
      require(e.getValue() != null && !e.getValue().isEmpty(), "eval.taskShots." + e.getKey() + " must list shot counts");
      for (int s : e.getValue()) require(s >= 0, "eval.taskShots." + e.getKey() + " must be >= 0");
    }
    require(eval.modes() != null && !eval.modes().isEmpty() && eval.modes().stream().allMatch(m -> m != null),
        "eval.modes must list icl and/or ft");
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException("plan: " + message);
  }

  /** The same plan with another seed: `mapd reproduce --seeds` runs one plan over several. */
  public Plan withSeed(long newSeed) {
    return new Plan(name, newSeed, fidelity, conf, models, data, strategies, references, eval);
  }

  public static Plan load(Path file) {
    return Json.read(file, Plan.class);
  }

  /** conf/.../training.json, resolved against {@code base}. */
  public Training training(Path base) {
    return Json.read(base.resolve(conf).resolve("training.json"), Training.class);
  }

  /** conf/.../mapper.json, resolved against {@code base}. */
  public Path mapperConfig(Path base) {
    return base.resolve(conf).resolve("mapper.json");
  }
}
