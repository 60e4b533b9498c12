package org.mapd.pipelines;

import org.mapd.conf.Strategy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.beam.runners.direct.DirectOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.data.LlavaRecord;
import org.slf4j.LoggerFactory;

/** The split rules on a hand-made sample with one record per edge case; exact counts on both runners. */
class PrepareDataTest {
  static final String VQA = "\nAnswer the question using a single word or phrase.";
  static final Path IMAGES = Path.of("src/test/resources/images");
  @TempDir static Path dir;
  static Path datasets;
  static PrepareSummary direct;

  static String rec(String id, String image, String... turns) {
    StringBuilder b = new StringBuilder("{\"id\":").append(Json.write(id));
    if (image != null) b.append(",\"image\":").append(Json.write(image));
    b.append(",\"conversations\":[");
    for (int i = 0; i < turns.length; i++) {
      if (i > 0) b.append(',');
      b.append("{\"from\":\"").append(i % 2 == 0 ? "human" : "gpt").append("\",\"value\":").append(Json.write(turns[i])).append('}');
    }
    return b.append("]}").toString();
  }

  static void png(Path p) throws Exception {
    Files.createDirectories(p.getParent());
    ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", p.toFile());
  }

  static void write(Path p, List<String> records) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, "[\n" + String.join(",\n", records) + "\n]");
  }

  @BeforeAll
  static void sample() throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
    datasets = dir.resolve("datasets");
    Path img = datasets.resolve("LLaVA-Instruct/images");
    // textvqa's image is a PNG named .jpg (accepted by content); ocr_vqa's a CMYK JPEG, as many OCR-VQA book covers
    for (String f : List.of("gqa/images/1.png", "textvqa/train_images/3.jpg", "vg/VG_100K_2/4.png")) png(img.resolve(f));
    Files.createDirectories(img.resolve("ocr_vqa/images"));
    Files.copy(IMAGES.resolve("cmyk.jpg"), img.resolve("ocr_vqa/images/2.jpg"));
    byte[] jpg = Files.readAllBytes(IMAGES.resolve("rgb.jpg"));
    Files.write(img.resolve("ocr_vqa/images/cut.jpg"), java.util.Arrays.copyOf(jpg, jpg.length / 2)); // a cut-off download
    for (int i = 10; i <= 16; i++) png(img.resolve(String.format("coco/train2017/%012d.png", i)));
    Files.writeString(img.resolve("gqa/images/bad.png"), "not an image");
    Files.writeString(datasets.resolve("LLaVA-Instruct/secret.png"), "outside the image root");
    String coco = "coco/train2017/%012d.png";
    String first = rec("g1", "gqa/images/1.png", "<image>\nWhat is it?" + VQA, "cat");
    List<String> mix = List.of(
        first,
        rec("o2", "ocr_vqa/images/2.jpg", "<image>\nWhat is the word?" + VQA, "dog"),
        rec("t3", "textvqa/train_images/3.jpg", "<image>\nProvide a one-sentence caption for the provided image.", "a sign"),
        rec("v4", "vg/VG_100K_2/4.png", "<image>\nPlease provide a short description for this region: [0.25, 0.00, 0.50, 0.25].", "red circle"),
        rec("000000000010", String.format(coco, 10), "<image>\nThis object is called dax. What is it?", "dax"),
        rec("000000000011", String.format(coco, 11),
            "<image>\nPlease provide the bounding box coordinate of the region this sentence describes: red circle.", "[0.00, 0.00, 0.25, 0.25]"),
        rec("000000000012", String.format(coco, 12), "<image>\nPlease provide a short description for this region: [0.00, 0.00, 0.25, 0.25].", "blue bar"),
        rec("000000000013", String.format(coco, 13),
            "<image>\nWhich shape?\nA. circle\nB. bar\nAnswer with the option's letter from the given choices directly.", "A"),
        rec("000000000014", String.format(coco, 14), "<image>\nHow many red objects are there?" + VQA, "2",
            "How many circles are there?" + VQA, "1"),
        rec("000000000015", String.format(coco, 15), "<image>\nWhat sport is this?" + VQA, "tennis"),
        "{\"id\":\"sg1\",\"model\":\"\",\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},{\"from\":\"gpt\",\"value\":\"hello\"}]}",
        "{\"id\":\"sg2\",\"conversations\":[{\"from\":\"human\",\"value\":\"2+2?\"},{\"from\":\"gpt\",\"value\":\"4\"}]}",
        "{\"id\":\"m\",\"conversations\":\"not a list\"}",
        rec("nogpt", "gqa/images/1.png", "<image>\nWhat is it?"),
        "{\"id\":\"order\",\"image\":\"gqa/images/1.png\",\"conversations\":[{\"from\":\"gpt\",\"value\":\"<image>\\nx\"},{\"from\":\"human\",\"value\":\"y\"}]}",
        rec("noimage", null, "<image>\nWhat is it?", "cat"),
        rec("notoken", "gqa/images/1.png", "What is it?", "cat"),
        rec("missing", "gqa/images/404.png", "<image>\nWhat is it?" + VQA, "cat"),
        rec("undecodable", "gqa/images/bad.png", "<image>\nWhat is it?" + VQA, "cat"),
        rec("escape", "gqa/../../secret.png", "<image>\nWhat is it?" + VQA, "cat"),
        first,
        rec("000000000016", String.format(coco, 16), "<image>\nTell me a story.", "once"),
        rec("cut", "ocr_vqa/images/cut.jpg", "<image>\nWhat is the word?" + VQA, "cat"));
    write(datasets.resolve("LLaVA-Instruct/llava_v1_5_mix665k.json"), mix);
    // the Instruct-150K twin: bare file name, <image> after the question
    write(datasets.resolve("LLaVA-Instruct/conversation_58k.json"),
        List.of(rec("000000000010", "000000000010.jpg", "This object is called dax. What is it?\n<image>", "dax")));
    Path ov = datasets.resolve("LLaVA-OneVision");
    for (String f : List.of("geo170k(qa)/1_1.png", "geo170k(qa)/2_1.png", "geo170k(qa)/3_1.png")) png(ov.resolve(f));
    String q = "\nQuestion: Which shape?\nChoices:\nA: circle\nB: bar";
    write(ov.resolve("geo170k(qa)/geo170k(qa).json"), List.of(
        rec("1_1", "geo170k(qa)/1_1.png", "<image>\nPlease directly answer the question and provide the correct option letter, e.g., A, B, C, D." + q, "A"),
        rec("2_1", "geo170k(qa)/2_1.png", "<image>\nFirst perform reasoning, then finally select the question from the choices in the following format: Answer: xxx." + q, "It is round. Answer: A"),
        rec("3_1", "geo170k(qa)/3_1.png", "<image>\nSay something." + q, "A")));
    png(datasets.resolve("LLaVA-Pretrain/images/00000/a.png"));
    png(datasets.resolve("LLaVA-Pretrain/images/00000/b.png"));
    String cap = "<image>\nRender a clear and concise summary of the photo.";
    write(datasets.resolve("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json"), List.of(
        rec("p1", "00000/a.png", cap, "a cat"), rec("p2", "00000/b.png", cap, "a dog"), rec("p3", "00000/c.png", cap, "a bird")));
    Files.createDirectories(datasets.resolve("VL-ICL/clevr"));
    Files.writeString(datasets.resolve("VL-ICL/clevr/query.json"), "[{\"id\":\"q\"},{\"id\":\"r\"}]");
    direct = PrepareData.run(options("direct", datasets, dir.resolve("direct")));
  }

  /** A test run's options: the DirectRunner with its immutability and encodability checks, Flink on [local]. */
  static PrepareOptions options(String runner, Path datasets, Path out) {
    PrepareOptions o = PrepareOptions.forRunner(runner);
    o.as(DirectOptions.class).setEnforceImmutability(true);
    o.as(DirectOptions.class).setEnforceEncodability(true);
    o.setFlinkMaster("[local]");
    o.setDatasets(datasets.toString());
    o.setOut(out.toString());
    o.setSeed(7);
    o.setTraining(ManifestsTest.training(true));
    return o;
  }

  static Map<String, Long> expectedDatasets(boolean okvqa) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String ds : List.of("gqa", "ocr_vqa", "basic_qa_geo170k", "textvqa", "vg", "conv", "mavis_math_metagen", "det",
        "tabmwp_cauldron", "complex_res", "refcoco", "reasoning_qa_geo170k", "okvqa", "vqav2", "aokvqa")) {
      long n = switch (ds) {
        case "mavis_math_metagen", "det", "tabmwp_cauldron", "complex_res" -> 0;
        case "refcoco" -> 2;
        default -> 1;
      };
      if (okvqa) m.put(ds, n);
      else if (ds.equals("okvqa")) m.put("vqav2_okvqa", 2L);
      else if (!ds.equals("vqav2")) m.put(ds, n);
    }
    return m;
  }

  static final Map<String, Long> REJECTED = Map.of(
      "malformed_json", 1L, "no_human_or_gpt_turn", 1L, "turns_out_of_order", 1L, "image_token_without_image", 1L,
      "image_without_image_token", 1L, "image_missing", 1L, "image_undecodable", 2L, "path_escapes_root", 1L,
      "duplicate", 1L, "unknown_dataset", 2L);

  @Test
  void exactCountsAndReconciliationWithoutOkVqa() throws Exception {
    assertEquals(26, direct.read());
    assertEquals(expectedDatasets(false), direct.datasets());
    assertEquals(2, direct.removedTextOnly());
    assertEquals(REJECTED, direct.rejected());
    assertEquals(direct.read(), direct.datasets().values().stream().mapToLong(Long::longValue).sum()
        + direct.removedTextOnly() + direct.rejected().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(2, direct.pretrain());
    assertEquals(1, direct.pretrainRejected());
    assertEquals(Map.of("clevr", 2L), direct.vlIcl());
    assertTrue(direct.notes().stream().anyMatch(n -> n.contains("vqav2_okvqa")), direct.notes().toString());
    assertEquals("10 finetuning datasets (the paper has 15): vqav2_okvqa holds vqav2 and okvqa as one, because preparation"
        + " found no OK-VQA question file (OK-VQA/OpenEnded_mscoco_train2014_questions.json)",
        PrepareSummary.datasetsLine(direct.datasets()), "4 of the 14 are empty in this input");
    Path out = dir.resolve("direct");
    assertEquals(direct, Json.read(out.resolve("summary.json"), PrepareSummary.class));
  }

  @Test
  void datasetFilesKeepMultiTurnAndResolveImagesThroughLinks() {
    Path out = dir.resolve("direct");
    List<LlavaRecord> vqa = DatasetFile.read(out, "vqav2_okvqa");
    assertEquals(List.of("000000000014", "000000000015"), vqa.stream().map(LlavaRecord::id).toList());
    assertEquals(4, vqa.get(0).conversations().size());
    assertEquals("000000000010", DatasetFile.read(out, "conv").get(0).id());
    assertEquals("2_1", DatasetFile.read(out, "reasoning_qa_geo170k").get(0).id());
    assertEquals(List.of(), DatasetFile.read(out, "det"));
    Path root = DatasetFile.imageRoot(out);
    for (String ds : direct.datasets().keySet()) {
      for (LlavaRecord r : DatasetFile.read(out, ds)) assertTrue(Files.isRegularFile(root.resolve(r.image())), ds + " " + r.image());
    }
    assertTrue(Files.isSymbolicLink(root.resolve("coco")));
    assertTrue(Files.isDirectory(root.resolve("gqa")) && !Files.isSymbolicLink(root.resolve("gqa")));
    assertTrue(Files.isSymbolicLink(root.resolve("gqa/images")));
    assertEquals(2, DatasetFile.read(DatasetFile.pretrainPath(out)).size());
    assertTrue(Files.isRegularFile(out.resolve("LLaVA-Pretrain/images/00000/a.png")));
    assertTrue(Files.isRegularFile(out.resolve("VL-ICL/clevr/query.json")));
    assertEquals(12, Manifests.readExamples(Manifests.tasksFile(out, Strategy.NOMETATASK, 0)).size());
  }

  @Test
  void rejectsNameSourceIndexAndReason() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String l : Files.readAllLines(dir.resolve("direct/rejects.jsonl"))) lines.add(Json.MAPPER.readTree(l));
    assertEquals(12 + 1, lines.size(), "mix rejects + one pretrain reject");
    Map<String, String> reasonById = new LinkedHashMap<>();
    for (JsonNode l : lines) reasonById.put(l.get("source").asText() + ":" + l.get("index").asLong(), l.get("reason").asText());
    assertEquals("malformed_json", reasonById.get("mix665k:12"));
    assertEquals("turns_out_of_order", reasonById.get("mix665k:14"));
    assertEquals("duplicate", reasonById.get("mix665k:20"), "the later copy is the duplicate");
    assertEquals("unknown_dataset", reasonById.get("geo170k(qa):2"));
    assertEquals("image_missing", reasonById.get("pretrain:2"));
    assertEquals("not a list", lines.get(0).get("record").get("conversations").asText());
    // image rejects say which file and why: a cut-off JPEG, a text file named .png
    Map<String, String> detailById = new LinkedHashMap<>();
    for (JsonNode l : lines) detailById.put(l.get("id").asText(), l.get("detail").asText());
    assertEquals("image_undecodable", reasonById.get("mix665k:22"));
    String cut = datasets.resolve("LLaVA-Instruct/images/ocr_vqa/images/cut.jpg").toString();
    assertTrue(detailById.get("cut").startsWith(cut + ": truncated"), detailById.get("cut"));
    assertTrue(detailById.get("undecodable").contains("gqa/images/bad.png: neither PNG nor JPEG"), detailById.get("undecodable"));
  }

  @Test
  void okVqaQuestionFileSplitsVqav2(@TempDir Path out) throws Exception {
    Path withOk = dir.resolve("withOk");
    try (var s = Files.walk(datasets)) {
      for (Path p : s.toList()) {
        Path t = withOk.resolve(datasets.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    Files.createDirectories(withOk.resolve("OK-VQA"));
    Files.writeString(withOk.resolve("OK-VQA/OpenEnded_mscoco_train2014_questions.json"),
        "{\"questions\":[{\"image_id\":15,\"question\":\"What sport is this?\",\"question_id\":150}]}");
    PrepareSummary s = PrepareData.run(options("direct", withOk, out));
    assertEquals(expectedDatasets(true), s.datasets());
    assertEquals("000000000015", DatasetFile.read(out, "okvqa").get(0).id());
    assertEquals("000000000014", DatasetFile.read(out, "vqav2").get(0).id());
    assertFalse(Files.exists(DatasetFile.path(out, "vqav2_okvqa")));
    assertEquals("11 finetuning datasets (the paper has 15)", PrepareSummary.datasetsLine(s.datasets()));
  }

  @Test
  void flinkLocalGivesTheSameSplit(@TempDir Path out) throws Exception {
    PrepareSummary f = PrepareData.run(options("flink", datasets, out));
    assertEquals(direct, f);
    assertEquals(Files.readString(DatasetFile.path(dir.resolve("direct"), "refcoco")), Files.readString(DatasetFile.path(out, "refcoco")));
    assertEquals(Files.readString(dir.resolve("direct/rejects.jsonl")), Files.readString(out.resolve("rejects.jsonl")));
  }
}
