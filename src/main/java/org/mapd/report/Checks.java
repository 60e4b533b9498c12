package org.mapd.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.mapd.conf.Mode;

/**
 * Checks of the implementation, not claims about the method: does each trained row beat the random mapper,
 * does FT adaptation improve on 0 shots, does ICL improve with shots. Each is a difference of fixed-step
 * accuracies with its 95% interval over queries (MOVER, see {@link Intervals}) and, over several runs, also over
 * runs (Student's t). A check holds when the interval lies above zero. Limit: the same query images recur
 * across shot counts, so the shot differences are paired, and treating them as independent makes their
 * intervals somewhat too wide (the differences to the random mapper are between independent mappers).
 */
public final class Checks {
  /** The reference row with a seeded random mapper. */
  public static final String RANDOM_MAPPER = "untrained";

  private Checks() {}

  /** What a check compares. */
  public enum Kind {
    BEATS_RANDOM("FT avg, shots >= 1, minus the random mapper's", "trained mapper beats the random one"),
    FT_ADAPTS("FT at the most shots minus FT at 0 shots", "FT adaptation improves on 0 shots"),
    ICL_USES_SHOTS("ICL at the most shots minus ICL at 0 shots", "ICL improves with shots");

    final String compares;
    final String question;

    Kind(String compares, String question) {
      this.compares = compares;
      this.question = question;
    }

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One check of one row in one run.
   *
   * @param difference accuracy difference, a fraction
   * @param ci95 its 95% interval over queries, null if a cell had no query count
   */
  public record Check(String row, String kind, double difference, Interval ci95, boolean holds) {}

  /**
   * One check of one row over runs.
   *
   * @param values the difference per run
   * @param ci95Queries the MOVER mean of the runs' intervals over queries
   * @param ci95Runs Student's t over the runs' values, null below two runs
   */
  public record OverRuns(String row, String kind, List<Double> values, double mean,
      @JsonProperty("ci95_queries") Interval ci95Queries, @JsonProperty("ci95_runs") Interval ci95Runs,
      @JsonProperty("holds_over_queries") boolean holdsOverQueries,
      @JsonProperty("holds_over_runs") Boolean holdsOverRuns) {}

  /** Every check of one run, rows in the given order; the random mapper is not compared with itself. */
  public static List<Check> of(Map<String, Scores> rows) {
    List<Check> out = new ArrayList<>();
    Scores random = rows.get(RANDOM_MAPPER);
    for (Map.Entry<String, Scores> e : rows.entrySet()) {
      String row = e.getKey();
      Scores s = e.getValue();
      if (random != null && !row.equals(RANDOM_MAPPER)) {
        difference(s.average(Mode.FT), random.average(Mode.FT)).ifPresent(d -> out.add(check(row, Kind.BEATS_RANDOM, d)));
      }
      shotGain(s, Mode.FT).ifPresent(d -> out.add(check(row, Kind.FT_ADAPTS, d)));
      shotGain(s, Mode.ICL).ifPresent(d -> out.add(check(row, Kind.ICL_USES_SHOTS, d)));
    }
    return out;
  }

  /** The same checks over several runs of one plan: rows and kinds in the first run's order. */
  public static List<OverRuns> overRuns(List<Map<String, Scores>> runs) {
    List<List<Check>> perRun = runs.stream().map(Checks::of).toList();
    List<OverRuns> out = new ArrayList<>();
    for (Check first : perRun.isEmpty() ? List.<Check>of() : perRun.get(0)) {
      List<Check> same = new ArrayList<>();
      for (List<Check> checks : perRun) {
        checks.stream().filter(c -> c.row().equals(first.row()) && c.kind().equals(first.kind())).findFirst()
            .ifPresent(same::add);
      }
      List<Double> values = same.stream().map(Check::difference).toList();
      double mean = values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      Interval queries = Intervals.meanOfAny(values, same.stream().map(Check::ci95).toList());
      Interval overRuns = Intervals.overRunsOfAny(values);
      out.add(new OverRuns(first.row(), first.kind(), values, mean, queries, overRuns, above(queries),
          overRuns == null ? null : above(overRuns)));
    }
    return out;
  }

  /** Markdown: one line per row, one column per check, "+d [lo, hi] yes|no". */
  public static String markdown(List<Check> checks) {
    StringBuilder md = new StringBuilder(intro());
    md.append("| row |");
    for (Kind k : Kind.values()) md.append(' ').append(k.question).append(" |");
    md.append("\n|---|").append("---:|".repeat(Kind.values().length)).append('\n');
    for (String row : rows(checks, Check::row)) {
      md.append("| ").append(row).append(" |");
      for (Kind k : Kind.values()) {
        Optional<Check> c = checks.stream().filter(x -> x.row().equals(row) && x.kind().equals(k.json())).findFirst();
        md.append(' ').append(c.map(x -> points(x.difference()) + " " + interval(x.ci95()) + " " + verdict(x.holds()))
            .orElse("–")).append(" |");
      }
      md.append('\n');
    }
    return md.append('\n').toString();
  }

  /** Markdown over runs: per row and check the runs' values, the mean and both intervals. */
  public static String markdownOverRuns(List<OverRuns> checks) {
    StringBuilder md = new StringBuilder(intro());
    md.append("Over runs: the mean of the runs' differences, its interval over the queries of all runs (MOVER) "
        + "and over runs (Student's t, wide with few runs).\n\n");
    md.append("| row | check | per run | mean | 95% CI, queries | holds | 95% CI, runs | holds |\n"
        + "|---|---|---|---:|---:|---|---:|---|\n");
    for (OverRuns c : checks) {
      md.append("| ").append(c.row()).append(" | ").append(Kind.valueOf(c.kind().toUpperCase(Locale.ROOT)).question)
          .append(" | ").append(String.join(" / ", c.values().stream().map(Checks::points).toList())).append(" | ")
          .append(points(c.mean())).append(" | ").append(interval(c.ci95Queries())).append(" | ")
          .append(verdict(c.holdsOverQueries())).append(" | ").append(interval(c.ci95Runs())).append(" | ")
          .append(c.holdsOverRuns() == null ? "–" : verdict(c.holdsOverRuns())).append(" |\n");
    }
    return md.toString();
  }

  private static String intro() {
    StringBuilder md = new StringBuilder("## Implementation checks\n\n");
    md.append("Checks that the code does its job, not claims about the method. Each is a difference of "
        + "fixed-step accuracies in percent points with its 95% interval; it holds (`yes`) when the interval lies "
        + "above zero.\n\n");
    for (Kind k : Kind.values()) md.append("- ").append(k.question).append(": ").append(k.compares).append(".\n");
    md.append("- A row that fails the first check learned nothing usable from its training; one that fails the "
        + "second gained nothing from FT on the support set (gradients not reaching the mapper, or steps too "
        + "small); ICL gains are reported, not required: a tiny decoder may not learn to use in-context examples."
        + " Shot differences reuse the same query images, so their intervals are somewhat too wide.\n\n");
    return md.toString();
  }

  /** a - b of two averages with the MOVER interval of the difference. */
  private static Optional<Diff> difference(Optional<Scores.Average> a, Optional<Scores.Average> b) {
    if (a.isEmpty() || b.isEmpty()) return Optional.empty();
    Scores.Average x = a.get();
    Scores.Average y = b.get();
    return Optional.of(new Diff(x.accuracy() - y.accuracy(), Intervals.difference(x.accuracy(), x.ci95(), y.accuracy(),
        y.ci95())));
  }

  /** The average over tasks at the largest shot count minus at 0 shots, if both exist. */
  private static Optional<Diff> shotGain(Scores s, Mode mode) {
    TreeSet<Integer> shots = new TreeSet<>();
    s.cells().stream().filter(c -> c.mode().equals(mode)).forEach(c -> shots.add(c.shots()));
    if (shots.size() < 2 || shots.first() != 0) return Optional.empty();
    return difference(s.averageAt(mode, shots.last()), s.averageAt(mode, 0));
  }

  private record Diff(double value, Interval ci95) {}

  private static Check check(String row, Kind kind, Diff d) {
    return new Check(row, kind.json(), d.value(), d.ci95(), above(d.ci95()));
  }

  private static boolean above(Interval ci) {
    return ci != null && ci.lo() > 0;
  }

  private static <T> List<String> rows(List<T> checks, Function<T, String> row) {
    List<String> out = new ArrayList<>();
    for (T c : checks) if (!out.contains(row.apply(c))) out.add(row.apply(c));
    return out;
  }

  private static String points(double fraction) {
    String p = Interval.percent(fraction);
    return fraction > 0 && !p.equals("0.0") ? "+" + p : p;
  }

  private static String interval(Interval ci) {
    return ci == null ? "–" : ci.percent();
  }

  private static String verdict(boolean holds) {
    return holds ? "yes" : "no";
  }
}
