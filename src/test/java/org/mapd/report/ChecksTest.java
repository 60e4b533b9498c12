package org.mapd.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mapd.conf.Mode;
import org.mapd.eval.ResultRow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksTest {
  /** One task, FT and ICL at 0 and 4 shots, 100 queries a cell. */
  private static Scores row(String name, double ft0, double ft4, double icl0, double icl4) {
    List<ResultRow> rows = new ArrayList<>();
    rows.add(new ResultRow(name, "clevr", Mode.FT, 0, 100, ft0, ft0));
    rows.add(new ResultRow(name, "clevr", Mode.FT, 4, 100, ft4, ft4));
    rows.add(new ResultRow(name, "clevr", Mode.ICL, 0, 100, icl0, icl0));
    rows.add(new ResultRow(name, "clevr", Mode.ICL, 4, 100, icl4, icl4));
    return Scores.of(rows);
  }

  private static Map<String, Scores> run(double mapdFt4) {
    Map<String, Scores> rows = new LinkedHashMap<>();
    rows.put("mapd", row("mapd", 0.10, mapdFt4, 0.05, 0.06));
    rows.put(Checks.RANDOM_MAPPER, row(Checks.RANDOM_MAPPER, 0.05, 0.20, 0.05, 0.05));
    return rows;
  }

  private static Checks.Check find(List<Checks.Check> checks, String row, Checks.Kind kind) {
    return checks.stream().filter(c -> c.row().equals(row) && c.kind().equals(kind.json())).findFirst().orElseThrow();
  }

  @Test
  void eachRowIsCheckedAgainstTheRandomMapperAndAgainstZeroShots() {
    List<Checks.Check> checks = Checks.of(run(0.60));
    Checks.Check beats = find(checks, "mapd", Checks.Kind.BEATS_RANDOM);
    assertEquals(0.40, beats.difference(), 1e-12);
    Interval newcombe = Intervals.difference(0.60, Intervals.wilson(60, 100), 0.20, Intervals.wilson(20, 100));
    assertEquals(newcombe, beats.ci95());
    assertTrue(beats.holds());
    assertTrue(find(checks, "mapd", Checks.Kind.FT_ADAPTS).holds());
    Checks.Check icl = find(checks, "mapd", Checks.Kind.ICL_USES_SHOTS);
    assertEquals(0.01, icl.difference(), 1e-12);
    assertFalse(icl.holds(), "one point on 100 queries is within the noise");
    // The random mapper is not compared with itself, but its own shot checks are reported.
    assertTrue(checks.stream().noneMatch(c -> c.row().equals(Checks.RANDOM_MAPPER)
        && c.kind().equals(Checks.Kind.BEATS_RANDOM.json())));
    assertTrue(find(checks, Checks.RANDOM_MAPPER, Checks.Kind.FT_ADAPTS).holds());
    String md = Checks.markdown(checks);
    assertTrue(md.contains("| mapd | +40.0 " + newcombe.percent() + " yes |"), md);
  }

  @Test
  void overRunsPoolsTheQueriesAndUsesStudentsTOverTheRuns() {
    List<Checks.OverRuns> checks = Checks.overRuns(List.of(run(0.60), run(0.50), run(0.40)));
    Checks.OverRuns beats = checks.stream().filter(c -> c.row().equals("mapd")
        && c.kind().equals(Checks.Kind.BEATS_RANDOM.json())).findFirst().orElseThrow();
    assertEquals(List.of(0.40, 0.30, 0.20), beats.values().stream().map(v -> Math.round(v * 100) / 100.0).toList());
    assertEquals(0.30, beats.mean(), 1e-12);
    // t(2) = 4.303, sd 0.1 over 3 runs
    assertEquals(0.30 - 4.303 * 0.1 / Math.sqrt(3), beats.ci95Runs().lo(), 1e-9);
    assertTrue(beats.holdsOverQueries());
    assertTrue(beats.holdsOverRuns());
    assertNull(Checks.overRuns(List.of(run(0.60))).get(0).ci95Runs());
    assertTrue(Checks.markdownOverRuns(checks).contains("| mapd | trained mapper beats the random one | +40.0 / +30.0 / +20.0 |"));
  }
}
