package org.mapd.data;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * The four VL-ICL tasks the paper evaluates, at their real sizes and in their record formats (method.md §6,
 * the VL-ICL README on HF): {@code VL-ICL/<task>/support.json} and {@code query.json}, image paths relative to
 * VL-ICL/. Image sizes: CLEVR renders at 480x320 (PNG); TextOCR images are Open Images photos, 1024 pixels on
 * the long side (its support.zip is 813 MB for 800 images); open_mi's are ImageNet photos (support.zip 179 MB
 * for 5,000, 36 KB each: larger than miniImageNet's 84x84, whose raw RGB is only 21 KB, so ImageNet-sized
 * here); operator_induction's size is not documented (the whole task is 0.01 GB): 256x256 here. Answers are
 * drawn, not read from the pictures, except that operator_induction's images show their digits.
 */
final class PaperScaleVlIcl {
  private PaperScaleVlIcl() {}

  static final String ROOT = "VL-ICL/";
  private static final String OPERATOR_QUESTION = "What is the result of the following mathematical expression?";
  private static final String[] OPERATORS = {"+", "-", "x"};
  private static final String TEXTOCR_QUESTION = "What text is shown in the red box?";
  private static final List<ImagePool.Size> CLEVR = PaperScaleData.sizes(480, 320);
  private static final List<ImagePool.Size> IMAGENET = PaperScaleData.sizes(500, 375, 500, 333, 375, 500, 500, 400, 400, 300);
  /** Frozen's open-ended miniImageNet binds ImageNet classes to nonsense names like these. */
  private static final String[] SYLLABLES = {"da", "bli", "wu", "zor", "fe", "to", "ki", "mi", "ga", "tu", "per", "yor",
    "vee", "mo", "sla", "ke", "ru", "po", "lin", "qua"};
  private static final String[] ENDINGS = {"x", "cket", "g", "p", "zer", "fa", "po", "ma", "b", "tion"};

  /** Writes the four tasks under {@code out}/VL-ICL; returns the records per file, relative to {@code out}. */
  static Map<String, Long> write(Path out, long seed, PaperScaleData.Sizes sizes) {
    Path root = out.resolve(ROOT);
    Map<String, Long> counts = new TreeMap<>();
    operatorInduction(root, new Random(Seeds.mix(seed, 1)), sizes, counts);
    clevr(root, new Random(Seeds.mix(seed, 2)), sizes, counts);
    openMi(root, new Random(Seeds.mix(seed, 3)), sizes, counts);
    textocr(root, new Random(Seeds.mix(seed, 4)), sizes, counts);
    return counts;
  }

  /**
   * Support {@code {id, image: ["operator_induction/support/a_b.png"], question, answer: [a+b, a-b, a*b]}},
   * query the same plus {@code operator} and the one answer it picks; operators cycle +, -, x over the queries.
   * Every record has its own image of "a ? b" (100 digit pairs exist, so at most 100 per part).
   */
  private static void operatorInduction(Path root, Random r, PaperScaleData.Sizes sizes, Map<String, Long> counts) {
    List<Map<String, Object>> support = new ArrayList<>(), query = new ArrayList<>();
    for (int[] ab : digitPairs(r, sizes.operatorSupport())) {
      String image = "operator_induction/support/" + ab[0] + "_" + ab[1] + ".png";
      ImagePool.write(root.resolve(image), expression(ab[0], ab[1]));
      support.add(record(support.size(), image, OPERATOR_QUESTION, List.of(ab[0] + ab[1], ab[0] - ab[1], ab[0] * ab[1])));
    }
    for (int[] ab : digitPairs(r, sizes.operatorQuery())) {
      String image = "operator_induction/query/" + ab[0] + "_" + ab[1] + ".png";
      ImagePool.write(root.resolve(image), expression(ab[0], ab[1]));
      String op = OPERATORS[query.size() % 3];
      int value = switch (op) { case "+" -> ab[0] + ab[1]; case "-" -> ab[0] - ab[1]; default -> ab[0] * ab[1]; };
      Map<String, Object> q = record(query.size(), image, OPERATOR_QUESTION, value);
      q.put("operator", op);
      query.add(q);
    }
    task(root, "operator_induction", support, query, counts);
  }

  /** n distinct (a, b) digit pairs in random order. */
  private static List<int[]> digitPairs(Random r, int n) {
    List<Integer> all = new ArrayList<>();
    for (int k = 0; k < 100; k++) all.add(k);
    Collections.shuffle(all, r);
    List<int[]> pairs = new ArrayList<>();
    for (int k : all.subList(0, n)) pairs.add(new int[] {k / 10, k % 10});
    return pairs;
  }

  /** "a?b" in the project's bitmap font on a 32x32 canvas, scaled up 8 times (no system fonts involved). */
  private static BufferedImage expression(int a, int b) {
    int[] px = new int[32 * 32];
    java.util.Arrays.fill(px, 0xFFFFFF);
    String text = a + "?" + b;
    for (int k = 0; k < text.length(); k++) Glyphs.drawChar(px, text.charAt(k), 1, k, 0, 0x000000);
    BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 256; y++) for (int x = 0; x < 256; x++) img.setRGB(x, y, px[(y / 8) * 32 + x / 8]);
    return img;
  }

  /** {@code {id, image, question: "<attribute>: <value>", answer: count}}, CLEVR's attributes and values. */
  private static void clevr(Path root, Random r, PaperScaleData.Sizes sizes, Map<String, Long> counts) {
    String[][] attributes = {
      {"shape", "cube", "sphere", "cylinder"}, {"size", "small", "large"}, {"material", "rubber", "metal"},
      {"color", "gray", "red", "blue", "green", "brown", "purple", "cyan", "yellow"}};
    List<Map<String, Object>> support = new ArrayList<>(), query = new ArrayList<>();
    for (String part : List.of("support", "query")) {
      List<Map<String, Object>> records = part.equals("support") ? support : query;
      int n = part.equals("support") ? sizes.clevrSupport() : sizes.clevrQuery();
      List<String> names = new ArrayList<>();
      for (long id : PaperScaleData.distinct(r, sizes.poolImages(), 0, 69_999)) {
        names.add(String.format(Locale.ROOT, "CLEVR_train_%06d.png", id));
      }
      ImagePool pool = ImagePool.write(root, "clevr/" + part + "/", names, CLEVR, r.nextLong());
      for (int i = 0; i < n; i++) {
        String[] a = attributes[r.nextInt(attributes.length)];
        records.add(record(i, pool.path(i), a[0] + ": " + a[1 + r.nextInt(a.length - 1)], r.nextInt(7)));
      }
    }
    task(root, "clevr", support, query, counts);
  }

  /**
   * Queries {@code {id, image, question: "This is a", answer, classes: [5 names], support: {name: {images: [5],
   * caption}}}}: every query carries its own 5-way 5-shot support set (the evaluation takes 2 ways);
   * support.json lists those support images once each.
   */
  private static void openMi(Path root, Random r, PaperScaleData.Sizes sizes, Map<String, Long> counts) {
    ImagePool queryImages = ImagePool.write(root, "open_mi/query/", PaperScaleData.names("query_", ".jpg", sizes.poolImages()),
        IMAGENET, r.nextLong());
    ImagePool supportImages = ImagePool.write(root, "open_mi/support/",
        PaperScaleData.names("support_", ".jpg", 2 * sizes.poolImages()), IMAGENET, r.nextLong());
    List<String> allNames = nonsenseNames();
    List<Map<String, Object>> support = new ArrayList<>(), query = new ArrayList<>();
    long shot = 0;
    for (int i = 0; i < sizes.openMiQueries(); i++) {
      List<String> names = new ArrayList<>(allNames);
      Collections.shuffle(names, r);
      List<String> classes = List.copyOf(names.subList(0, 5));
      Map<String, Object> perClass = new LinkedHashMap<>();
      for (String c : classes) {
        List<String> images = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
          String image = supportImages.path(shot++);
          images.add(image);
          support.add(record(support.size(), image, "This is a", c));
        }
        perClass.put(c, Map.of("images", images, "caption", "This is a " + c));
      }
      Map<String, Object> q = record(i, queryImages.path(i), "This is a", classes.get(r.nextInt(5)));
      q.put("classes", classes);
      q.put("support", perClass);
      query.add(q);
    }
    task(root, "open_mi", support, query, counts);
  }

  private static List<String> nonsenseNames() {
    List<String> l = new ArrayList<>();
    for (String s : SYLLABLES) for (String e : ENDINGS) l.add(s + e);
    return l;
  }

  /**
   * {@code {id, image, question, answer, img_id, width, height, ann_id, box: [x, y, w, h], points: [8], area}}
   * as TextOCR annotates a word; the box lies inside the named image's real size.
   */
  private static void textocr(Path root, Random r, PaperScaleData.Sizes sizes, Map<String, Long> counts) {
    List<Map<String, Object>> support = new ArrayList<>(), query = new ArrayList<>();
    for (String part : List.of("support", "query")) {
      List<Map<String, Object>> records = part.equals("support") ? support : query;
      int n = part.equals("support") ? sizes.textocrSupport() : sizes.textocrQuery();
      List<String> names = new ArrayList<>();
      for (long id : PaperScaleData.distinct(r, sizes.poolImages(), 1, Long.MAX_VALUE / 2)) {
        names.add(String.format(Locale.ROOT, "%016x.jpg", id));
      }
      ImagePool pool = ImagePool.write(root, "textocr/" + part + "/", names, PaperScaleData.OPEN_IMAGES, r.nextLong());
      for (int i = 0; i < n; i++) {
        ImagePool.Size s = pool.sizeOf(i);
        String file = pool.path(i);
        String imgId = file.substring(file.lastIndexOf('/') + 1, file.lastIndexOf('.'));
        double w = 20 + r.nextInt(200), h = 10 + r.nextInt(60);
        double x = r.nextInt((int) (s.width() - w)), y = r.nextInt((int) (s.height() - h));
        String word = r.nextInt(5) == 0 ? Integer.toString(r.nextInt(10_000)) : Prose.titleCase(r, 1);
        Map<String, Object> rec = record(i, file, TEXTOCR_QUESTION, word);
        rec.put("img_id", imgId);
        rec.put("width", s.width());
        rec.put("height", s.height());
        rec.put("ann_id", imgId + "_" + i);
        rec.put("box", List.of(x, y, w, h));
        rec.put("points", List.of(x, y, x + w, y, x + w, y + h, x, y + h));
        rec.put("area", w * h);
        records.add(rec);
      }
    }
    task(root, "textocr", support, query, counts);
  }

  /** The common fields; {@code image} is a list of one path, as in every VL-ICL image-to-text task. */
  private static Map<String, Object> record(long id, String image, String question, Object answer) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", Long.toString(id));
    m.put("image", List.of(image));
    m.put("question", question);
    m.put("answer", answer);
    return m;
  }

  /** VL-ICL's task files are small (at most 5,000 records): built in memory, written streaming. */
  private static void task(Path root, String task, List<Map<String, Object>> support, List<Map<String, Object>> query,
      Map<String, Long> counts) {
    for (String part : List.of("support", "query")) {
      List<Map<String, Object>> records = part.equals("support") ? support : query;
      try (JsonArrayWriter w = new JsonArrayWriter(root.resolve(task).resolve(part + ".json"))) {
        records.forEach(w::write);
        counts.put(ROOT + task + "/" + part + ".json", w.count());
      }
    }
  }
}
