package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.data.LlavaRecord;
import org.slf4j.LoggerFactory;

/** Broken JSON inside the inputs: never a crash, never a silent loss; the records around it are kept. */
class MalformedJsonTest {
  static final String Q = "<image>\nWhat is it?" + PrepareDataTest.VQA;
  @TempDir static Path dir;
  static Path datasets;

  static String good(String id) {
    return PrepareDataTest.rec(id, "gqa/images/1.png", Q, "cat");
  }

  /** Index -> what the mix holds there. */
  static final List<String> MIX = List.of(
      good("g0"),
      "{\"id\": \"a\", \"image\": }", // the syntax error of the issue: brackets balance
      good("g2"),
      good("g3").substring(0, good("g3").length() - 1), // its closing brace is missing
      good("g4"),
      good("g5") + "}", // a stray brace after it
      good("g6"),
      good("g7").replace("cat\"}", "cat}"), // a string never closed
      good("g8"),
      "42",
      good("g10"));

  @BeforeAll
  static void inputs() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    datasets = dir.resolve("datasets");
    PrepareDataTest.png(datasets.resolve("LLaVA-Instruct/images/gqa/images/1.png"));
    PrepareDataTest.write(datasets.resolve("LLaVA-Instruct/llava_v1_5_mix665k.json"), MIX);
    Path ov = datasets.resolve("LLaVA-OneVision");
    PrepareDataTest.png(ov.resolve("geo170k(qa)/1.png"));
    PrepareDataTest.png(ov.resolve("mavis_math_metagen/1.png"));
    String basic = PrepareDataTest.rec("b1", "geo170k(qa)/1.png", "<image>\nPlease directly answer the question.", "A");
    String reasoning = PrepareDataTest.rec("r1", "geo170k(qa)/1.png", "<image>\nFirst perform reasoning.", "A");
    // cut off in the middle of its third record
    Files.writeString(ov.resolve("geo170k(qa)/geo170k(qa).json"), "[\n" + basic + ",\n" + reasoning + ",\n" + basic.substring(0, 40));
    // one record, but not in an array
    Files.createDirectories(ov.resolve("tabmwp(cauldron)"));
    Files.writeString(ov.resolve("tabmwp(cauldron)/tabmwp(cauldron).json"),
        PrepareDataTest.rec("t1", "tabmwp(cauldron)/1.png", "<image>\nHow many?", "2"));
    // an array that is never closed, but no record is cut
    Files.createDirectories(ov.resolve("mavis_math_metagen"));
    Files.writeString(ov.resolve("mavis_math_metagen/mavis_math_metagen.json"),
        "[" + PrepareDataTest.rec("m1", "mavis_math_metagen/1.png", "<image>\nSolve it.", "3") + "\n");
  }

  static void assertSplit(Path out, PrepareSummary s) throws Exception {
    assertEquals(16, s.read());
    assertEquals(Map.of("malformed_json", 7L), s.rejected());
    Map<String, Long> nonEmpty = new TreeMap<>();
    s.datasets().forEach((k, v) -> { if (v > 0) nonEmpty.put(k, v); });
    assertEquals(Map.of("gqa", 6L, "basic_qa_geo170k", 1L, "reasoning_qa_geo170k", 1L, "mavis_math_metagen", 1L), nonEmpty);
    assertEquals(List.of("g0", "g2", "g4", "g6", "g8", "g10"),
        DatasetFile.read(out, "gqa").stream().map(LlavaRecord::id).toList(), "records before and after each break, in order");
    Map<String, String> rejects = new TreeMap<>();
    for (String l : Files.readAllLines(out.resolve("rejects.jsonl"))) {
      JsonNode n = Json.MAPPER.readTree(l);
      assertEquals("malformed_json", n.get("reason").asText());
      assertTrue(n.get("record").toString().length() <= Checks.SNIPPET_CHARS + 3, l);
      rejects.put(n.get("source").asText() + ":" + n.get("index").asLong(), n.get("record").toString());
    }
    assertEquals(Set.of("mix665k:1", "mix665k:3", "mix665k:5", "mix665k:7", "mix665k:9", "geo170k(qa):2",
        "tabmwp(cauldron):0"), rejects.keySet());
    assertTrue(rejects.get("mix665k:1").contains("\\\"image\\\": }"), rejects.get("mix665k:1"));
    List<String> notes = s.notes();
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("source geo170k(qa):") && n.contains("cut off")), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("source tabmwp(cauldron):") && n.contains("not a JSON array")), notes.toString());
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("source mavis_math_metagen:") && n.contains("never closed")), notes.toString());
    assertFalse(Files.exists(out.resolve(".prepare")), "intermediate shards are removed after a successful run");
  }

  @Test
  void directRunnerKeepsEveryRecordAroundTheBreaks(@TempDir Path out) throws Exception {
    assertSplit(out, PrepareData.run(PrepareDataTest.options("direct", datasets, out)));
  }

  @Test
  void flinkLocalGivesTheSameRejects(@TempDir Path out) throws Exception {
    assertSplit(out, PrepareData.run(PrepareDataTest.options("flink", datasets, out)));
  }

  @Test
  void scanSplitsElementsAndMarksOnlyTheBrokenOnes() throws Exception {
    Path f = dir.resolve("scan.json");
    Files.writeString(f, "\uFEFF [ {\"a\": \"x,}]\\\"\"} ,\n[1, 2], {\"b\": {\"c\": [] }}, {\"d\":1 ]");
    ReadJsonArray.Elements e = ReadJsonArray.scan(f);
    byte[] b = Files.readAllBytes(f);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) texts.add(new String(b, (int) e.starts()[i], (int) (e.ends()[i] - e.starts()[i]), StandardCharsets.UTF_8));
    assertEquals(List.of("{\"a\": \"x,}]\\\"\"}", "[1, 2]", "{\"b\": {\"c\": [] }}", "{\"d\":1 ]"), texts);
    assertEquals(Set.of(3), e.damaged().keySet(), "only the object closed by ] is broken");
    assertTrue(e.notes().get(0).contains("cut off"), e.notes().toString());
  }

  /** Damage inside one record (a byte lost, a quote or brace added) never costs another record. */
  @Test
  void randomDamageToOneRecordLeavesTheOthersIntact() throws Exception {
    List<String> recs = new ArrayList<>();
    for (int i = 0; i < 20; i++) recs.add(PrepareDataTest.rec("r" + i, "gqa/images/1.png", "<image>\nWhat, is {it} [" + i + "]?", "cat \"x\" , {"));
    String clean = "[\n" + String.join(",\n", recs) + "\n]\n";
    Random random = new Random(3);
    Path f = dir.resolve("damaged.json");
    for (int t = 0; t < 400; t++) {
      int k = 1 + random.nextInt(18);
      int start = clean.indexOf(recs.get(k)), at = start + random.nextInt(recs.get(k).length());
      StringBuilder text = new StringBuilder(clean);
      switch (random.nextInt(4)) {
        case 0 -> text.deleteCharAt(at);
        case 1 -> text.insert(at, '"');
        case 2 -> text.insert(at, '{');
        default -> text.insert(at, '}');
      }
      Files.writeString(f, text);
      ReadJsonArray.Elements e = ReadJsonArray.scan(f);
      byte[] b = Files.readAllBytes(f);
      Set<String> intact = new HashSet<>();
      for (int i = 0; i < e.size(); i++) {
        if (i > 0) assertTrue(e.starts()[i] > e.ends()[i - 1], "elements are disjoint and in order");
        if (!e.damaged().containsKey(i)) intact.add(new String(b, (int) e.starts()[i], (int) (e.ends()[i] - e.starts()[i]), StandardCharsets.UTF_8));
      }
      for (int i = 0; i < recs.size(); i++) {
        if (i != k) assertTrue(intact.contains(recs.get(i)), "record " + i + " lost after damage to " + k + ": " + text);
      }
    }
  }
}
