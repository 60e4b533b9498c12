package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunIdsTest {
  @Test
  void runsStartedInTheSameMillisecondGetDifferentReadableIds() {
    Instant start = Instant.parse("2026-11-27T15:30:12.123Z");
    Random random = new Random(1);
    String a = RunIds.of("mini", start, random);
    String b = RunIds.of("mini", start, random);
    assertNotEquals(a, b);
    for (String id : new String[] {a, b}) {
      assertTrue(id.matches("mini-20261127-153012-123-[0-9a-f]{4}"), id);
    }
  }

  @Test
  void defaultIdsAreValidFolderNamesAndSortByStartTime() {
    Random random = new Random(2);
    String earlier = RunIds.of("mini", Instant.parse("2026-11-27T15:30:12.123Z"), random);
    String later = RunIds.of("mini", Instant.parse("2026-11-27T15:30:12.124Z"), random);
    assertTrue(earlier.compareTo(later) < 0, earlier + " " + later);
    // The report folder keeps only these characters (DataActivitiesImpl.report): the id must survive as is.
    assertTrue(later.matches("[A-Za-z0-9._-]+"), later);
    assertTrue(RunIds.next("mini").matches("mini-\\d{8}-\\d{6}-\\d{3}-[0-9a-f]{4}"));
  }
}
