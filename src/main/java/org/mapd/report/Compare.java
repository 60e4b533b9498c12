package org.mapd.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.mapd.Json;
import org.mapd.conf.Mode;
import org.mapd.conf.Params;
import org.mapd.conf.Strategy;

/**
 * Runs side by side, from their histories alone: every strategy x task x shots x mode cell with one column per
 * run, the mean and its 95% intervals over runs and over queries, the paper's averages, the difference to a
 * baseline run flagged where its interval excludes zero, the plan parameters that differ, stage times, and
 * accuracy-vs-shots charts with error bars. Intervals: see {@link Intervals}.
 */
public final class Compare {
  public static final String MARKDOWN = "compare.md";
  public static final String JSON = "compare.json";
  public static final String CHART = "accuracy_vs_shots.png";
  /** The task name of the average rows. */
  public static final String AVERAGE = "average";

  static final Map<String, String> METHODS = methods();

  private Compare() {}

  /** compare.json's runs. */
  public record Run(String id, String plan, long seed, String fidelity, String status) {}

  /**
   * A cell or, with task {@value #AVERAGE} and no shots, a row's average over tasks and shots >= 1.
   *
   * @param values accuracy per run, null where the run has no such cell
   * @param queries query count per run (cells only)
   * @param ci95 over runs (Student's t), null with fewer than two values
   * @param ci95Queries over the queries of all runs (MOVER over each run's interval)
   */
  public record Row(String strategy, String task, Mode mode, Integer shots, List<Double> values,
      List<Integer> queries, Double mean, Interval ci95, @JsonProperty("ci95_queries") Interval ci95Queries) {}

  /** A run's difference to the baseline in one cell or average, with its interval over queries. */
  public record Difference(String run, String strategy, String task, Mode mode, Integer shots, double difference,
      Interval ci95, @JsonProperty("excludes_zero") boolean excludesZero) {}

  /** compare.json. */
  public record Result(List<Run> runs, List<Row> rows, List<Row> averages, String baseline,
      List<Difference> differences, List<Checks.OverRuns> checks, Map<String, List<String>> parameters,
      @JsonProperty("stage_seconds") Map<String, List<Double>> stageSeconds, Map<String, String> methods) {}

  private static Map<String, String> methods() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ci95", "95% interval over runs: Student's t with n-1 degrees of freedom on the runs' values, clipped to "
        + "[0, 1]; none with fewer than two runs.");
    m.put("ci95_queries", "95% interval over queries: Wilson score interval of each run's cell (k of n queries "
        + "correct), combined over runs and, for averages, over cells by MOVER (Zou and Donner 2008), which treats "
        + "them as independent; the same query images recur across shot counts, so an average's interval is "
        + "somewhat too narrow.");
    m.put("differences", "Run minus baseline, with MOVER's interval over queries (Newcombe's hybrid score interval "
        + "for one cell); flagged where it excludes zero. With many cells, about 1 in 20 is flagged by chance "
        + "alone when nothing differs.");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * @param baseline the id of one of the runs, or null for no differences
   */
  public static Result compare(List<RunHistory> runs, String baseline) {
    if (runs.isEmpty()) throw new IllegalArgumentException("nothing to compare");
    RunHistory base = null;
    if (baseline != null) {
      base = runs.stream().filter(r -> r.id().equals(baseline)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("--baseline " + baseline + " is not one of the runs compared ("
              + String.join(", ", runs.stream().map(RunHistory::id).toList()) + ")"));
    }
    List<String> names = rowNames(runs);
    List<String> tasks = tasks(runs);
    Set<Integer> shots = new TreeSet<>();
    for (RunHistory r : runs) for (Scores s : r.rows().values()) for (Scores.Cell c : s.cells()) shots.add(c.shots());

    List<Row> rows = new ArrayList<>();
    List<Row> averages = new ArrayList<>();
    List<Difference> differences = new ArrayList<>();
    for (String name : names) {
      for (Mode mode : Mode.values()) {
        Row average = row(runs, name, AVERAGE, mode, null, s -> s.average(mode).map(a -> new Estimate(a.accuracy(),
            null, a.ci95())));
        if (average != null) averages.add(average);
        for (String task : tasks) {
          for (int k : shots) {
            Row cell = row(runs, name, task, mode, k, s -> s.cell(task, mode, k).map(c -> new Estimate(c.accuracy(),
                c.queries(), c.ci95())));
            if (cell != null) rows.add(cell);
          }
        }
      }
    }
    if (base != null) {
      for (RunHistory run : runs) {
        if (run == base) continue;
        for (String name : names) {
          for (Mode mode : Mode.values()) {
            difference(run, base, name, AVERAGE, mode, null,
                s -> s.average(mode).map(a -> new Estimate(a.accuracy(), null, a.ci95()))).ifPresent(differences::add);
          }
        }
        for (Row cell : rows) {
          difference(run, base, cell.strategy(), cell.task(), cell.mode(), cell.shots(),
              s -> s.cell(cell.task(), cell.mode(), cell.shots()).map(c -> new Estimate(c.accuracy(), c.queries(),
                  c.ci95()))).ifPresent(differences::add);
        }
      }
    }
    List<Run> header = runs.stream().map(r -> new Run(r.id(), r.plan().name(), r.plan().seed(),
        r.plan().fidelity().json(), r.status())).toList();
    List<Checks.OverRuns> checks = Checks.overRuns(runs.stream().map(r -> inOrder(r.rows(), names)).toList());
    return new Result(header, rows, averages, baseline, differences, checks, parameters(runs), stageSeconds(runs),
        METHODS);
  }

  /** A run's rows in the comparison's row order. */
  private static Map<String, Scores> inOrder(Map<String, Scores> rows, List<String> names) {
    Map<String, Scores> out = new LinkedHashMap<>();
    for (String n : names) if (rows.containsKey(n)) out.put(n, rows.get(n));
    return out;
  }

  /** One value of one run: an accuracy, its query count (cells) and its interval over queries. */
  private record Estimate(double accuracy, Integer queries, Interval ci95) {}

  private static Row row(List<RunHistory> runs, String name, String task, Mode mode, Integer shots,
      Function<Scores, Optional<Estimate>> pick) {
    List<Estimate> perRun = runs.stream().map(r -> estimate(r, name, pick)).toList();
    List<Estimate> present = perRun.stream().filter(Objects::nonNull).toList();
    if (present.isEmpty()) return null;
    List<Double> values = present.stream().map(Estimate::accuracy).toList();
    return new Row(name, task, mode, shots, perRun.stream().map(e -> e == null ? null : e.accuracy()).toList(),
        shots == null ? null : perRun.stream().map(e -> e == null ? null : e.queries()).toList(),
        values.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), Intervals.overRuns(values),
        Intervals.mean(values, present.stream().map(Estimate::ci95).toList()));
  }

  private static Estimate estimate(RunHistory run, String name, Function<Scores, Optional<Estimate>> pick) {
    Scores s = run.rows().get(name);
    return s == null ? null : pick.apply(s).orElse(null);
  }

  private static Optional<Difference> difference(RunHistory run, RunHistory base, String name, String task,
      Mode mode, Integer shots, Function<Scores, Optional<Estimate>> pick) {
    Estimate a = estimate(run, name, pick);
    Estimate b = estimate(base, name, pick);
    if (a == null || b == null) return Optional.empty();
    Interval ci = Intervals.difference(a.accuracy(), a.ci95(), b.accuracy(), b.ci95());
    return Optional.of(new Difference(run.id(), name, task, mode, shots, a.accuracy() - b.accuracy(), ci,
        ci != null && ci.excludesZero()));
  }

  /** Strategies in the first plan's order, then references, then any other row, as found. */
  private static List<String> rowNames(List<RunHistory> runs) {
    Set<String> names = new LinkedHashSet<>();
    for (RunHistory r : runs) for (Strategy s : r.plan().strategies()) names.add(s.json());
    for (RunHistory r : runs) names.addAll(r.plan().references());
    for (RunHistory r : runs) names.addAll(r.rows().keySet());
    List<String> present = new ArrayList<>();
    for (String n : names) if (runs.stream().anyMatch(r -> r.rows().containsKey(n))) present.add(n);
    return present;
  }

  private static List<String> tasks(List<RunHistory> runs) {
    Set<String> tasks = new LinkedHashSet<>();
    for (RunHistory r : runs) tasks.addAll(r.plan().eval().tasks());
    for (RunHistory r : runs) for (Scores s : r.rows().values()) for (Scores.Cell c : s.cells()) tasks.add(c.task());
    return List.copyOf(tasks);
  }

  /** The plan parameters whose value is not the same in every run, with each run's value. */
  static Map<String, List<String>> parameters(List<RunHistory> runs) {
    List<Map<String, String>> flat = runs.stream().map(r -> Params.flatten(r.plan())).toList();
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String key : Params.differing(flat)) out.put(key, flat.stream().map(m -> m.getOrDefault(key, "–")).toList());
    return out;
  }

  private static Map<String, List<Double>> stageSeconds(List<RunHistory> runs) {
    Set<String> stages = new LinkedHashSet<>();
    for (RunHistory r : runs) stages.addAll(r.stageSeconds().keySet());
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (String s : stages) out.put(s, runs.stream().map(r -> r.stageSeconds().get(s)).toList());
    return out;
  }

  /** Writes compare.md, compare.json and the chart into {@code out}; returns compare.md. */
  public static Path write(List<RunHistory> runs, String baseline, Path out) {
    Result result = compare(runs, baseline);
    try {
      Files.createDirectories(out);
      Json.writeAtomic(out.resolve(JSON), result);
      List<Mode> modes = Arrays.stream(Mode.values())
          .filter(m -> result.averages().stream().anyMatch(a -> a.mode().equals(m))).toList();
      Charts.writePng(modes.stream().map(m -> chart(runs, m)).toList(), out.resolve(CHART));
      Path md = out.resolve(MARKDOWN);
      Json.writeAtomic(md, markdown(result).getBytes(StandardCharsets.UTF_8));
      return md;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the comparison into " + out, e);
    }
  }

  static String markdown(Result r) {
    StringBuilder md = new StringBuilder("# Comparison of ").append(r.runs().size()).append(" runs\n\n");
    md.append("| run | plan | seed | fidelity | status |\n|---|---|---:|---|---|\n");
    for (Run run : r.runs()) {
      md.append("| ").append(run.id()).append(" | ").append(run.plan()).append(" | ").append(run.seed()).append(" | ")
          .append(run.fidelity()).append(" | ").append(run.status()).append(" |\n");
    }
    md.append("\n## Plan parameters that differ\n\n");
    if (r.parameters().isEmpty()) {
      md.append("None: every run has the same plan.\n");
    } else {
      header(md, "parameter", r.runs(), "");
      r.parameters().forEach((k, v) ->
          md.append("| ").append(k).append(" | ").append(String.join(" | ", v)).append(" |\n"));
    }
    md.append("\n## Averages over tasks, shots >= ").append(Scores.AVERAGE_FROM_SHOTS).append("\n\n");
    md.append("Fixed-step accuracy in %; the mean over runs with its 95% interval over runs (seeds) and over "
        + "queries (see Methods).\n\n");
    header(md, "row | mode", r.runs(), " mean | 95% CI, runs | 95% CI, queries |");
    for (Row a : r.averages()) line(md, a.strategy() + " | " + a.mode(), a);
    if (!r.checks().isEmpty()) md.append('\n').append(Checks.markdownOverRuns(r.checks()));
    if (r.baseline() != null) differences(md, r);
    for (Mode mode : Mode.values()) {
      List<Row> cells = r.rows().stream().filter(c -> c.mode().equals(mode)).toList();
      if (cells.isEmpty()) continue;
      md.append("\n## ").append(mode.name()).append(" cells\n\n");
      header(md, "row | task | shots", r.runs(), " mean | 95% CI, runs | 95% CI, queries |");
      for (Row c : cells) line(md, c.strategy() + " | " + c.task() + " | " + c.shots(), c);
    }
    md.append("\n## Stage times (h:mm:ss)\n\n");
    md.append("As each workflow saw them: with waiting for a worker slot; near zero for a stage reused from an "
        + "earlier run.\n\n");
    header(md, "stage", r.runs(), "");
    r.stageSeconds().forEach((stage, values) -> {
      md.append("| ").append(stage).append(" |");
      for (Double v : values) md.append(' ').append(v == null ? "–" : Report.hms(v)).append(" |");
      md.append('\n');
    });
    md.append("\n![accuracy vs shots](").append(CHART).append(")\n\n");
    md.append("Mean accuracy over tasks per shot count, one line per row; error bars are the 95% interval over runs "
        + "when two or more runs are compared, over queries otherwise.\n\n## Methods\n\n");
    r.methods().values().forEach(m -> md.append("- ").append(m).append('\n'));
    return md.toString();
  }

  private static void differences(StringBuilder md, Result r) {
    md.append("\n## Difference to the baseline ").append(r.baseline()).append("\n\n");
    md.append("Percent points, run minus baseline, with the 95% interval over queries; `*` where it excludes "
        + "zero.\n\n| run | row | mode | difference | 95% CI | |\n|---|---|---|---:|---:|---|\n");
    for (Difference d : r.differences()) {
      if (!d.task().equals(AVERAGE)) continue;
      md.append("| ").append(d.run()).append(" | ").append(d.strategy()).append(" | ").append(d.mode()).append(" | ")
          .append(points(d.difference())).append(" | ").append(d.ci95() == null ? "–" : d.ci95().percent())
          .append(" | ").append(d.excludesZero() ? "*" : "").append(" |\n");
    }
    List<Difference> cells = r.differences().stream().filter(d -> !d.task().equals(AVERAGE)).toList();
    List<Difference> flagged = cells.stream().filter(Difference::excludesZero).toList();
    md.append("\nCells whose interval excludes zero: ").append(flagged.size()).append(" of ").append(cells.size())
        .append(" (about 1 in 20 would be by chance alone if nothing differed).\n");
    if (flagged.isEmpty()) return;
    md.append("\n| run | row | task | mode | shots | difference | 95% CI |\n|---|---|---|---|---:|---:|---:|\n");
    for (Difference d : flagged) {
      md.append("| ").append(d.run()).append(" | ").append(d.strategy()).append(" | ").append(d.task()).append(" | ")
          .append(d.mode()).append(" | ").append(d.shots()).append(" | ").append(points(d.difference())).append(" | ")
          .append(d.ci95().percent()).append(" |\n");
    }
  }

  private static void header(StringBuilder md, String first, List<Run> runs, String last) {
    md.append("| ").append(first).append(" |");
    for (Run run : runs) md.append(' ').append(run.id()).append(" |");
    md.append(last).append("\n|").append("---|".repeat(first.split("\\|").length));
    md.append("---:|".repeat(runs.size() + (last.isEmpty() ? 0 : 3))).append('\n');
  }

  private static void line(StringBuilder md, String first, Row row) {
    md.append("| ").append(first).append(" |");
    for (Double v : row.values()) md.append(' ').append(v == null ? "–" : points(v)).append(" |");
    md.append(' ').append(points(row.mean())).append(" | ").append(row.ci95() == null ? "–" : row.ci95().percent())
        .append(" | ").append(row.ci95Queries() == null ? "–" : row.ci95Queries().percent()).append(" |\n");
  }

  private static String points(double fraction) {
    return Interval.percent(fraction);
  }

  /** Mean over runs of the per-shot average over tasks; bars over runs (two or more), else over queries. */
  static JFreeChart chart(List<RunHistory> runs, Mode mode) {
    List<String> names = rowNames(runs);
    Map<String, List<Charts.Point>> lines = new LinkedHashMap<>();
    for (String name : names) {
      Set<Integer> shots = new TreeSet<>();
      for (RunHistory r : runs) {
        Scores s = r.rows().get(name);
        if (s != null) s.cells().stream().filter(c -> c.mode().equals(mode)).forEach(c -> shots.add(c.shots()));
      }
      List<Charts.Point> points = new ArrayList<>();
      for (int k : shots) {
        List<Scores.Average> at = new ArrayList<>();
        for (RunHistory r : runs) {
          Scores s = r.rows().get(name);
          if (s != null) s.averageAt(mode, k).ifPresent(at::add);
        }
        List<Double> values = at.stream().map(Scores.Average::accuracy).toList();
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        Interval ci = runs.size() >= 2 ? Intervals.overRuns(values) : at.get(0).ci95();
        points.add(new Charts.Point(k, mean, ci));
      }
      lines.put(name, points);
    }
    String over = runs.size() >= 2 ? "runs" : "queries";
    return Charts.accuracyVsShots(mode.name() + ": accuracy vs shots (95% CI over " + over + ")",
        names, lines);
  }
}
