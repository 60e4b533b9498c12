package org.mapd.model;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mapd.FuzzInput;

/**
 * A downloaded tokenizer.json, read by mapd (vocabulary, added tokens) and by the HuggingFace tokenizers
 * library through DJL: loads and encodes, or fails with one IllegalArgumentException that says why.
 */
public class TokenizerJsonFuzzTest {
  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({"\"model\"", "\"vocab\"", "\"added_tokens\"", "\"content\"", "\"id\"", "\"type\"",
      "\"WordLevel\"", "\"BPE\"", "\"merges\"", "\"unk_token\"", "\"pre_tokenizer\"", "\"Whitespace\""})
  void loadsOrSaysWhy(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    try (TextTokenizer t = TextTokenizer.load(FuzzInput.file("tokenizer.json", bytes))) {
      t.decode(t.encode("what is in the image? 42"));
    } catch (IllegalArgumentException e) {
      FuzzInput.refused(e);
    }
  }
}
