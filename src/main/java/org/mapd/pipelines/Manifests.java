package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.mapd.Json;
import org.mapd.conf.TrainConfig;
import org.mapd.conf.Training;

/**
 * The per-epoch sampling of every finetuning strategy, written once by the preparation as JSONL files
 * under OUT/tasks/ so that training only reads indices into the {ds}_dataset.json arrays. Each
 * (strategy, epoch) has its own random stream derived from the seed: same seed, same files.
 */
public final class Manifests {
  private Manifests() {}

  /** One MAPD or Multi-Task meta-task: support and query indices of one dataset. */
  public record MetaTask(String dataset, List<Integer> support, List<Integer> query) {}

  /** One ICT sample: context examples and the query of one dataset. */
  public record IctSample(String dataset, List<Integer> context, int query) {}

  /** One example of the NoMetaTask mixture or a ModelAvg dataset. */
  public record Example(String dataset, int index) {}

  public static Path tasksFile(Path out, String strategy, int epoch) {
    return out.resolve("tasks").resolve(strategy).resolve("epoch-" + epoch + ".jsonl");
  }

  public static Path modelAvgFile(Path out, String dataset, int epoch) {
    return out.resolve("tasks").resolve("modelavg").resolve(dataset).resolve("epoch-" + epoch + ".jsonl");
  }

  public static List<MetaTask> readTasks(Path file) { return readLines(file, MetaTask.class); }

  public static List<IctSample> readIct(Path file) { return readLines(file, IctSample.class); }

  public static List<Example> readExamples(Path file) { return readLines(file, Example.class); }

  private static <T> List<T> readLines(Path file, Class<T> type) {
    try {
      List<T> l = new ArrayList<>();
      for (String line : Files.readAllLines(file)) if (!line.isBlank()) l.add(Json.MAPPER.readValue(line, type));
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Random random(long seed, String strategy, int epoch) {
    return new Random(seed * 0x9E3779B97F4A7C15L + strategy.hashCode() * 1_000_003L + epoch);
  }

  /**
   * Writes the manifests of every strategy present in {@code training.strategies()}.
   *
   * @param sizes dataset name to record count, in a fixed order
   * @return notes on datasets too small for a strategy
   */
  public static List<String> write(Path out, Map<String, Long> sizes, Training training, long seed) {
    List<String> notes = new ArrayList<>();
    Map<String, TrainConfig> s = training.strategies();
    for (String name : List.of("mapd", "multitask")) {
      if (!s.containsKey(name)) continue;
      TrainConfig c = s.get(name);
      for (int e = 0; e < c.epochs(); e++) {
        write(tasksFile(out, name, e), metaTasks(sizes, c.kSupport(), c.kQuery(), random(seed, name, e), e == 0 ? notes : null));
      }
    }
    if (s.containsKey("ict")) {
      TrainConfig c = s.get("ict");
      for (int e = 0; e < c.epochs(); e++) {
        write(tasksFile(out, "ict", e), ict(sizes, c.ictContext(), random(seed, "ict", e), e == 0 ? notes : null));
      }
    }
    if (s.containsKey("nometatask")) {
      for (int e = 0; e < s.get("nometatask").epochs(); e++) {
        List<Example> all = new ArrayList<>();
        sizes.forEach((ds, n) -> { for (int i = 0; i < n; i++) all.add(new Example(ds, i)); });
        Collections.shuffle(all, random(seed, "nometatask", e));
        write(tasksFile(out, "nometatask", e), all);
      }
    }
    if (s.containsKey("modelavg")) {
      for (int e = 0; e < s.get("modelavg").epochs(); e++) {
        Random r = random(seed, "modelavg", e);
        for (Map.Entry<String, Long> d : sizes.entrySet()) {
          List<Example> l = new ArrayList<>();
          for (int i = 0; i < d.getValue(); i++) l.add(new Example(d.getKey(), i));
          Collections.shuffle(l, r);
          write(modelAvgFile(out, d.getKey(), e), l);
        }
      }
    }
    return notes;
  }

  /**
   * Per dataset: disjoint groups of K = kSupport + kQuery drawn without replacement; the last partial
   * group is topped up with random other examples of the dataset; all tasks shuffled together.
   */
  static List<MetaTask> metaTasks(Map<String, Long> sizes, int kSupport, int kQuery, Random r, List<String> notes) {
    int k = kSupport + kQuery;
    List<MetaTask> tasks = new ArrayList<>();
    for (Map.Entry<String, Long> d : sizes.entrySet()) {
      int n = d.getValue().intValue();
      if (n < k) {
        if (notes != null && n > 0) notes.add(d.getKey() + ": " + n + " records < " + k + " per meta-task, no tasks");
        continue;
      }
      List<Integer> perm = permutation(n, r);
      for (int start = 0; start < n; start += k) {
        List<Integer> group = new ArrayList<>(perm.subList(start, Math.min(n, start + k)));
        if (group.size() < k) {
          Set<Integer> in = new HashSet<>(group);
          List<Integer> others = new ArrayList<>();
          for (int i : permutation(n, r)) if (!in.contains(i)) others.add(i);
          group.addAll(others.subList(0, k - group.size()));
        }
        tasks.add(new MetaTask(d.getKey(), List.copyOf(group.subList(0, kSupport)), List.copyOf(group.subList(kSupport, k))));
      }
    }
    Collections.shuffle(tasks, r);
    return tasks;
  }

  /** Every example once as a query, with {@code context} distinct other examples of its dataset. */
  static List<IctSample> ict(Map<String, Long> sizes, int context, Random r, List<String> notes) {
    List<IctSample> l = new ArrayList<>();
    for (Map.Entry<String, Long> d : sizes.entrySet()) {
      int n = d.getValue().intValue();
      if (n <= context) {
        if (notes != null && n > 0) notes.add(d.getKey() + ": " + n + " records <= " + context + " ICT context, no samples");
        continue;
      }
      for (int q : permutation(n, r)) {
        Set<Integer> seen = new HashSet<>();
        List<Integer> ctx = new ArrayList<>(context);
        while (ctx.size() < context) {
          int i = r.nextInt(n);
          if (i != q && seen.add(i)) ctx.add(i);
        }
        l.add(new IctSample(d.getKey(), ctx, q));
      }
    }
    Collections.shuffle(l, r);
    return l;
  }

  private static List<Integer> permutation(int n, Random r) {
    List<Integer> p = new ArrayList<>(n);
    for (int i = 0; i < n; i++) p.add(i);
    Collections.shuffle(p, r);
    return p;
  }

  private static void write(Path file, List<?> lines) {
    List<String> json = new ArrayList<>(lines.size());
    try {
      for (Object o : lines) json.add(Checks.COMPACT.writeValueAsString(o));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Writers.writeLines(file, "", json, "\n", json.isEmpty() ? "" : "\n");
  }
}
