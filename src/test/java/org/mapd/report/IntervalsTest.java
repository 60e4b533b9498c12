package org.mapd.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapd.Json;

class IntervalsTest {
  static void assertInterval(double lo, double hi, Interval actual) {
    assertEquals(lo, actual.lo(), 1e-4, "lo of " + actual);
    assertEquals(hi, actual.hi(), 1e-4, "hi of " + actual);
  }

  @Test
  void wilsonMatchesPublishedValues() {
    // Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3: 81/263 -> 0.2553-0.3662, 0/10 -> 0-0.2775.
    assertInterval(0.2553, 0.3662, Intervals.wilson(81, 263));
    assertInterval(0.0, 0.2775, Intervals.wilson(0, 10));
    assertInterval(0.7225, 1.0, Intervals.wilson(10, 10));
    assertNull(Intervals.wilson(0, 0), "no queries, no interval");
  }

  @Test
  void differenceOfTwoWilsonIntervalsIsNewcombesHybridScore() {
    // Newcombe (1998), Statistics in Medicine 17:873, Table II, method 10: 56/70 - 48/80 -> 0.0524 to 0.3339.
    Interval d = Intervals.difference(56.0 / 70, Intervals.wilson(56, 70), 48.0 / 80, Intervals.wilson(48, 80));
    assertInterval(0.0524, 0.3339, d);
    assertTrue(d.excludesZero());
    // 9/10 - 3/10 -> 0.1705 to 0.8090 in the same table.
    assertInterval(0.1705, 0.8090, Intervals.difference(0.9, Intervals.wilson(9, 10), 0.3, Intervals.wilson(3, 10)));
  }

  @Test
  void meanOfOneEstimateIsItsOwnIntervalAndNarrowsWithMore() {
    Interval one = Intervals.wilson(5, 24);
    assertEquals(one, Intervals.mean(List.of(5 / 24.0), List.of(one)));
    Interval four = Intervals.mean(List.of(5 / 24.0, 5 / 24.0, 5 / 24.0, 5 / 24.0), List.of(one, one, one, one));
    // Four equal independent cells: half the width (sqrt 4), around the same estimate.
    assertEquals((one.hi() - one.lo()) / 2, four.hi() - four.lo(), 1e-12);
    assertNull(Intervals.mean(List.of(0.5, 0.5), java.util.Arrays.asList(one, null)));
  }

  @Test
  void overRunsIsStudentsTClippedToProportions() {
    // mean 0.5, sd 0.1, t(0.975, 2) = 4.303: 0.5 +- 4.303 * 0.1 / sqrt(3)
    double half = 4.303 * 0.1 / Math.sqrt(3);
    assertInterval(0.5 - half, 0.5 + half, Intervals.overRuns(List.of(0.4, 0.5, 0.6)));
    assertInterval(0.0, 0.2 + half, Intervals.overRuns(List.of(0.1, 0.2, 0.3)));
    assertNull(Intervals.overRuns(List.of(0.3)), "one run has no spread");
    assertEquals(2.042, Intervals.t975(30));
    assertEquals(2.021, Intervals.t975(40), 0.002, "t(0.975, 40) is 2.021");
    assertFalse(new Interval(-0.1, 0.2).excludesZero());
  }

  @Test
  void aZeroCellsAverageStaysAtZeroAndPrintsWithoutASign() {
    Interval zero = Intervals.wilson(0, 24);
    Interval mean = Intervals.mean(List.of(0.0, 0.0, 0.0), List.of(zero, zero, zero));
    assertEquals(0.0, mean.lo());
    assertEquals("[0.0, 8.0]", mean.percent());
    assertEquals("0.0", Interval.percent(-1e-17));
    assertEquals("-3.2", Interval.percent(-0.0316));
  }

  @Test
  void intervalIsAJsonPair() throws Exception {
    String json = Json.MAPPER.writeValueAsString(new Interval(0.25, 0.5));
    assertEquals("[0.25,0.5]", json.replaceAll("\\s", ""));
    assertEquals(new Interval(0.25, 0.5), Json.MAPPER.readValue("[0.25, 0.5]", Interval.class));
  }
}
