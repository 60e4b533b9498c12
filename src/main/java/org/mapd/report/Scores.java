package org.mapd.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.mapd.conf.Mode;
import org.mapd.eval.ResultRow;

/**
 * The numbers of one evaluated row (a strategy or a reference), small enough for a workflow history: every
 * cell with its query count and Wilson interval, and per mode the average over tasks and shots >= 1 (the
 * paper's average) with its MOVER interval (see {@link Intervals}).
 *
 * @param cells one per task x mode x shots, in results.json order
 * @param averages one per mode present
 */
public record Scores(List<Cell> cells, List<Average> averages) {
  /** Shot counts from here on enter the average (0-shot is reported, not averaged, as in the paper). */
  public static final int AVERAGE_FROM_SHOTS = 1;

  /**
   * @param queries evaluated queries (0 in results written before the count was kept: no interval)
   * @param accuracy fixed-step accuracy, a fraction
   * @param maxOverSteps the authors' max-over-steps figure (equals accuracy in ICL mode)
   * @param ci95 Wilson interval of accuracy, null when queries is 0
   */
  public record Cell(String task, Mode mode, int shots, int queries, double accuracy, double maxOverSteps,
      Interval ci95) {}

  /**
   * @param cells how many cells were averaged
   * @param ci95 MOVER interval of the mean of the cells, null if a cell has none
   */
  public record Average(Mode mode, int cells, double accuracy, double maxOverSteps, Interval ci95) {}

  /** Scores of one row from its results.json rows. */
  public static Scores of(List<ResultRow> rows) {
    List<Cell> cells = new ArrayList<>();
    for (ResultRow r : rows) {
      long correct = Math.round(r.accuracy() * r.queries());
      cells.add(new Cell(r.task(), r.mode(), r.shots(), r.queries(), r.accuracy(), r.accuracyMaxOverSteps(),
          Intervals.wilson(correct, r.queries())));
    }
    List<Average> averages = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      mean(cells, mode, c -> c.mode().equals(mode) && c.shots() >= AVERAGE_FROM_SHOTS).ifPresent(averages::add);
    }
    return new Scores(List.copyOf(cells), List.copyOf(averages));
  }

  /** The paper's average of a mode (shots >= 1), if the row has such cells. */
  public Optional<Average> average(Mode mode) {
    return averages.stream().filter(a -> a.mode().equals(mode)).findFirst();
  }

  /** The average over tasks at one shot count: a point of the accuracy-vs-shots chart. */
  public Optional<Average> averageAt(Mode mode, int shots) {
    return mean(cells, mode, c -> c.mode().equals(mode) && c.shots() == shots);
  }

  public Optional<Cell> cell(String task, Mode mode, int shots) {
    return cells.stream().filter(c -> c.task().equals(task) && c.mode().equals(mode) && c.shots() == shots)
        .findFirst();
  }

  private static Optional<Average> mean(List<Cell> cells, Mode mode, Predicate<Cell> which) {
    List<Cell> chosen = cells.stream().filter(which).toList();
    if (chosen.isEmpty()) return Optional.empty();
    List<Double> accuracies = chosen.stream().map(Cell::accuracy).toList();
    double accuracy = accuracies.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double max = chosen.stream().mapToDouble(Cell::maxOverSteps).average().orElseThrow();
    return Optional.of(new Average(mode, chosen.size(), accuracy, max,
        Intervals.mean(accuracies, chosen.stream().map(Cell::ci95).toList())));
  }
}
