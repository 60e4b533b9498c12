package org.mapd.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.eval.ResultRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
  /** 14 datasets: vqav2 and okvqa prepared as one. */
  static final Map<String, Long> DATASETS = new LinkedHashMap<>();

  static {
    for (String d : List.of("gqa", "ocr_vqa", "basic_qa_geo170k", "textvqa", "vg", "conv", "mavis_math_metagen", "det",
        "tabmwp_cauldron", "complex_res", "refcoco", "reasoning_qa_geo170k", "vqav2_okvqa", "aokvqa")) {
      DATASETS.put(d, 10L);
    }
  }

  @TempDir Path dir;

  static Plan plan() {
    return Plan.load(Path.of("workflows/mini.json"));
  }

  Path rows(String name, ResultRow... rows) {
    Path f = dir.resolve(name + "/results.json");
    Json.writeAtomic(f, Map.of("rows", List.of(rows)));
    return f;
  }

  @Test
  void writesTableAveragesResultsJsonAndChart() throws Exception {
    Path mapd = rows("mapd",
        new ResultRow("mapd", "open_mi", Mode.FT, 1, 10, 0.30, 0.40),
        new ResultRow("mapd", "clevr", Mode.FT, 0, 10, 0.10, 0.20),
        new ResultRow("mapd", "clevr", Mode.FT, 1, 10, 0.50, 0.60),
        new ResultRow("mapd", "clevr", Mode.FT, 2, 10, 0.70, 0.90),
        new ResultRow("mapd", "clevr", Mode.ICL, 1, 20, 0.25, 0.25));
    Path untrained = rows("untrained", new ResultRow("untrained", "clevr", Mode.FT, 1, 10, 0.0, 0.05));
    Map<String, Double> seconds = new LinkedHashMap<>();
    seconds.put("PrepareData", 12.5);
    seconds.put("Pretrain", 3725.0);

    Path md = Report.write(plan(), DATASETS, List.of(untrained, mapd), seconds, Map.of(), dir.resolve("out"));

    String text = Files.readString(md);
    assertTrue(text.contains("fidelity: **authors**"), text);
    assertTrue(text.contains("- training data: 14 finetuning datasets (the paper has 15): vqav2_okvqa holds vqav2 and okvqa"
        + " as one, because preparation found no OK-VQA question file"), text);
    // FT cells: fixed-step then max over steps; average over tasks for shots >= 1 = (0.5+0.7+0.3)/3.
    // Each figure is followed by its 95% interval over queries: Wilson per cell, MOVER for the average (values
    // computed independently in Python).
    assertTrue(text.contains("| mapd | 10.0 [1.8, 40.4] (max 20.0) | 50.0 [23.7, 76.3] (max 60.0) "
        + "| 70.0 [39.7, 89.2] (max 90.0) | – | 30.0 [10.8, 60.3] (max 40.0) | – | 50.0 [35.2, 64.8] (max 63.3) |"),
        text);
    assertTrue(text.contains("| clevr 1-shot |"), text);
    // Strategies come before references, whatever order the files were given in.
    assertTrue(text.indexOf("| mapd |") < text.indexOf("| untrained |"));
    assertTrue(text.contains("| mapd | 25.0 [11.2, 46.9] | 25.0 [11.2, 46.9] |"), "ICL section: " + text);
    assertTrue(text.contains("| Pretrain | 3725.0 | 1:02:05 |"), text);

    JsonNode results = Json.MAPPER.readTree(dir.resolve("out/results.json").toFile());
    assertEquals("mini", results.get("plan").asText());
    assertEquals("authors", results.get("fidelity").asText());
    assertEquals(222, results.get("seed").asLong());
    assertEquals(6, results.get("rows").size());
    assertEquals("mapd", results.get("rows").get(0).get("strategy").asText());
    assertEquals(0.4, results.get("rows").get(0).get("accuracy_max_over_steps").asDouble());
    assertEquals(3725.0, results.get("stage_seconds").get("Pretrain").asDouble());

    BufferedImage png = ImageIO.read(dir.resolve("out/accuracy_vs_shots.png").toFile());
    assertEquals(1280, png.getWidth(), "two charts side by side: ICL and FT");
  }

  @Test
  void chartHasWholeShotTicksAndDistinctStylesVisibleOnWhite() {
    List<ResultRow> rows = new java.util.ArrayList<>();
    List<String> names = List.of("mapd", "multitask", "nometatask", "ict", "modelavg", "pretrain_only", "untrained");
    for (String name : names) {
      for (int shots : new int[] {0, 1, 2, 4}) rows.add(new ResultRow(name, "clevr", Mode.FT, shots, 10, 0.1, 0.1));
    }
    JFreeChart chart = Report.chart(Report.scores(rows), Mode.FT);
    // Tick units are chosen while drawing: draw at the PNG's size.
    BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    chart.draw(g, new Rectangle(0, 0, 640, 480));
    g.dispose();
    XYPlot plot = chart.getXYPlot();
    double tick = ((NumberAxis) plot.getDomainAxis()).getTickUnit().getSize();
    assertEquals(0, tick % 1, "tick unit " + tick);

    var renderer = plot.getRenderer();
    Set<Object> paints = new HashSet<>();
    Set<Object> shapes = new HashSet<>();
    for (int i = 0; i < names.size(); i++) {
      Color c = (Color) renderer.getSeriesPaint(i);
      paints.add(c);
      shapes.add(shapeOutline(renderer.getSeriesShape(i)));
      // WCAG contrast against white: JFreeChart's default yellow has 1.1, the palette's lightest colour 2.2.
      assertTrue(contrastOnWhite(c) >= 2, names.get(i) + " " + c + " " + contrastOnWhite(c));
    }
    assertEquals(names.size(), paints.size(), "one colour per row");
    assertEquals(names.size(), shapes.size(), "one marker per row");
    BasicStroke reference = (BasicStroke) renderer.getSeriesStroke(names.indexOf("untrained"));
    BasicStroke strategy = (BasicStroke) renderer.getSeriesStroke(names.indexOf("mapd"));
    assertTrue(reference.getDashArray() != null && strategy.getDashArray() == null, "references are dashed");
  }

  /** A marker's outline as its path's points, to tell markers apart. */
  static List<Double> shapeOutline(java.awt.Shape shape) {
    List<Double> points = new java.util.ArrayList<>();
    double[] coords = new double[6];
    for (var it = shape.getPathIterator(null, 0.5); !it.isDone(); it.next()) {
      int type = it.currentSegment(coords);
      points.add((double) type);
      if (type != java.awt.geom.PathIterator.SEG_CLOSE) {
        points.add(coords[0]);
        points.add(coords[1]);
      }
    }
    return points;
  }

  static double contrastOnWhite(Color c) {
    double[] rgb = {c.getRed(), c.getGreen(), c.getBlue()};
    double[] w = {0.2126, 0.7152, 0.0722};
    double l = 0;
    for (int i = 0; i < 3; i++) {
      double v = rgb[i] / 255;
      l += w[i] * (v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    }
    return 1.05 / (l + 0.05);
  }

  @Test
  void missingResultsFileIsAnInputError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Report.write(plan(), DATASETS, List.of(dir.resolve("nope.json")), Map.of(), Map.of(), dir.resolve("out")));
    assertTrue(e.getMessage().contains("nope.json"));
  }
}
