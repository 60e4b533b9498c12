package org.mapd.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.mapd.FuzzInput;

/**
 * The record index training reads prepared dataset files through, as a JSON array and as JSON lines: any bytes
 * are indexed so that every record reads back inside the file, or fail with one IllegalArgumentException that
 * says why (found by fuzzing: bytes Jackson takes for UCS-4 failed as an UncheckedIOException, "cannot index").
 */
public class RecordIndexFuzzTest {
  @FuzzTest(maxDuration = "5s")
  void indexesOrSaysWhy(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    Path file = FuzzInput.file("records.json", bytes);
    for (RecordIndex.Layout layout : RecordIndex.Layout.values()) {
      Path index = file.resolveSibling("records.json." + layout + ".idx");
      try (RecordIndex r = RecordIndex.open(file, index, layout)) {
        long total = 0;
        for (int i = 0; i < r.size(); i++) total += r.bytes(i).length;
        if (total > bytes.length) throw new AssertionError(r.size() + " records hold " + total + " of " + bytes.length + " bytes");
      } catch (IllegalArgumentException e) {
        FuzzInput.refused(e);
      }
    }
  }
}
