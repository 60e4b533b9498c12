package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapd.model.Safetensors;
import org.mapd.model.TextTokenizer;

/** model forward / model vision / tokenize through the whole CLI, against transformers' outputs in the parity fixtures. */
class InspectionCommandsTest {
  /** The parity bound of the forward passes themselves (max abs error over every element). */
  static final double TOLERANCE = 1e-4;

  static NDManager manager;

  @TempDir Path dir;
  String out;
  String err;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-tied", "qwen2-untied"})
  void forwardWritesTransformersLogitsHiddenStatesAndGreedyTokens(String fixture) throws IOException {
    Path model = copy(fixture);
    Map<String, NDArray> e = Safetensors.load(manager, model.resolve("expected.safetensors"));
    long[] ids = e.get("input_ids").toLongArray(); // [1,7]
    long[] greedy = e.get("greedy_tokens").toLongArray(); // [1,8]
    Path result = dir.resolve("out/forward.safetensors");
    String idList = Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
    assertEquals(0, run("model", "forward", "--model", model.toString(), "--ids", idList,
        "--generate", String.valueOf(greedy.length), "--out", result.toString()), err);

    Map<String, NDArray> got = Safetensors.load(manager, result);
    assertEquals(Set.of("logits", "hidden_states_0", "hidden_states_1", "hidden_states_2", "greedy"), got.keySet());
    assertClose(fixture + " logits", e.get("logits").squeeze(0), got.get("logits"));
    // The raw state after layer 1 is only reachable through the new per-layer output: transformers saved it as is.
    for (int k = 0; k <= 2; k++) {
      assertClose(fixture + " hidden_states_" + k, e.get("hidden_states." + k).squeeze(0), got.get("hidden_states_" + k));
    }
    assertEquals(DataType.INT64, got.get("greedy").getDataType());
    assertArrayEquals(greedy, got.get("greedy").toLongArray(), fixture + " greedy tokens");

    // Without --generate there is no greedy tensor, and the forward outputs do not change.
    Path plain = dir.resolve("plain.safetensors");
    assertEquals(0, run("model", "forward", "--model", model.toString(), "--ids", idList, "--out", plain.toString()), err);
    Map<String, NDArray> again = Safetensors.load(manager, plain);
    assertEquals(Set.of("logits", "hidden_states_0", "hidden_states_1", "hidden_states_2"), again.keySet());
    assertClose(fixture + " logits without cache", e.get("logits").squeeze(0), again.get("logits"));
  }

  @Test
  void visionWritesEveryTransformersHiddenState() throws IOException {
    Path model = copy("clip-vision");
    Map<String, NDArray> e = Safetensors.load(manager, model.resolve("expected.safetensors"));
    Path pixels = dir.resolve("pixels.safetensors");
    Safetensors.save(pixels, Map.of("pixel_values", e.get("pixel_values")), Map.of()); // [1,3,32,32]
    Path result = dir.resolve("vision.safetensors");
    assertEquals(0, run("model", "vision", "--model", model.toString(), "--pixels", pixels.toString(),
        "--out", result.toString()), err);

    Map<String, NDArray> got = Safetensors.load(manager, result);
    assertEquals(Set.of("hidden_states_0", "hidden_states_1", "hidden_states_2", "last_hidden_state"), got.keySet());
    for (int k = 0; k <= 2; k++) {
      assertClose("clip hidden_states_" + k, e.get("hidden_states." + k), got.get("hidden_states_" + k)); // [1,17,32]
    }
    assertClose("clip last_hidden_state", e.get("hidden_states.2"), got.get("last_hidden_state"));
  }

  @Test
  void tokenizeGivesTheIdsOfAnIndependentTokenizerAndOfTextTokenizer() throws IOException {
    Path tokenizer = Path.of("conf/paper/llm/tokenizer.json");
    JsonNode cases = new ObjectMapper().readTree(resource("qwen3-tokenizer").resolve("chat_template_ids.json").toFile());
    List<String> texts = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (JsonNode p : cases.get("prompts")) {
      if (p.get("text").asText().contains("<image>")) continue; // spliced by ChatTemplate, not a tokenizer matter
      texts.add(p.get("text").asText());
      expected.add(p.get("ids").toString()); // ids from @lenml/tokenizers, a separate implementation
    }
    assertTrue(texts.size() >= 2, "fixture prompts");

    assertEquals(0, run("tokenize", "--tokenizer", tokenizer.toString(), "--text", texts.get(0)), err);
    assertEquals(List.of(expected.get(0)), out.lines().toList());

    Path jsonl = dir.resolve("texts.jsonl");
    ObjectMapper json = new ObjectMapper();
    List<String> lines = new ArrayList<>();
    for (String t : texts) lines.add(json.createObjectNode().put("text", t).toString());
    lines.add("");
    lines.add(json.createObjectNode().put("text", "plain words, no specials").toString());
    Files.write(jsonl, lines);
    assertEquals(0, run("tokenize", "--tokenizer", tokenizer.toString(), "--input", jsonl.toString()), err);
    List<String> printed = out.lines().toList();
    assertEquals(texts.size() + 1, printed.size(), out);
    assertEquals(expected, printed.subList(0, texts.size()));
    try (TextTokenizer own = TextTokenizer.load(tokenizer)) {
      assertEquals(Arrays.toString(own.encode("plain words, no specials")).replace(" ", ""), printed.get(texts.size()));
    }
  }

  @Test
  void badInputsExitTwoWithOneLineNamingTheFileOrField() throws IOException {
    Path model = copy("qwen2-untied");
    Path result = dir.resolve("r.safetensors");
    Path missing = dir.resolve("nowhere");

    assertEquals(2, run("model", "forward", "--model", missing.toString(), "--ids", "1", "--out", result.toString()));
    assertError(missing.toString());
    assertEquals(2, run("model", "forward", "--model", model.toString(), "--ids", "1,300", "--out", result.toString()));
    assertError("--ids: id 300 is outside the vocabulary [0, 300)");
    assertEquals(2, run("model", "forward", "--model", model.toString(), "--ids", "1,x", "--out", result.toString()));
    assertError("--ids: 'x' is not an integer");
    assertEquals(2, run("model", "forward", "--model", model.toString(), "--ids", "1", "--generate", "-1", "--out", result.toString()));
    assertError("--generate");

    Path clip = copy("clip-vision");
    assertEquals(2, run("model", "vision", "--model", clip.toString(), "--pixels", missing.toString(), "--out", result.toString()));
    assertError(missing.toString());
    Path wrong = dir.resolve("wrong.safetensors");
    Safetensors.save(wrong, Map.of("pixels", manager.zeros(new ai.djl.ndarray.types.Shape(1, 3, 32, 32))), Map.of());
    assertEquals(2, run("model", "vision", "--model", clip.toString(), "--pixels", wrong.toString(), "--out", result.toString()));
    assertError(wrong + ": no tensor pixel_values");
    Safetensors.save(wrong, Map.of("pixel_values", manager.zeros(new ai.djl.ndarray.types.Shape(1, 3, 16, 16))), Map.of());
    assertEquals(2, run("model", "vision", "--model", clip.toString(), "--pixels", wrong.toString(), "--out", result.toString()));
    assertError(wrong + ": pixel_values has shape (1, 3, 16, 16)");

    Path tokenizer = dir.resolve("tokenizer.json");
    assertEquals(2, run("tokenize", "--tokenizer", tokenizer.toString(), "--text", "a"));
    assertError(tokenizer.toString());
    TextTokenizer.writeWordLevel(tokenizer, List.of("a", "cat"));
    Path jsonl = dir.resolve("bad.jsonl");
    Files.write(jsonl, List.of("{\"text\": \"a cat\"}", "{\"txt\": \"a\"}"));
    assertEquals(2, run("tokenize", "--tokenizer", tokenizer.toString(), "--input", jsonl.toString()));
    assertError(jsonl + " line 2: field text");
    assertEquals("", out, "nothing printed before a bad line is found");
    assertEquals(2, run("tokenize", "--tokenizer", tokenizer.toString()), "neither --text nor --input");
    assertEquals(2, run("tokenize", "--tokenizer", tokenizer.toString(), "--text", "a", "--input", jsonl.toString()));
  }

  @Test
  void everyOptionIsDescribed() {
    MainTest.assertDocumented(new picocli.CommandLine(new ModelCommand()));
    MainTest.assertDocumented(new picocli.CommandLine(new TokenizeCommand()));
  }

  private void assertError(String fragment) {
    assertTrue(err.startsWith("mapd: ") && err.contains(fragment), "error should name " + fragment + ": " + err);
    assertEquals(1, err.lines().filter(l -> l.startsWith("mapd: ")).count(), err);
  }

  /** A fixture folder copied to the temporary folder (the commands may be pointed at any path). */
  private Path copy(String fixture) throws IOException {
    Path to = dir.resolve(fixture);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(resource(fixture))) {
      for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
    }
    return to;
  }

  private static Path resource(String fixture) {
    var url = InspectionCommandsTest.class.getResource("/parity/" + fixture);
    assertNotNull(url, "fixture parity/" + fixture);
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertClose(String what, NDArray expected, NDArray actual) {
    assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), what + " shape");
    float[] x = expected.toFloatArray();
    float[] y = actual.toFloatArray();
    double max = 0;
    for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs((double) x[i] - y[i]));
    System.out.printf("inspect %-36s max abs err %.3e%n", what, max);
    assertTrue(max <= TOLERANCE, what + ": max abs error " + max);
  }
}
