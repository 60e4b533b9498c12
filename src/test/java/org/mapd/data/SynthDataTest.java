package org.mapd.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;

class SynthDataTest {
  @TempDir static Path dir;
  static Path out;
  static Map<String, Integer> counts;

  @BeforeAll
  static void generate() {
    out = dir.resolve("a");
    counts = SynthData.generate(out, 42);
  }

  static JsonNode json(String rel) throws Exception {
    return Json.MAPPER.readTree(out.resolve(rel).toFile());
  }

  @Test
  void sameSeedGivesByteIdenticalFiles() throws Exception {
    Path b = dir.resolve("b");
    assertEquals(counts, SynthData.generate(b, 42));
    List<Path> files;
    try (var s = Files.walk(out)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    try (var s = Files.walk(b)) {
      assertEquals(files.size(), s.filter(Files::isRegularFile).count());
    }
    for (Path f : files) assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(out.relativize(f))), f.toString());
  }

  @Test
  void countsMatchFilesAndSizes() throws Exception {
    for (Map.Entry<String, Integer> c : counts.entrySet()) {
      JsonNode n = json(c.getKey());
      assertEquals(c.getValue(), n.isArray() ? n.size() : n.get("questions").size(), c.getKey());
    }
    assertEquals(SynthData.CAPTIONS, counts.get("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json"));
    for (String t : List.of("operator_induction", "clevr", "open_mi", "textocr")) {
      assertEquals(SynthData.QUERIES, counts.get("VL-ICL/" + t + "/query.json"));
      assertTrue(counts.get("VL-ICL/" + t + "/support.json") >= 60);
    }
  }

  @Test
  void everyReferencedImageIsA32x32Png() throws Exception {
    int checked = 0;
    for (JsonNode r : json("LLaVA-Instruct/llava_v1_5_mix665k.json")) {
      String id = r.path("id").asText();
      if (r.has("image") && !id.startsWith("bad_")) {
        assertTrue(Files.isRegularFile(out.resolve("LLaVA-Instruct/images").resolve(r.get("image").asText())), id);
      }
    }
    for (JsonNode r : json("LLaVA-OneVision/geo170k(qa)/geo170k(qa).json")) {
      BufferedImage img = ImageIO.read(out.resolve("LLaVA-OneVision").resolve(r.get("image").asText()).toFile());
      assertNotNull(img);
      assertEquals(32, img.getWidth());
      assertEquals(32, img.getHeight());
      checked++;
    }
    for (JsonNode r : json("VL-ICL/textocr/query.json")) {
      assertTrue(Files.isRegularFile(out.resolve("VL-ICL").resolve(r.get("image").get(0).asText())));
    }
    assertEquals(160, checked);
  }

  @Test
  void vlIclSchemas() throws Exception {
    for (JsonNode s : json("VL-ICL/operator_induction/support.json")) {
      String f = s.get("image").get(0).asText();
      String[] ab = f.substring(f.lastIndexOf('/') + 1, f.length() - 4).split("_");
      int a = Integer.parseInt(ab[1]), b = Integer.parseInt(ab[2]);
      assertEquals(List.of(a + b, a - b, a * b), List.of(s.get("answer").get(0).asInt(), s.get("answer").get(1).asInt(), s.get("answer").get(2).asInt()));
      assertEquals("What is the result of the following mathematical expression?", s.get("question").asText());
    }
    Set<String> ops = new HashSet<>();
    for (JsonNode q : json("VL-ICL/operator_induction/query.json")) {
      ops.add(q.get("operator").asText());
      assertTrue(q.get("answer").isInt());
    }
    assertEquals(Set.of("+", "-", "x"), ops);
    for (JsonNode q : json("VL-ICL/clevr/query.json")) {
      assertTrue(q.get("question").asText().matches("(color|shape|size): \\w+"));
      int n = q.get("answer").asInt();
      assertTrue(n >= 1 && n <= 4, "1 to 4 objects have the asked attribute: " + n);
    }
    for (JsonNode q : json("VL-ICL/open_mi/query.json")) {
      assertEquals("This is a", q.get("question").asText());
      List<String> classes = new ArrayList<>();
      q.get("classes").forEach(c -> classes.add(c.asText()));
      assertTrue(classes.contains(q.get("answer").asText()));
      for (String c : classes) {
        JsonNode imgs = q.get("support").get(c).get("images");
        assertEquals(5, imgs.size());
        assertTrue(Files.isRegularFile(out.resolve("VL-ICL").resolve(imgs.get(0).asText())));
      }
    }
    for (JsonNode q : json("VL-ICL/textocr/query.json")) {
      for (String f : List.of("id", "image", "question", "answer", "img_id", "width", "height", "ann_id", "box", "points", "area")) {
        assertTrue(q.has(f), f);
      }
      assertEquals(8, q.get("points").size());
    }
  }

  @Test
  void mixTellsSourcesApartLikeTheRealMix() throws Exception {
    JsonNode mix = json("LLaVA-Instruct/llava_v1_5_mix665k.json");
    int textOnly = 0, multiTurn = 0, region = 0;
    Set<String> prefixes = new TreeSet<>();
    Set<String> ids = new HashSet<>();
    for (JsonNode r : mix) {
      if (!ids.add(r.path("id").asText())) continue; // the deliberate duplicate (a reject reason)
      if (r.has("model")) {
        textOnly++;
        assertTrue(!r.has("image"));
      }
      if (r.path("conversations").size() > 2) multiTurn++;
      String first = r.path("conversations").path(0).path("value").asText();
      if (first.contains("Please provide the bounding box coordinate") || first.contains("short description for this region")) region++;
      if (r.has("image")) prefixes.add(r.get("image").asText().split("/")[0]);
    }
    assertEquals(20, textOnly);
    assertTrue(multiTurn > 100, "VQA pairs merged into multi-turn conversations");
    assertEquals(300, region);
    assertTrue(prefixes.containsAll(Set.of("coco", "gqa", "ocr_vqa", "textvqa", "vg")), prefixes.toString());
    assertEquals(150, json("LLaVA-Instruct/conversation_58k.json").size());
  }

  private static void words(String text, Set<String> into) {
    for (String w : text.toLowerCase().split("[^a-z0-9.'-]+")) {
      String t = w.replaceAll("\\.+$", "");
      if (!t.isEmpty()) into.add(t);
    }
  }

  private static void texts(JsonNode records, Set<String> into) {
    for (JsonNode r : records) for (JsonNode t : r.get("conversations")) words(t.get("value").asText(), into);
  }

  @Test
  void smallVocabularyThatCoversEveryVlIclAnswer() throws Exception {
    Set<String> train = new TreeSet<>();
    texts(json("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json"), train);
    texts(filtered(), train);
    for (String s : List.of("mavis_math_metagen/mavis_math_metagen.json", "tabmwp(cauldron)/tabmwp(cauldron).json", "geo170k(qa)/geo170k(qa).json")) {
      texts(json("LLaVA-OneVision/" + s), train);
    }
    Set<String> all = new TreeSet<>(train);
    for (String t : List.of("operator_induction", "clevr", "open_mi", "textocr")) {
      for (String part : List.of("support", "query")) {
        for (JsonNode r : json("VL-ICL/" + t + "/" + part + ".json")) {
          words(r.get("question").asText(), all);
          Set<String> answer = new TreeSet<>();
          words(r.get("answer").toString().replace("[", " ").replace("]", " ").replace(",", " ").replace("\"", " "), answer);
          for (String w : answer) assertTrue(train.contains(w), t + " answer word '" + w + "' never occurs in training data");
        }
      }
    }
    assertTrue(all.size() < 400, "vocabulary of " + all.size() + " words");
  }

  /** The mix without the text-only and deliberately broken records. */
  private static JsonNode filtered() throws Exception {
    var arr = Json.MAPPER.createArrayNode();
    for (JsonNode r : json("LLaVA-Instruct/llava_v1_5_mix665k.json")) {
      if (r.has("image") && r.get("conversations").isArray() && !r.path("id").asText().startsWith("bad_")) arr.add(r);
    }
    return arr;
  }

  @Test
  void warmupCorpusIsSeededCoversEverySkillAndKeepsTheVlIclFormatsOut() throws Exception {
    List<LlavaRecord> a = SynthData.warmupCorpus(dir.resolve("corpus-a"), 5, 60);
    List<LlavaRecord> b = SynthData.warmupCorpus(dir.resolve("corpus-b"), 5, 60);
    assertEquals(a, b);
    Set<String> questions = new TreeSet<>();
    for (LlavaRecord r : a) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("corpus-a").resolve(r.image())),
          Files.readAllBytes(dir.resolve("corpus-b").resolve(r.image())), r.image());
      String q = r.conversations().get(0).value();
      assertTrue(q.startsWith("<image>\n"), q);
      String[] words = q.substring("<image>\n".length()).split(" ");
      questions.add(words[0] + " " + words[1] + " " + words[2]);
      // held-out task formats: clevr's "attribute: value", textocr's and operator_induction's exact questions
      assertTrue(!q.contains(": ") && !q.contains("What text is shown") && !q.contains("mathematical"), q);
    }
    assertTrue(questions.size() >= 5, questions.toString()); // scene, count, word, boxed word, expression, position
    assertTrue(!a.equals(SynthData.warmupCorpus(dir.resolve("corpus-c"), 6, 60)));
  }
}
