package org.mapd.pipelines;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.mapd.FuzzInput;

/**
 * A downloaded LLaVA-OneVision parquet file: whatever the bytes, the reader returns the rows it could read and
 * a failure for each part it could not (footer, row group, page), and never throws.
 */
public class ParquetFooterFuzzTest {
  @FuzzTest(maxDuration = "5s")
  void readsWhatItCanAndReportsTheRest(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    try {
      for (OneVisionParquet.Failure f : OneVisionParquet.read(FuzzInput.file("train.parquet", bytes), "train.parquet", row -> {})) {
        if (f.message() == null || f.message().isBlank()) throw new AssertionError("a failure without a reason: " + f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
