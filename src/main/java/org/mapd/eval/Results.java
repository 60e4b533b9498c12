package org.mapd.eval;

import java.util.ArrayList;
import java.util.List;
import org.mapd.conf.Mode;

/** Per-sample results folded into the grid cells of results.json. */
public final class Results {
  private Results() {}

  /** results.json: {"rows": [...]}. */
  public record File(List<ResultRow> rows) {}

  /**
   * One row per (task, mode, shots) with samples, in grid order. accuracy = mean correctness after the
   * last step; accuracy_max_over_steps = the authors' figure: the best step's mean over the cell.
   */
  public static List<ResultRow> rows(String strategy, List<Sample> samples, List<String> tasks, List<Mode> modes, List<Integer> shots) {
    List<ResultRow> rows = new ArrayList<>();
    for (String task : tasks) {
      for (Mode mode : modes) {
        for (int k : shots) {
          List<Sample> cell = new ArrayList<>();
          for (Sample s : samples) {
            if (s.task().equals(task) && s.mode().equals(mode) && s.shots() == k) cell.add(s);
          }
          if (!cell.isEmpty()) rows.add(row(strategy, task, mode, k, cell));
        }
      }
    }
    return rows;
  }

  static ResultRow row(String strategy, String task, Mode mode, int shots, List<Sample> cell) {
    int steps = 0;
    for (Sample s : cell) steps = Math.max(steps, s.correct().size());
    double atEnd = 0;
    double[] perStep = new double[steps];
    for (Sample s : cell) {
      if (s.correctAtEnd()) atEnd++;
      for (int k = 0; k < steps; k++) {
        // A sample with fewer steps (none in a consistent run) counts with its last one.
        if (s.correct().get(Math.min(k, s.correct().size() - 1))) perStep[k]++;
      }
    }
    double best = 0;
    for (double c : perStep) best = Math.max(best, c);
    return new ResultRow(strategy, task, mode, shots, cell.size(), atEnd / cell.size(), best / cell.size());
  }
}
