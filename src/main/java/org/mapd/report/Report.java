package org.mapd.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.mapd.Json;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.eval.ResultRow;
import org.mapd.pipelines.PrepareSummary;

/**
 * The paper-style comparison: one table per mode (rows = strategy, columns = task x shots), an average
 * over tasks for shots >= 1, a chart of accuracy vs shots per strategy, and the wall time of each stage.
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
   * @return report.md
   */
  public static Path write(Plan plan, Map<String, Long> datasets, List<Path> resultFiles, Map<String, Double> stageSeconds,
      Path outDir) {
    List<ResultRow> rows = ordered(plan, read(resultFiles));
    try {
      Files.createDirectories(outDir);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put("plan", plan.name());
      results.put("fidelity", plan.fidelity());
      results.put("seed", plan.seed());
      results.put("rows", rows);
      results.put("stage_seconds", stageSeconds);
      Json.writeAtomic(outDir.resolve(RESULTS), results);
      writeChart(rows, outDir.resolve(CHART));
      Path md = outDir.resolve(MARKDOWN);
      Json.writeAtomic(md, markdown(plan, datasets, rows, stageSeconds).getBytes(StandardCharsets.UTF_8));
      return md;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + outDir, e);
    }
  }

  static List<ResultRow> read(List<Path> files) {
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

  static String markdown(Plan plan, Map<String, Long> datasets, List<ResultRow> rows, Map<String, Double> stageSeconds) {
    StringBuilder md = new StringBuilder();
    md.append("# MAPD reproduction: ").append(plan.name()).append("\n\n");
    md.append("- plan: `").append(plan.name()).append("`, seed ").append(plan.seed()).append('\n');
    md.append("- fidelity: **").append(plan.fidelity().json()).append("**: ").append(fidelityText(plan.fidelity()))
        .append('\n');
    md.append("- training data: ").append(PrepareSummary.datasetsLine(datasets)).append('\n');
    md.append("- strategies: ").append(String.join(", ", rowNames(rows))).append("\n\n");
    for (String mode : modes(rows)) {
      boolean ft = mode.equals("ft");
      md.append("## ").append(ft ? "FT (finetuned on the support set)" : "ICL (support set in the prompt)")
          .append("\n\n");
      md.append(ft
          ? "Accuracy in %. Each cell: accuracy after the last adaptation step, then `max` = the best over all"
              + " steps (the authors' \"Max. Accuracy Score\", an oracle choice of step).\n\n"
          : "Accuracy in %.\n\n");
      table(md, plan, rows, mode, ft);
    }
    md.append("![accuracy vs shots](").append(CHART).append(")\n\n");
    md.append("Average over tasks of the fixed-step accuracy, per strategy; left ICL, right FT.\n\n");
    md.append("## Wall time per stage\n\n");
    md.append("Seconds as the workflow saw them: includes waiting for a free worker slot when stages run in "
        + "parallel, and is near zero for a stage reused from an earlier run.\n\n");
    md.append("| stage | seconds | h:mm:ss |\n|---|---:|---:|\n");
    for (Map.Entry<String, Double> e : stageSeconds.entrySet()) {
      long s = Math.round(e.getValue());
      md.append("| ").append(e.getKey()).append(" | ").append(String.format(Locale.ROOT, "%.1f", e.getValue()))
          .append(" | ").append(String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60))
          .append(" |\n");
    }
    return md.toString();
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

  private static void table(StringBuilder md, Plan plan, List<ResultRow> rows, String mode, boolean ft) {
    List<String> tasks = new ArrayList<>(new LinkedHashSet<>(rows.stream().filter(r -> r.mode().equals(mode))
        .map(ResultRow::task).toList()));
    // The plan's task order; tasks it does not list go last.
    tasks.sort(Comparator.comparingInt(t -> {
      int i = plan.eval().tasks().indexOf(t);
      return i < 0 ? Integer.MAX_VALUE : i;
    }));
    List<Integer> shots = new ArrayList<>(new TreeSet<>(rows.stream().filter(r -> r.mode().equals(mode))
        .map(ResultRow::shots).toList()));
    md.append("| strategy |");
    for (String t : tasks) for (int s : shots) md.append(' ').append(t).append(' ').append(s).append("-shot |");
    md.append(" avg, shots >= 1 |\n|---|");
    md.append("---:|".repeat(tasks.size() * shots.size() + 1)).append('\n');
    for (String name : rowNames(rows)) {
      md.append("| ").append(name).append(" |");
      for (String t : tasks) {
        for (int s : shots) {
          Optional<ResultRow> cell = rows.stream().filter(r -> r.strategy().equals(name) && r.mode().equals(mode)
              && r.task().equals(t) && r.shots() == s).findFirst();
          md.append(' ').append(cell.map(r -> cell(r.accuracy(), r.accuracyMaxOverSteps(), ft)).orElse("–"))
              .append(" |");
        }
      }
      List<ResultRow> few = rows.stream().filter(r -> r.strategy().equals(name) && r.mode().equals(mode)
          && r.shots() >= 1).toList();
      OptionalDouble avg = few.stream().mapToDouble(ResultRow::accuracy).average();
      OptionalDouble avgMax = few.stream().mapToDouble(ResultRow::accuracyMaxOverSteps).average();
      md.append(' ').append(avg.isPresent() ? cell(avg.getAsDouble(), avgMax.getAsDouble(), ft) : "–")
          .append(" |\n");
    }
    md.append('\n');
  }

  private static String cell(double accuracy, double max, boolean ft) {
    String fixed = String.format(Locale.ROOT, "%.1f", 100 * accuracy);
    return ft ? fixed + " (max " + String.format(Locale.ROOT, "%.1f", 100 * max) + ")" : fixed;
  }

  private static List<String> rowNames(List<ResultRow> rows) {
    return new ArrayList<>(new LinkedHashSet<>(rows.stream().map(ResultRow::strategy).toList()));
  }

  private static List<String> modes(List<ResultRow> rows) {
    Set<String> present = new LinkedHashSet<>(rows.stream().map(ResultRow::mode).toList());
    return Plan.MODES.stream().sorted((a, b) -> a.equals("icl") ? -1 : b.equals("icl") ? 1 : 0)
        .filter(present::contains).toList();
  }

  /** One chart per mode, side by side in one PNG: mean accuracy over tasks vs shots, one line per row. */
  static void writeChart(List<ResultRow> rows, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> modes = modes(rows);
    int width = 640;
    int height = 480;
    BufferedImage image = new BufferedImage(width * Math.max(1, modes.size()), height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (int i = 0; i < modes.size(); i++) {
      chart(rows, modes.get(i)).draw(g, new Rectangle(i * width, 0, width, height));
    }
    g.dispose();
    Path tmp = Files.createTempFile(png.toAbsolutePath().getParent(), CHART, ".tmp");
    ImageIO.write(image, "png", tmp.toFile());
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Okabe and Ito's palette for colour-blind readers, without its yellow, which hardly shows on white paper.
   * Each row also gets its own marker, and reference rows a dashed line, so the lines stay apart in greyscale.
   */
  static final List<Color> PALETTE = List.of(new Color(0xD55E00), new Color(0x0072B2), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), Color.BLACK);
  private static final List<Shape> MARKERS = markers();
  private static final Stroke SOLID = new BasicStroke(2f);
  private static final Stroke DASHED =
      new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f);

  /** JFreeChart's standard markers, the flat rectangle and ellipse (hard to tell from a line) last. */
  private static List<Shape> markers() {
    Shape[] standard = DefaultDrawingSupplier.createStandardSeriesShapes();
    return java.util.stream.IntStream.of(0, 1, 2, 3, 5, 7, 9, 8, 4, 6).mapToObj(i -> standard[i]).toList();
  }

  static JFreeChart chart(List<ResultRow> rows, String mode) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    List<String> names = rowNames(rows);
    for (String name : names) {
      XYSeries series = new XYSeries(name);
      Map<Integer, List<Double>> byShots = new TreeMap<>();
      for (ResultRow r : rows) {
        if (r.strategy().equals(name) && r.mode().equals(mode)) {
          byShots.computeIfAbsent(r.shots(), k -> new ArrayList<>()).add(r.accuracy());
        }
      }
      byShots.forEach((shots, acc) ->
          series.add(shots.doubleValue(), 100 * acc.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
      if (series.isEmpty()) continue;
      // Styled by the row's place among all rows, so a row looks the same in the ICL and the FT chart.
      int style = names.indexOf(name);
      int i = data.getSeriesCount();
      data.addSeries(series);
      renderer.setSeriesPaint(i, PALETTE.get(style % PALETTE.size()));
      renderer.setSeriesShape(i, MARKERS.get(style % MARKERS.size()));
      renderer.setSeriesStroke(i, Plan.REFERENCES.contains(name) ? DASHED : SOLID);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(mode.toUpperCase(Locale.ROOT) + ": accuracy vs shots",
        "shots", "mean accuracy over tasks (%)", data, PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(renderer);
    // Shots are whole numbers: no 0.5-shot ticks.
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    return chart;
  }
}
