package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a log file gets when stderr is not a terminal: short plain lines, not a bar's carriage returns. */
class ConsoleProgressTest {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  long now;
  final ConsoleProgress lines = new ConsoleProgress(
      new PrintStream(bytes, true, StandardCharsets.UTF_8), false, () -> now);

  List<String> printed() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  void at(long seconds) {
    now = TimeUnit.SECONDS.toNanos(seconds);
  }

  @Test
  void lineModePrintsAtMostEveryIntervalAndTheLastStep() {
    at(0);
    lines.started("Warmup", Path.of("/w/warmup-abc"), null);
    for (long step = 1; step <= 100; step++) {
      at(step); // one step a second: 100 s in all
      lines.progress("Warmup", step, 100, 2.0 / step);
    }
    lines.finished("Warmup", Path.of("/w/warmup-abc"), false);

    List<String> out = printed();
    assertEquals(List.of(
        "start  Warmup -> /w/warmup-abc",
        "Warmup  30% 30/100 after 30 s, loss 0.0667",
        "Warmup  60% 60/100 after 60 s, loss 0.0333",
        "Warmup  90% 90/100 after 90 s, loss 0.0222",
        "Warmup 100% 100/100 after 100 s, loss 0.0200",
        "done   Warmup in 100.0 s"), out);
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"));
  }

  @Test
  void shortStageWithoutStartLinePrintsOnlyItsLastStep() {
    at(5);
    var progress = lines.forStage("Pretrain");
    for (long step = 1; step <= 10; step++) progress.report(step, 10, Double.NaN, null);
    assertEquals(List.of("Pretrain 100% 10/10 after 0 s"), printed());
  }

  @Test
  void evaluationShowsItsAccuracySoFarNotALoss() {
    at(0);
    lines.started("Evaluate untrained", Path.of("/w/evaluate-untrained-abc"), null);
    at(31);
    lines.progress("Evaluate untrained", 92, 384, 0.08);
    assertEquals("Evaluate untrained  23% 92/384 after 31 s, accuracy so far 8.0%", printed().get(1));
    assertEquals("loss 0.0800", ConsoleProgress.value("Finetune mapd", 0.08));
    assertEquals("", ConsoleProgress.value("Evaluate mapd", Double.NaN));
  }

  @Test
  void modeComesFromTheEnvironmentWhenSet() {
    assertTrue(ConsoleProgress.barsOnStderr("bars"));
    assertFalse(ConsoleProgress.barsOnStderr(" Lines "));
    assertThrows(IllegalArgumentException.class, () -> ConsoleProgress.barsOnStderr("fancy"));
  }
}
