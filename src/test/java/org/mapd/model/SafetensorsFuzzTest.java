package org.mapd.model;

import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mapd.FuzzInput;

/** A downloaded .safetensors file: any bytes load, or fail with one IllegalArgumentException that says why. */
public class SafetensorsFuzzTest {
  private static NDManager manager;

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"F32\"", "\"BF16\"", "\"F16\"", "\"I64\"",
      "\"__metadata__\""})
  void loadsOrSaysWhy(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    synchronized (SafetensorsFuzzTest.class) {
      if (manager == null) manager = NDManager.newBaseManager();
    }
    try (NDManager m = manager.newSubManager()) {
      Safetensors.load(m, FuzzInput.file("model.safetensors", bytes));
    } catch (IllegalArgumentException e) {
      FuzzInput.refused(e);
    }
  }
}
