package org.mapd.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;

/**
 * Compare on the committed histories of two fake-stage runs (seeds 222 and 223), against golden files.
 * {@code -Dmapd.updateGolden=true} rewrites src/test/resources/compare/ from the current output.
 */
class CompareTest {
  static final Path HISTORIES = Path.of("src/test/resources/histories");
  static final Path GOLDEN = Path.of("src/test/resources/compare");
  @TempDir Path dir;

  static RunHistory history(String name) throws Exception {
    return RunHistory.parse(Files.readString(HISTORIES.resolve(name + ".json")), null);
  }

  @Test
  void twoRunsWithDifferentSeedsMatchTheGoldenFiles() throws Exception {
    List<RunHistory> runs = List.of(history("readable-mini-222"), history("readable-mini-223"));
    Path md = Compare.write(runs, "readable-mini-222", dir);

    if (Boolean.getBoolean("mapd.updateGolden")) {
      Files.copy(md, GOLDEN.resolve(Compare.MARKDOWN), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(dir.resolve(Compare.JSON), GOLDEN.resolve(Compare.JSON), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertEquals(Files.readString(GOLDEN.resolve(Compare.MARKDOWN)), Files.readString(md));
    assertEquals(Json.MAPPER.readTree(GOLDEN.resolve(Compare.JSON).toFile()),
        Json.MAPPER.readTree(dir.resolve(Compare.JSON).toFile()));
    BufferedImage chart = ImageIO.read(dir.resolve(Compare.CHART).toFile());
    assertEquals(1280, chart.getWidth(), "ICL and FT side by side");

    JsonNode json = Json.MAPPER.readTree(dir.resolve(Compare.JSON).toFile());
    assertEquals(List.of("id", "plan", "seed", "fidelity", "status"), fieldNames(json.get("runs").get(0)));
    JsonNode row = json.get("rows").get(0);
    assertTrue(fieldNames(row).containsAll(List.of("strategy", "task", "mode", "shots", "values", "mean", "ci95")));
    assertEquals(2, row.get("values").size());
    assertEquals(2, row.get("ci95").size());
    assertEquals("222, 223", String.join(", ", List.of(json.get("parameters").get("seed").get(0).asText(),
        json.get("parameters").get("seed").get(1).asText())));
    assertEquals(1, json.get("parameters").size(), "only the seed differs");
  }

  static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void readsTheCliShorthandPayloadsAndTheUisEventNames() throws Exception {
    String json = Files.readString(HISTORIES.resolve("readable-mini-223.json"));
    JsonNode tree = Json.MAPPER.readTree(json);
    shorthand(tree);
    for (JsonNode event : tree.get("events")) {
      String type = event.get("eventType").asText().substring("EVENT_TYPE_".length());
      StringBuilder camel = new StringBuilder();
      for (String part : type.split("_")) camel.append(part.charAt(0)).append(part.substring(1).toLowerCase());
      ((ObjectNode) event).put("eventType", camel.toString());
    }
    assertTrue(tree.toString().contains("\"eventType\":\"ActivityTaskCompleted\""));
    RunHistory converted = RunHistory.parse(tree.toString(), null);
    RunHistory original = RunHistory.parse(json, null);
    assertEquals(original, converted);
    assertEquals("readable-mini-223", original.id());
    assertEquals("completed", original.status());
    assertEquals(7, original.rows().size());
  }

  /** Replaces every {metadata, data} json/plain payload by its value, as the temporal CLI prints them by default. */
  static void shorthand(JsonNode node) throws Exception {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (isPayload(f.getValue())) f.setValue(decode(f.getValue()));
        else shorthand(f.getValue());
      }
    } else if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        if (isPayload(a.get(i))) a.set(i, decode(a.get(i)));
        else shorthand(a.get(i));
      }
    }
  }

  static boolean isPayload(JsonNode n) {
    return n.isObject() && n.has("metadata") && n.has("data") && n.get("metadata").has("encoding")
        && new String(Base64.getDecoder().decode(n.get("metadata").get("encoding").asText()), StandardCharsets.UTF_8)
            .equals("json/plain");
  }

  static JsonNode decode(JsonNode payload) throws Exception {
    return Json.MAPPER.readTree(Base64.getDecoder().decode(payload.get("data").asText()));
  }

  @Test
  void readsTheUisDecodedDownload() throws Exception {
    String json = Files.readString(HISTORIES.resolve("readable-mini-222.json"));
    JsonNode tree = Json.MAPPER.readTree(json);
    uiDecoded(tree);
    assertTrue(tree.toString().contains("\"encoding\":\"json/plain\""));
    assertEquals(RunHistory.parse(json, null), RunHistory.parse(tree.toString(), null));
  }

  /**
   * The Web UI's "decoded" download (its export-history utility): every payload keeps {metadata, data}, with
   * the metadata values as plain text and the data as the JSON value.
   */
  static void uiDecoded(JsonNode node) throws Exception {
    if (isPayload(node)) {
      ObjectNode metadata = (ObjectNode) node.get("metadata");
      for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        f.setValue(Json.MAPPER.getNodeFactory().textNode(
            new String(Base64.getDecoder().decode(f.getValue().asText()), StandardCharsets.UTF_8)));
      }
      ((ObjectNode) node).set("data", decode(node));
      return;
    }
    for (JsonNode child : node) uiDecoded(child);
  }

  @Test
  void aHistoryFromBeforeTheNumbersHasThePlanButNoRows() throws Exception {
    RunHistory old = history("reproduction-mini");
    assertEquals("mini-recorded", old.id());
    assertEquals("completed", old.status());
    assertEquals(Map.of(), old.rows());
    assertTrue(old.stageSeconds().containsKey("Pretrain"), old.stageSeconds().toString());
  }

  @Test
  void inputsThatAreNotRunHistoriesSayWhy() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RunHistory.parse("{\"rows\": []}", "x"))
        .getMessage().contains("not a workflow history"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> RunHistory.parse("nope", "x"))
        .getMessage().startsWith("not JSON"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Compare.compare(List.of(history("readable-mini-222")), "other")).getMessage()
        .contains("--baseline other is not one of the runs compared (readable-mini-222)"));
  }
}
