package org.mapd.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.eval.VlIclTask;
import org.mapd.pipelines.PrepareData;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import org.slf4j.LoggerFactory;

/** The paper-scale generator at 0.3 % of the real sizes: counts, formats, determinism, and PrepareData accepts it all. */
class PaperScaleDataTest {
  static final PaperScaleData.Sizes SIZES = PaperScaleData.Sizes.PAPER.scaled(0.003).withPoolImages(3);
  @TempDir static Path dir;
  static Path out;
  static Map<String, Long> counts;

  @BeforeAll
  static void generate() {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    out = dir.resolve("a");
    counts = PaperScaleData.generate(out, 11, SIZES);
  }

  @Test
  void scaledSizesKeepWhatTheEvaluationNeeds() {
    assertEquals(new PaperScaleData.Sizes(1674, 1996, 262, 68, 36, 8, 2, 8, 2, 2, 8, 2, 3), SIZES);
    assertEquals(PaperScaleData.Sizes.PAPER, PaperScaleData.Sizes.PAPER.scaled(1));
  }

  @Test
  void everyFileHasTheRequestedRecordCount() throws Exception {
    Map<Mix665k.Kind, Integer> kinds = Mix665k.counts(SIZES.mix());
    Map<String, Long> expected = new TreeMap<>();
    expected.put("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json", (long) SIZES.pretrain());
    expected.put("LLaVA-Instruct/llava_v1_5_mix665k.json", (long) SIZES.mix());
    expected.put("LLaVA-Instruct/conversation_58k.json", (long) kinds.get(Mix665k.Kind.CONV));
    expected.put("LLaVA-Instruct/detail_23k.json", (long) kinds.get(Mix665k.Kind.DETAIL));
    expected.put("LLaVA-Instruct/complex_reasoning_77k.json", (long) kinds.get(Mix665k.Kind.COMPLEX));
    expected.put("OK-VQA/OpenEnded_mscoco_train2014_questions.json", (long) kinds.get(Mix665k.Kind.OKVQA));
    expected.put("LLaVA-OneVision/mavis_math_metagen/mavis_math_metagen.json", (long) SIZES.mavis());
    expected.put("LLaVA-OneVision/tabmwp(cauldron)/tabmwp(cauldron).json", (long) SIZES.tabmwp());
    expected.put("LLaVA-OneVision/geo170k(qa)/geo170k(qa).json", (long) SIZES.geo());
    expected.put("VL-ICL/operator_induction/support.json", (long) SIZES.operatorSupport());
    expected.put("VL-ICL/operator_induction/query.json", (long) SIZES.operatorQuery());
    expected.put("VL-ICL/clevr/support.json", (long) SIZES.clevrSupport());
    expected.put("VL-ICL/clevr/query.json", (long) SIZES.clevrQuery());
    expected.put("VL-ICL/open_mi/support.json", 25L * SIZES.openMiQueries());
    expected.put("VL-ICL/open_mi/query.json", (long) SIZES.openMiQueries());
    expected.put("VL-ICL/textocr/support.json", (long) SIZES.textocrSupport());
    expected.put("VL-ICL/textocr/query.json", (long) SIZES.textocrQuery());
    assertEquals(expected, counts);
    // the counts say what the files hold
    for (Map.Entry<String, Long> c : counts.entrySet()) {
      JsonNode n = Json.MAPPER.readTree(out.resolve(c.getKey()).toFile());
      assertEquals((long) c.getValue(), (n.isArray() ? n : n.get("questions")).size(), c.getKey());
    }
  }

  @Test
  void sameSeedGivesByteIdenticalFiles() throws Exception {
    Path b = dir.resolve("b");
    assertEquals(counts, PaperScaleData.generate(b, 11, SIZES));
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
  void prepareDataAcceptsEveryRecordIntoTheFifteenDatasets() {
    Path prepared = dir.resolve("prepared");
    PrepareOptions o = PrepareOptions.forRunner("direct");
    o.setDatasets(out.toString());
    o.setOut(prepared.toString());
    o.setSeed(5);
    o.setTraining(Plan.load(Path.of("workflows/paper.json")).training(Path.of("")));
    PrepareSummary s = PrepareData.run(o);
    Map<Mix665k.Kind, Integer> k = Mix665k.counts(SIZES.mix());
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("gqa", (long) k.get(Mix665k.Kind.GQA));
    expected.put("ocr_vqa", (long) k.get(Mix665k.Kind.OCRVQA));
    expected.put("basic_qa_geo170k", (long) (SIZES.geo() + 1) / 2);
    expected.put("textvqa", (long) k.get(Mix665k.Kind.TEXTCAPS));
    expected.put("vg", (long) k.get(Mix665k.Kind.VG));
    expected.put("conv", (long) k.get(Mix665k.Kind.CONV));
    expected.put("mavis_math_metagen", (long) SIZES.mavis());
    expected.put("det", (long) k.get(Mix665k.Kind.DETAIL));
    expected.put("tabmwp_cauldron", (long) SIZES.tabmwp());
    expected.put("complex_res", (long) k.get(Mix665k.Kind.COMPLEX));
    expected.put("refcoco", (long) k.get(Mix665k.Kind.REFCOCO));
    expected.put("reasoning_qa_geo170k", (long) SIZES.geo() / 2);
    expected.put("okvqa", (long) k.get(Mix665k.Kind.OKVQA));
    expected.put("vqav2", (long) k.get(Mix665k.Kind.VQAV2));
    expected.put("aokvqa", (long) k.get(Mix665k.Kind.AOKVQA));
    assertEquals(expected, s.datasets());
    assertEquals(Map.of(), s.rejected());
    assertEquals(k.get(Mix665k.Kind.SHAREGPT), (int) s.removedTextOnly());
    assertEquals(SIZES.mix() + SIZES.mavis() + SIZES.tabmwp() + SIZES.geo(), s.read());
    assertEquals(SIZES.pretrain(), s.pretrain());
    assertEquals(0, s.pretrainRejected());
    assertEquals(Map.of("clevr", (long) SIZES.clevrQuery(), "open_mi", (long) SIZES.openMiQueries(),
        "operator_induction", (long) SIZES.operatorQuery(), "textocr", (long) SIZES.textocrQuery()), s.vlIcl());
  }

  @Test
  void everyVlIclTaskLoadsAndBuildsEpisodesAtTheLargestShots() {
    Path root = out.resolve("VL-ICL");
    Map<String, Integer> queries = Map.of("operator_induction", SIZES.operatorQuery(), "clevr", SIZES.clevrQuery(),
        "open_mi", SIZES.openMiQueries(), "textocr", SIZES.textocrQuery());
    for (Map.Entry<String, Integer> t : queries.entrySet()) {
      VlIclTask task = VlIclTask.load(root, t.getKey());
      assertEquals((int) t.getValue(), task.size(), t.getKey());
      int shots = t.getKey().equals("open_mi") ? 5 : 8;
      for (int q = 0; q < task.size(); q++) {
        VlIclTask.Episode e = task.episode(q, shots, 2, new Random(q));
        assertEquals(t.getKey().equals("open_mi") ? 2 * shots : shots, e.shots().size(), t.getKey());
        assertTrue(Files.isRegularFile(root.resolve(e.query().image())), e.query().image());
        e.shots().forEach(s -> assertTrue(Files.isRegularFile(root.resolve(s.image())), s.image()));
        assertFalse(e.query().answer().isEmpty());
      }
    }
  }

  @Test
  void everyImageDecodesAsRgbAtARealSize() throws Exception {
    List<Path> images;
    try (var s = Files.walk(out)) {
      images = s.filter(p -> p.toString().endsWith(".jpg") || p.toString().endsWith(".png")).toList();
    }
    Set<String> sizes = new HashSet<>();
    for (Path p : images) {
      BufferedImage img = ImageIO.read(p.toFile());
      assertNotNull(img, p.toString());
      assertEquals(3, img.getColorModel().getNumComponents(), p.toString());
      sizes.add(out.relativize(p).getName(0) + " " + img.getWidth() + "x" + img.getHeight());
    }
    assertTrue(sizes.contains("VL-ICL 480x320"), sizes.toString());
    for (JsonNode r : Json.MAPPER.readTree(out.resolve("VL-ICL/textocr/query.json").toFile())) {
      BufferedImage img = ImageIO.read(out.resolve("VL-ICL").resolve(r.get("image").get(0).asText()).toFile());
      assertEquals(r.get("width").asInt(), img.getWidth());
      assertEquals(r.get("height").asInt(), img.getHeight());
      assertTrue(r.get("box").get(0).asDouble() + r.get("box").get(2).asDouble() <= img.getWidth());
    }
    for (JsonNode r : Json.MAPPER.readTree(out.resolve("LLaVA-Instruct/llava_v1_5_mix665k.json").toFile())) {
      if (!r.path("image").asText().startsWith("coco/")) continue;
      BufferedImage img = ImageIO.read(out.resolve("LLaVA-Instruct/images").resolve(r.get("image").asText()).toFile());
      assertTrue(PaperScaleData.COCO.contains(new ImagePool.Size(img.getWidth(), img.getHeight())), r.toString());
    }
  }

  @Test
  void pretrainCaptionsAreShortAndOkVqaImagesAreNotVqaV2s() throws Exception {
    JsonNode pretrain = Json.MAPPER.readTree(out.resolve("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json").toFile());
    double words = 0;
    for (JsonNode r : pretrain) {
      assertTrue(r.get("image").asText().matches("\\d{5}/\\d{9}\\.jpg"), r.toString());
      words += r.get("conversations").get(1).get("value").asText().split(" ").length;
    }
    words /= pretrain.size();
    assertTrue(words > 8 && words < 10, "BLIP captions average about 9 words, got " + words);
    // a VQAv2 record never shows an OK-VQA image: its question could otherwise be taken for an OK-VQA one
    Map<Long, Set<String>> okvqa = new TreeMap<>();
    for (JsonNode q : Json.MAPPER.readTree(out.resolve("OK-VQA/OpenEnded_mscoco_train2014_questions.json").toFile()).get("questions")) {
      okvqa.computeIfAbsent(q.get("image_id").asLong(), x -> new HashSet<>()).add(q.get("question").asText());
    }
    int vqav2 = 0;
    for (JsonNode r : Json.MAPPER.readTree(out.resolve("LLaVA-Instruct/llava_v1_5_mix665k.json").toFile())) {
      String image = r.path("image").asText(), first = r.get("conversations").get(0).get("value").asText();
      if (!image.startsWith("coco/") || !first.endsWith("\n" + SynthData.VQA_PROMPT)) continue;
      long id = Long.parseLong(image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf('.')));
      String question = first.substring("<image>\n".length(), first.indexOf('\n', "<image>\n".length()));
      if (okvqa.getOrDefault(id, Set.of()).contains(question)) continue;
      assertFalse(okvqa.containsKey(id), r.toString());
      vqav2++;
    }
    assertEquals((int) Mix665k.counts(SIZES.mix()).get(Mix665k.Kind.VQAV2), vqav2);
  }
}
