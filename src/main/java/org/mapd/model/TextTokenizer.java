package org.mapd.model;

import java.nio.file.Path;
import java.util.Collection;

/** tokenizer.json through DJL's HuggingFace tokenizers: no special tokens added, no truncation. */
public final class TextTokenizer implements AutoCloseable {
  public static TextTokenizer load(Path tokenizerJson) { throw new UnsupportedOperationException("helper A"); }

  public int[] encode(String text) { throw new UnsupportedOperationException("helper A"); }

  public String decode(int[] ids) { throw new UnsupportedOperationException("helper A"); }

  /** Id of a token of the vocabulary (special or not); fails naming the token if absent. */
  public int id(String token) { throw new UnsupportedOperationException("helper A"); }

  public int vocabSize() { throw new UnsupportedOperationException("helper A"); }

  /** Writes a word-level tokenizer.json for the mini plan: Qwen's special tokens, "\n" and the words. */
  public static void writeWordLevel(Path tokenizerJson, Collection<String> words) { throw new UnsupportedOperationException("helper A"); }

  @Override
  public void close() {}
}
