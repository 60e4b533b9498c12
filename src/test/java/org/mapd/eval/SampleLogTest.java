package org.mapd.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.conf.Mode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleLogTest {
  @TempDir Path dir;

  static Sample sample(String task, Mode mode, int shots, int query, Boolean... correct) {
    List<Boolean> c = List.of(correct);
    return new Sample(task, mode, shots, query, "id" + query, "5", c.stream().map(b -> b ? "5" : "x").toList(), c, 3);
  }

  @Test
  void reopenedLogKnowsWhatIsDone() {
    Path file = dir.resolve("out/samples.jsonl");
    try (SampleLog log = SampleLog.open(file)) {
      log.append(sample("clevr", Mode.ICL, 2, 0, true));
      log.append(sample("clevr", Mode.FT, 2, 0, false, true));
    }
    try (SampleLog log = SampleLog.open(file)) {
      assertTrue(log.done(new Sample.Key("clevr", Mode.ICL, 2, 0)));
      assertTrue(log.done(new Sample.Key("clevr", Mode.FT, 2, 0)));
      assertFalse(log.done(new Sample.Key("clevr", Mode.FT, 2, 1)));
      assertEquals(sample("clevr", Mode.FT, 2, 0, false, true), log.samples().get(1));
    }
  }

  @Test
  void tornLastLineIsCutAndTheQueryRedone() throws Exception {
    Path file = dir.resolve("samples.jsonl");
    try (SampleLog log = SampleLog.open(file)) {
      log.append(sample("textocr", Mode.ICL, 0, 0, true));
    }
    Files.writeString(file, "{\"task\":\"textocr\",\"mode\":\"icl\",\"sh", StandardOpenOption.APPEND);
    try (SampleLog log = SampleLog.open(file)) {
      assertEquals(1, log.samples().size());
      log.append(sample("textocr", Mode.ICL, 0, 1, false));
    }
    List<String> lines = Files.readAllLines(file);
    assertEquals(2, lines.size());
    try (SampleLog log = SampleLog.open(file)) {
      assertEquals(2, log.samples().size());
    }
  }

  @Test
  void corruptCompleteLineIsAnError() throws Exception {
    Path file = dir.resolve("samples.jsonl");
    Files.writeString(file, "not json\n");
    assertThrows(IllegalStateException.class, () -> SampleLog.open(file));
  }
}
