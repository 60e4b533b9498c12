package org.mapd.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** tokenizer.json through DJL's HuggingFace tokenizers: no special tokens added, no truncation. */
public final class TextTokenizer implements AutoCloseable {
  /** Qwen's specials, in the order the word-level mini vocabulary gives them ids 0, 1, 2. */
  public static final List<String> SPECIALS = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
  public static final String UNKNOWN = "<unk>";

  private final HuggingFaceTokenizer tokenizer;
  private final Map<String, Integer> vocab;
  private final int vocabSize;
  private final Path file;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> vocab, Path file) {
    this.tokenizer = tokenizer;
    this.vocab = vocab;
    this.vocabSize = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    this.file = file;
  }

  /** Text every usable tokenizer encodes: words it may not know, digits, punctuation. */
  private static final String PROBE = "What is shown in the image? 42 zqxv.";

  public static TextTokenizer load(Path tokenizerJson) {
    Map<String, Integer> vocab = new HashMap<>();
    try {
      JsonNode root = HfConfig.LENIENT.readTree(tokenizerJson.toFile());
      JsonNode model = root.path("model").path("vocab");
      for (Iterator<Map.Entry<String, JsonNode>> it = model.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        vocab.put(e.getKey(), e.getValue().asInt());
      }
      for (JsonNode t : root.path("added_tokens")) vocab.put(t.get("content").asText(), t.get("id").asInt());
      HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(
          tokenizerJson, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      try {
        // Some broken files load but fail at the first word (e.g. an unk_token missing from the vocabulary,
        // found by fuzzing): fail here, naming the file, not in the middle of training.
        hf.encode(PROBE, false, false);
      } catch (RuntimeException e) {
        hf.close();
        throw e;
      }
      return new TextTokenizer(hf, vocab, tokenizerJson);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(tokenizerJson + ": cannot load tokenizer: " + e.getMessage(), e);
    }
  }

  public int[] encode(String text) {
    long[] ids = tokenizer.encode(text, false, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
    return out;
  }

  public String decode(int[] ids) {
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
    return tokenizer.decode(longs, false);
  }

  /** Id of a token of the vocabulary (special or not); fails naming the token if absent. */
  public int id(String token) {
    Integer id = vocab.get(token);
    if (id == null) throw new IllegalArgumentException(file + ": token '" + token + "' is not in the vocabulary");
    return id;
  }

  public int vocabSize() { return vocabSize; }

  /**
   * Writes a word-level tokenizer.json for the mini plan: Qwen's special tokens (ids 0-2), "\n" (3),
   * "<unk>" (4), then the words sorted. Words split on spaces; "\n" is its own token; decoding joins
   * tokens with single spaces (so "a\nb" decodes as "a \n b").
   */
  public static void writeWordLevel(Path tokenizerJson, Collection<String> words) {
    var mapper = HfConfig.LENIENT;
    ObjectNode root = mapper.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      added.addObject().put("id", i).put("content", SPECIALS.get(i)).put("single_word", false)
          .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Sequence");
    ArrayNode steps = pre.putArray("pretokenizers");
    steps.addObject().put("type", "Split").put("behavior", "Removed").put("invert", false)
        .putObject("pattern").put("String", " ");
    steps.addObject().put("type", "Split").put("behavior", "Isolated").put("invert", false)
        .putObject("pattern").put("String", "\n");
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode vocab = model.putObject("vocab");
    int next = 0;
    for (String s : SPECIALS) vocab.put(s, next++);
    vocab.put("\n", next++);
    vocab.put(UNKNOWN, next++);
    TreeSet<String> sorted = new TreeSet<>();
    for (String w : words) {
      if (w == null || w.isEmpty() || w.contains(" ") || w.contains("\n")) {
        throw new IllegalArgumentException("word-level vocabulary: '" + w + "' is empty or contains a space or newline");
      }
      if (!vocab.has(w)) sorted.add(w);
    }
    for (String w : sorted) vocab.put(w, next++);
    model.put("unk_token", UNKNOWN);
    org.mapd.Json.writeAtomic(tokenizerJson, root.toPrettyString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() { tokenizer.close(); }
}
