package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
import java.util.function.Supplier;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Strategy;
import org.mapd.conf.TrainConfig;
import org.mapd.conf.Training;
import org.mapd.data.Seeds;

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

  public static Path tasksFile(Path out, Strategy strategy, int epoch) {
    return out.resolve("tasks").resolve(strategy.json()).resolve("epoch-" + epoch + ".jsonl");
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
   * Writes the manifests of every strategy present in {@code training.strategies()}, one file per core at
   * a time (each file has its own random stream, so the order of writing changes nothing).
   *
   * @param sizes dataset name to record count, in a fixed order
   * @param fidelity how ICT groups are drawn ({@link Fidelity#ictDrawsThirtyGroups})
   * @return notes on datasets too small for a strategy
   */
  public static List<String> write(Path out, Map<String, Long> sizes, Training training, long seed, Fidelity fidelity) {
    List<Supplier<List<String>>> files = new ArrayList<>(); // each writes one file and returns its notes
    for (Strategy strategy : List.of(Strategy.MAPD, Strategy.MULTITASK)) {
      if (!training.has(strategy)) continue;
      TrainConfig c = training.strategy(strategy);
      for (int e = 0; e < c.epochs(); e++) {
        int epoch = e;
        files.add(() -> {
          List<String> notes = new ArrayList<>();
          List<MetaTask> tasks = metaTasks(sizes, c.kSupport(), c.kQuery(), random(seed, strategy.json(), epoch), notes);
          write(tasksFile(out, strategy, epoch), tasks.size(), (i, g) -> {
            MetaTask t = tasks.get(i);
            g.writeStringField("dataset", t.dataset());
            ints(g, "support", t.support());
            ints(g, "query", t.query());
          });
          return epoch == 0 ? notes : List.of();
        });
      }
    }
    if (training.has(Strategy.ICT)) {
      TrainConfig c = training.strategy(Strategy.ICT);
      for (int e = 0; e < c.epochs(); e++) {
        int epoch = e;
        files.add(() -> {
          List<String> notes = new ArrayList<>();
          List<IctSample> samples = ict(sizes, c.ictContext(), fidelity.ictDrawsThirtyGroups(), random(seed, "ict", epoch), notes);
          write(tasksFile(out, Strategy.ICT, epoch), samples.size(), (i, g) -> {
            IctSample x = samples.get(i);
            g.writeStringField("dataset", x.dataset());
            ints(g, "context", x.context());
            g.writeNumberField("query", x.query());
          });
          return epoch == 0 ? notes : List.of();
        });
      }
    }
    if (training.has(Strategy.NOMETATASK)) {
      // every example of every dataset once, shuffled: position p is example p - first[d] of dataset d
      List<String> names = new ArrayList<>(sizes.keySet());
      long[] first = new long[names.size() + 1];
      for (int d = 0; d < names.size(); d++) first[d + 1] = first[d] + sizes.get(names.get(d));
      for (int e = 0; e < training.strategy(Strategy.NOMETATASK).epochs(); e++) {
        int epoch = e;
        files.add(() -> {
          int[] order = Seeds.permutation((int) first[names.size()], random(seed, "nometatask", epoch));
          write(tasksFile(out, Strategy.NOMETATASK, epoch), order.length, (i, g) -> {
            int d = java.util.Arrays.binarySearch(first, order[i]);
            d = d >= 0 ? d : -d - 2;
            while (first[d + 1] == first[d]) d++; // empty datasets share a start
            g.writeStringField("dataset", names.get(d));
            g.writeNumberField("index", order[i] - first[d]);
          });
          return List.of();
        });
      }
    }
    if (training.has(Strategy.MODELAVG)) {
      for (int e = 0; e < training.strategy(Strategy.MODELAVG).epochs(); e++) {
        int epoch = e;
        files.add(() -> { // one random stream across the datasets of an epoch
          Random r = random(seed, "modelavg", epoch);
          for (Map.Entry<String, Long> d : sizes.entrySet()) {
            int[] order = Seeds.permutation(d.getValue().intValue(), r);
            write(modelAvgFile(out, d.getKey(), epoch), order.length, (i, g) -> {
              g.writeStringField("dataset", d.getKey());
              g.writeNumberField("index", order[i]);
            });
          }
          return List.of();
        });
      }
    }
    List<String> notes = new ArrayList<>();
    for (List<String> n : files.parallelStream().map(Supplier::get).toList()) notes.addAll(n);
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
        if (n > 0) notes.add(d.getKey() + ": " + n + " records < " + k + " per meta-task, no tasks");
        continue;
      }
      int[] perm = Seeds.permutation(n, r);
      for (int start = 0; start < n; start += k) {
        List<Integer> group = new ArrayList<>(k);
        for (int i = start; i < Math.min(n, start + k); i++) group.add(perm[i]);
        if (group.size() < k) topUp(group, k, n, r);
        tasks.add(new MetaTask(d.getKey(), List.copyOf(group.subList(0, kSupport)), List.copyOf(group.subList(kSupport, k))));
      }
    }
    Collections.shuffle(tasks, r);
    return tasks;
  }

  /** Groups drawn at a time by the authors' create_batch_ict (its inner_batch, "for faster creation"). */
  static final int AUTHORS_GROUPS_PER_DRAW = 30;

  /**
   * Disjoint groups of {@code context} + 1 examples of one dataset, the last of each the query: about
   * |D| / (context + 1) samples per dataset and epoch, as the authors' create_batch_ict draws them. Per
   * dataset, a permutation is cut into draws of whole groups; the last, partial draw is topped up with
   * random other examples of the dataset and shuffled. With {@code authorsDraws} a draw is 30 groups, and
   * the topped-up draw comes twice, shuffled anew, when more than half of it was new: the authors count only
   * the top-up towards the dataset size, so their loop runs once more over the same examples. Otherwise a
   * draw is one group and the topped-up one comes once. A dataset smaller than 30 groups, where the
   * authors' code fails (it samples more than there is), is drawn a group at a time. All samples are
   * shuffled together.
   */
  static List<IctSample> ict(Map<String, Long> sizes, int context, boolean authorsDraws, Random r, List<String> notes) {
    int group = context + 1;
    List<IctSample> l = new ArrayList<>();
    for (Map.Entry<String, Long> d : sizes.entrySet()) {
      int n = d.getValue().intValue();
      if (n < group) {
        if (n > 0) notes.add(d.getKey() + ": " + n + " records < " + group + " per ICT sample, no samples");
        continue;
      }
      int draw = authorsDraws && n >= AUTHORS_GROUPS_PER_DRAW * group ? AUTHORS_GROUPS_PER_DRAW * group : group;
      int[] perm = Seeds.permutation(n, r);
      List<List<Integer>> draws = new ArrayList<>();
      int full = n / draw * draw;
      for (int start = 0; start < full; start += draw) {
        List<Integer> x = new ArrayList<>(draw);
        for (int i = start; i < start + draw; i++) x.add(perm[i]);
        draws.add(x);
      }
      int fresh = n - full;
      if (fresh > 0) {
        List<Integer> tail = new ArrayList<>(draw);
        for (int i = full; i < n; i++) tail.add(perm[i]);
        topUp(tail, draw, n, r);
        Collections.shuffle(tail, r);
        draws.add(tail);
        if (authorsDraws && 2 * fresh > draw) {
          List<Integer> again = new ArrayList<>(tail);
          Collections.shuffle(again, r);
          draws.add(again);
        }
      }
      for (List<Integer> x : draws) {
        for (int start = 0; start < x.size(); start += group) {
          l.add(new IctSample(d.getKey(), List.copyOf(x.subList(start, start + context)), x.get(start + context)));
        }
      }
    }
    Collections.shuffle(l, r);
    return l;
  }

  /** Fills a partial group up to {@code size} with other examples of the dataset, in the order of a new permutation. */
  private static void topUp(List<Integer> group, int size, int n, Random r) {
    Set<Integer> in = new HashSet<>(group);
    for (int i : Seeds.permutation(n, r)) if (group.size() < size && !in.contains(i)) group.add(i);
  }

  private interface Line {
    void write(int i, JsonGenerator g) throws IOException;
  }

  /** Writes lines 0..n-1 as compact JSON objects, one per line ({@link Dirs#writeAtomic}). */
  private static void write(Path file, int n, Line line) {
    Dirs.writeAtomic(file, tmp -> {
      try (JsonGenerator g = Checks.COMPACT.getFactory().createGenerator(
          new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        g.setRootValueSeparator(new SerializedString("\n"));
        for (int i = 0; i < n; i++) {
          g.writeStartObject();
          line.write(i, g);
          g.writeEndObject();
        }
        if (n > 0) g.writeRaw('\n');
      }
    });
  }

  private static void ints(JsonGenerator g, String field, List<Integer> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (int v : values) g.writeNumber(v);
    g.writeEndArray();
  }
}
