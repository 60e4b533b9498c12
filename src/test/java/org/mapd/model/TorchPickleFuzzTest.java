package org.mapd.model;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mapd.FuzzInput;

/**
 * The pickle inside a pytorch_model.bin (data.pkl), without the zip around it, so the fuzzer reaches every
 * opcode quickly: tensor descriptions, or one IllegalArgumentException that says why.
 */
public class TorchPickleFuzzTest {
  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({"torch._utils\\x0a_rebuild_tensor_v2\\x0a", "torch\\x0aFloatStorage\\x0a",
      "torch\\x0aBFloat16Storage\\x0a", "collections\\x0aOrderedDict\\x0a", "_rebuild_parameter", "storage"})
  void readsOrSaysWhy(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    try {
      TorchPickle.read("data.pkl", bytes);
    } catch (IllegalArgumentException e) {
      FuzzInput.refused(e);
    }
  }
}
