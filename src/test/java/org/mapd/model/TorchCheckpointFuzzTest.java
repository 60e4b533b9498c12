package org.mapd.model;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mapd.FuzzInput;

/**
 * A downloaded pytorch_model.bin (zip, or the legacy pickle stream): any bytes are described, or fail with one
 * IllegalArgumentException that says why; nothing is run, nothing hangs, nothing allocates what the file lacks.
 */
public class TorchCheckpointFuzzTest {
  @FuzzTest(maxDuration = "5s")
  void describesOrSaysWhy(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    try {
      TorchCheckpoint.describe(FuzzInput.file("pytorch_model.bin", bytes));
    } catch (IllegalArgumentException e) {
      FuzzInput.refused(e);
    }
  }
}
