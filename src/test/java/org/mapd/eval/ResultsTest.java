package org.mapd.eval;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapd.conf.Mode;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ResultsTest {
  @Test
  void fixedStepAndMaxOverStepsPerCell() {
    List<Sample> samples = List.of(
        SampleLogTest.sample("clevr", Mode.FT, 2, 0, false, true, false),
        SampleLogTest.sample("clevr", Mode.FT, 2, 1, false, true, true),
        SampleLogTest.sample("clevr", Mode.FT, 2, 2, true, false, false),
        SampleLogTest.sample("clevr", Mode.ICL, 2, 0, true),
        SampleLogTest.sample("clevr", Mode.ICL, 2, 1, false),
        SampleLogTest.sample("open_mi", Mode.ICL, 0, 0, true));
    List<ResultRow> rows = Results.rows("mapd", samples, List.of("open_mi", "clevr"), List.of(Mode.values()), List.of(0, 2));
    assertEquals(List.of(
        new ResultRow("mapd", "open_mi", Mode.ICL, 0, 1, 1.0, 1.0),
        new ResultRow("mapd", "clevr", Mode.ICL, 2, 2, 0.5, 0.5),
        // last step: 1 of 3; best step (step 1): 2 of 3; no single sample's best counts (oracle per dataset).
        new ResultRow("mapd", "clevr", Mode.FT, 2, 3, 1.0 / 3, 2.0 / 3)), rows);
  }
}
