package org.mapd.cli;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Default run ids, <plan>-<UTC yyyyMMdd-HHmmss-SSS>-<4 hex digits>: readable and sorted by start time. The
 * id names the workflow and the run's report folder, so two runs must never share one; seconds alone did
 * not separate runs started together (e.g. by a script), milliseconds narrow that down and the random
 * suffix separates runs started in the same millisecond, on this machine or another.
 */
final class RunIds {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final RandomGenerator RANDOM = new SecureRandom();

  private RunIds() {}

  static String next(String plan) {
    return of(plan, Instant.now(), RANDOM);
  }

  static String of(String plan, Instant start, RandomGenerator random) {
    return plan + "-" + TIME.format(start) + "-" + String.format(Locale.ROOT, "%04x", random.nextInt(0x10000));
  }
}
