package org.mapd.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.mapd.conf.Plan;

/**
 * Accuracy-vs-shots charts, one line per row with 95% error bars, for the report of a run and for the
 * comparison of runs. Okabe and Ito's palette for colour-blind readers, without its yellow, which hardly
 * shows on white paper; each row also gets its own marker, and reference rows a dashed line, so the lines
 * stay apart in greyscale.
 */
public final class Charts {
  static final int WIDTH = 640;
  static final int HEIGHT = 480;
  static final List<Color> PALETTE = List.of(new Color(0xD55E00), new Color(0x0072B2), new Color(0x009E73),
      new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), Color.BLACK);
  private static final List<Shape> MARKERS = markers();
  private static final Stroke SOLID = new BasicStroke(2f);
  private static final Stroke DASHED =
      new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f);

  private Charts() {}

  /** One point: the mean accuracy at a shot count, and its interval (null: no error bar). */
  public record Point(int shots, double accuracy, Interval ci95) {}

  /** JFreeChart's standard markers, the flat rectangle and ellipse (hard to tell from a line) last. */
  private static List<Shape> markers() {
    Shape[] standard = DefaultDrawingSupplier.createStandardSeriesShapes();
    return java.util.stream.IntStream.of(0, 1, 2, 3, 5, 7, 9, 8, 4, 6).mapToObj(i -> standard[i]).toList();
  }

  /**
   * @param lines row name -> points; a row is styled by its place among {@code names}, so it looks the same in
   *     every chart of a figure
   */
  static JFreeChart accuracyVsShots(String title, List<String> names, Map<String, List<Point>> lines) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDefaultLinesVisible(true);
    renderer.setDrawXError(false);
    renderer.setCapLength(6);
    for (String name : names) {
      List<Point> points = lines.getOrDefault(name, List.of());
      if (points.isEmpty()) continue;
      YIntervalSeries series = new YIntervalSeries(name);
      for (Point p : points) {
        double y = 100 * p.accuracy();
        Interval ci = p.ci95();
        series.add(p.shots(), y, ci == null ? y : 100 * ci.lo(), ci == null ? y : 100 * ci.hi());
      }
      int style = names.indexOf(name);
      int i = data.getSeriesCount();
      data.addSeries(series);
      renderer.setSeriesPaint(i, PALETTE.get(style % PALETTE.size()));
      renderer.setSeriesShape(i, MARKERS.get(style % MARKERS.size()));
      renderer.setSeriesShapesVisible(i, true);
      renderer.setSeriesStroke(i, Plan.REFERENCES.contains(name) ? DASHED : SOLID);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, "shots", "mean accuracy over tasks (%)", data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    plot.setRenderer(renderer);
    // Shots are whole numbers: no 0.5-shot ticks.
    ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    return chart;
  }

  /** Draws the charts side by side into one PNG, written atomically. */
  static void writePng(List<JFreeChart> charts, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(WIDTH * Math.max(1, charts.size()), HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (int i = 0; i < charts.size(); i++) charts.get(i).draw(g, new Rectangle(i * WIDTH, 0, WIDTH, HEIGHT));
    g.dispose();
    Path tmp = Files.createTempFile(png.toAbsolutePath().getParent(), png.getFileName().toString(), ".tmp");
    ImageIO.write(image, "png", tmp.toFile());
    Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
