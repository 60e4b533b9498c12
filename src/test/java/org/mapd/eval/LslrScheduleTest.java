package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LslrScheduleTest {
  @Test
  void authorsThirtyStepExampleHasThirtyOneEntries() {
    double[] trained = {0.11, 0.12, 0.13, 0.14, 0.15, 0.16}; // 5 trained steps + 1 unused
    double[] expected = new double[31];
    System.arraycopy(trained, 0, expected, 0, 5);
    Arrays.fill(expected, 5, 10, 0.15);
    Arrays.fill(expected, 10, 30, 1.0);
    expected[30] = 0.16;
    assertArrayEquals(expected, LslrSchedule.extrapolate(trained, 30, 1.0));
  }

  @Test
  void miniPlanShape() {
    // 3 trained steps, 8 FT steps: lr0..2, lr2 x3, default x2, lr3.
    assertArrayEquals(new double[] {1, 2, 3, 3, 3, 3, 9, 9, 4}, LslrSchedule.extrapolate(new double[] {1, 2, 3, 4}, 8, 9));
    // Fewer remaining steps than trained ones: repeat lr[n-1] as far as it goes, no default.
    assertArrayEquals(new double[] {1, 2, 3, 3, 3, 4}, LslrSchedule.extrapolate(new double[] {1, 2, 3, 4}, 5, 9));
  }

  @Test
  void enoughTrainedRatesAreUsedAsTheyAre() {
    assertArrayEquals(new double[] {1, 2, 3, 4, 4}, LslrSchedule.extrapolate(new double[] {1, 2, 3, 4}, 4, 9));
    assertArrayEquals(new double[] {1, 2, 4}, LslrSchedule.extrapolate(new double[] {1, 2, 3, 4}, 2, 9));
    // A single stored rate (no trained step): the default everywhere, then that rate last.
    assertArrayEquals(new double[] {9, 9, 9, 1}, LslrSchedule.extrapolate(new double[] {1}, 3, 9));
  }

  @Test
  void constantAndErrors() {
    assertArrayEquals(new double[] {1, 1, 1}, LslrSchedule.constant(2, 1.0));
    assertThrows(IllegalArgumentException.class, () -> LslrSchedule.extrapolate(new double[0], 3, 1));
    assertThrows(IllegalArgumentException.class, () -> LslrSchedule.extrapolate(new double[] {1}, 0, 1));
  }
}
