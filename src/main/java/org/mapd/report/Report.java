package org.mapd.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.mapd.Json;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.eval.ResultRow;
import org.mapd.pipelines.PrepareSummary;

/**
 * The paper-style comparison: one table per mode (rows = strategy, columns = task x shots), an average
 * over tasks for shots >= 1, each with its 95% interval over queries ({@link Intervals}), a chart of accuracy
 * vs shots per strategy with error bars, and the wall time of each stage. A run finished without some
 * strategies says so at the top.
 */
public final class Report {
  public static final String MARKDOWN = "report.md";
  public static final String RESULTS = "results.json";
  public static final String CHART = "accuracy_vs_shots.png";

  private Report() {}

  /** The shape of the results.json that Evaluate writes per row. */
  record RowsFile(List<ResultRow> rows) {}

  /**
   * Writes report.md, results.json and the accuracy-vs-shots PNG into {@code outDir}.
   *
   * @param datasets records per training dataset of the run's prepared data
   * @param resultFiles the results.json of each evaluated row
   * @param stageSeconds wall time per stage, in run order
   * @param failed strategies the run was finished without -> why they failed (empty: the report is complete)
   * @return report.md
   */
  public static Path write(Plan plan, Map<String, Long> datasets, List<Path> resultFiles, Map<String, Double> stageSeconds,
      Map<String, String> failed, Path outDir) {
    List<ResultRow> rows = ordered(plan, read(resultFiles));
    try {
      Files.createDirectories(outDir);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("plan", plan.name());
      results.put("fidelity", plan.fidelity());
      results.put("seed", plan.seed());
      results.put("complete", failed.isEmpty());
      results.put("failed", failed);
      results.put("rows", rows);
      results.put("stage_seconds", stageSeconds);
      Map<String, Scores> scores = scores(rows);
      results.put("checks", Checks.of(scores));
      Json.writeAtomic(outDir.resolve(RESULTS), results);
      Charts.writePng(modes(rows).stream().map(m -> chart(scores, m)).toList(), outDir.resolve(CHART));
      Path md = outDir.resolve(MARKDOWN);
      Json.writeAtomic(md, markdown(plan, datasets, rows, stageSeconds, failed).getBytes(StandardCharsets.UTF_8));
      return md;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + outDir, e);
    }
  }

  /** The rows of results.json files (an unreadable or missing file is an input error naming it). */
  public static List<ResultRow> read(List<Path> files) {
    List<ResultRow> rows = new ArrayList<>();
    for (Path f : files) {
      if (!Files.isRegularFile(f)) throw new IllegalArgumentException(f + ": results file does not exist");
      try {
        RowsFile parsed = Json.MAPPER.readerFor(RowsFile.class)
            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(f.toFile());
        if (parsed.rows() == null) throw new IllegalArgumentException(f + ": no \"rows\" array");
        rows.addAll(parsed.rows());
      } catch (IOException e) {
        throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
      }
    }
    return rows;
  }

  /** Strategies in plan order, then references, then anything else in the order found. */
  static List<ResultRow> ordered(Plan plan, List<ResultRow> rows) {
    List<String> names = new ArrayList<>();
    for (Strategy s : plan.strategies()) names.add(s.json());
    names.addAll(plan.references());
    for (ResultRow r : rows) if (!names.contains(r.strategy())) names.add(r.strategy());
    List<ResultRow> out = new ArrayList<>();
    for (String name : names) for (ResultRow r : rows) if (r.strategy().equals(name)) out.add(r);
    return out;
  }

  /** Row name -> its scores, in row order. */
  static Map<String, Scores> scores(List<ResultRow> rows) {
    Map<String, Scores> scores = new LinkedHashMap<>();
    for (String name : rowNames(rows)) {
      scores.put(name, Scores.of(rows.stream().filter(r -> r.strategy().equals(name)).toList()));
    }
    return scores;
  }

  static String markdown(Plan plan, Map<String, Long> datasets, List<ResultRow> rows, Map<String, Double> stageSeconds,
      Map<String, String> failed) {
    StringBuilder md = new StringBuilder();
    md.append("# MAPD reproduction: ").append(plan.name()).append("\n\n");
    if (!failed.isEmpty()) {
      md.append("> **Incomplete.** The run was finished without these strategies, which failed; their rows are "
          + "missing below, every other number is complete.\n");
      failed.forEach((s, why) -> md.append(">\n> - ").append(s).append(": ").append(why.replace('\n', ' '))
          .append('\n'));
      md.append('\n');
    }
    md.append("- plan: `").append(plan.name()).append("`, seed ").append(plan.seed()).append('\n');
    md.append("- fidelity: **").append(plan.fidelity().json()).append("**: ").append(fidelityText(plan.fidelity()))
        .append('\n');
    md.append("- training data: ").append(PrepareSummary.datasetsLine(datasets)).append('\n');
    md.append("- strategies: ").append(String.join(", ", rowNames(rows))).append("\n\n");
    Map<String, Scores> scores = scores(rows);
    for (Mode mode : modes(rows)) {
      boolean ft = mode == Mode.FT;
      md.append("## ").append(ft ? "FT (finetuned on the support set)" : "ICL (support set in the prompt)")
          .append("\n\n");
      md.append("Accuracy in %, then its 95% interval over the cell's queries (Wilson; for the average, MOVER "
          + "over the cells).");
      md.append(ft
          ? " Then `max` = the best over all adaptation steps (the authors' \"Max. Accuracy Score\", an oracle "
              + "choice of step); the other figures are after the last step.\n\n"
          : "\n\n");
      table(md, plan, scores, mode, ft);
    }
    md.append(Checks.markdown(Checks.of(scores)));
    md.append("![accuracy vs shots](").append(CHART).append(")\n\n");
    md.append("Average over tasks of the fixed-step accuracy, per strategy, with its 95% interval over queries; "
        + "left ICL, right FT. Intervals that overlap do not show a difference.\n\n");
    md.append("## Wall time per stage\n\n");
    md.append("Seconds as the workflow saw them: includes waiting for a free worker slot when stages run in "
        + "parallel, and is near zero for a stage reused from an earlier run.\n\n");
    md.append("| stage | seconds | h:mm:ss |\n|---|---:|---:|\n");
    for (Map.Entry<String, Double> e : stageSeconds.entrySet()) {
      md.append("| ").append(e.getKey()).append(" | ").append(String.format(Locale.ROOT, "%.1f", e.getValue()))
          .append(" | ").append(hms(e.getValue())).append(" |\n");
    }
    return md.toString();
  }

  public static String hms(double seconds) {
    long s = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  static String fidelityText(Fidelity fidelity) {
    return fidelity == Fidelity.AUTHORS
        ? "the released code's quirks are reproduced (MAPD inner step uses only the last support chunk's"
            + " gradient; every newline/im_start/im_end label is un-masked; operator and clevr scoring keeps the"
            + " first digits, so negative answers never match; ICL support text is char-set lstripped; the"
            + " training collator pads with id 0). Numbers are comparable with the paper's."
        : "the intended behaviour: none of the released code's quirks (see method.md); numbers may differ from"
            + " the paper's.";
  }

  private static void table(StringBuilder md, Plan plan, Map<String, Scores> scores, Mode mode, boolean ft) {
    List<Scores.Cell> cells = scores.values().stream().flatMap(s -> s.cells().stream())
        .filter(c -> c.mode().equals(mode)).toList();
    List<String> tasks = new ArrayList<>(new LinkedHashSet<>(cells.stream().map(Scores.Cell::task).toList()));
    // The plan's task order; tasks it does not list go last.
    tasks.sort(Comparator.comparingInt(t -> {
      int i = plan.eval().tasks().indexOf(t);
      return i < 0 ? Integer.MAX_VALUE : i;
    }));
    List<Integer> shots = new ArrayList<>(new TreeSet<>(cells.stream().map(Scores.Cell::shots).toList()));
    md.append("| strategy |");
    for (String t : tasks) for (int s : shots) md.append(' ').append(t).append(' ').append(s).append("-shot |");
    md.append(" avg, shots >= ").append(Scores.AVERAGE_FROM_SHOTS).append(" |\n|---|");
    md.append("---:|".repeat(tasks.size() * shots.size() + 1)).append('\n');
    for (Map.Entry<String, Scores> row : scores.entrySet()) {
      if (row.getValue().cells().stream().noneMatch(c -> c.mode().equals(mode))) continue;
      md.append("| ").append(row.getKey()).append(" |");
      for (String t : tasks) {
        for (int s : shots) {
          Optional<Scores.Cell> cell = row.getValue().cell(t, mode, s);
          md.append(' ').append(cell.map(c -> cell(c.accuracy(), c.ci95(), c.maxOverSteps(), ft)).orElse("–"))
              .append(" |");
        }
      }
      md.append(' ').append(row.getValue().average(mode)
          .map(a -> cell(a.accuracy(), a.ci95(), a.maxOverSteps(), ft)).orElse("–")).append(" |\n");
    }
    md.append('\n');
  }

  private static String cell(double accuracy, Interval ci95, double max, boolean ft) {
    String text = Interval.percent(accuracy) + (ci95 == null ? "" : " " + ci95.percent());
    return ft ? text + " (max " + Interval.percent(max) + ")" : text;
  }

  private static List<String> rowNames(List<ResultRow> rows) {
    return new ArrayList<>(new LinkedHashSet<>(rows.stream().map(ResultRow::strategy).toList()));
  }

  private static List<Mode> modes(List<ResultRow> rows) {
    Set<Mode> present = EnumSet.noneOf(Mode.class);
    rows.forEach(r -> present.add(r.mode()));
    return List.copyOf(present); // ICL first: the enum's order
  }

  /** The mean accuracy over tasks vs shots, one line per row, with the interval over queries as error bars. */
  static JFreeChart chart(Map<String, Scores> scores, Mode mode) {
    Map<String, List<Charts.Point>> lines = new LinkedHashMap<>();
    scores.forEach((name, s) -> {
      List<Charts.Point> points = new ArrayList<>();
      for (int shots : new TreeSet<>(s.cells().stream().filter(c -> c.mode().equals(mode)).map(Scores.Cell::shots)
          .toList())) {
        s.averageAt(mode, shots).ifPresent(a -> points.add(new Charts.Point(shots, a.accuracy(), a.ci95())));
      }
      lines.put(name, points);
    });
    return Charts.accuracyVsShots(mode.name() + ": accuracy vs shots (95% CI over queries)",
        new ArrayList<>(scores.keySet()), lines);
  }
}
