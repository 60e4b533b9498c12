package org.mapd.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.mapd.Json;

/**
 * Synthetic datasets in the real formats (LCS-558K, mix665k + Instruct-150K, three OneVision subsets,
 * four VL-ICL tasks), small enough and regular enough for a tiny model to learn. Every image is 32x32 and
 * every glyph or object sits in one 8x8 cell of the 4x4 grid, so a ViT with patch 8 sees one thing per
 * patch ({@link Scenes} draws and encodes them). One {@link Random}, shared with the scenes and drawn in a
 * fixed order (one method per dataset, called in turn), makes the output byte-identical for a seed.
 */
public final class SynthData {
  static final List<String> COLORS = List.of("red", "green", "blue", "yellow", "purple", "orange");
  /** Words drawn as capitals, at most 4 letters so that one word fits one row of cells. */
  static final List<String> WORDS = List.of(
      "cat", "dog", "sun", "tree", "book", "fish", "star", "moon", "bird", "cake", "lamp", "ship",
      "king", "rose", "bell", "coin", "door", "frog", "gold", "hat", "key", "map", "pen", "box", "cup",
      "bus", "egg", "owl", "fox", "jam");
  /**
   * Nonsense names of open_mi: unknowable without the support examples. At most 4 letters, so that the warm-up
   * can draw them as words: the stand-in decoder must be able to say them, as Qwen can say any name.
   */
  static final List<String> NAMES = List.of(
      "dax", "blik", "wug", "zorp", "fep", "toma", "kiki", "mipo", "gazz", "tufa");
  static final String VQA_PROMPT = "Answer the question using a single word or phrase.";
  static final String MC_PROMPT = "Answer with the option's letter from the given choices directly.";
  static final String CAPTION_PROMPT = "Provide a one-sentence caption for the provided image.";
  static final String GEO_BASIC =
      "Please directly answer the question and provide the correct option letter, e.g., A, B, C, D.";
  static final String GEO_REASONING =
      "First perform reasoning, then finally select the question from the choices in the following format: Answer: xxx.";
  static final String[] OPS = {"+", "-", "x"};
  /** LCS-558K captions (the paper's 558,128, scaled down). */
  static final int CAPTIONS = 4000;
  /** Records of each VL-ICL support.json (open_mi: 5 images per class and query instead). */
  static final int SUPPORT = 80;
  /** Queries of each VL-ICL task: enough for evaluation.queriesPerTask (40 in the mini plan) and more. */
  static final int QUERIES = 100;

  private final Path out;
  /** The one random stream: the scenes draw from it too, so every draw keeps its place in the sequence. */
  private final Random rnd;
  private final Scenes scenes;
  private final Map<String, Integer> counts = new TreeMap<>();

  private SynthData(Path out, long seed) {
    this.out = out;
    this.rnd = new Random(seed);
    this.scenes = new Scenes(rnd);
  }

  /** Writes every synthetic source under {@code out}; returns record counts per file. */
  public static Map<String, Integer> generate(Path out, long seed) {
    SynthData s = new SynthData(out, seed);
    s.pretrain();
    s.instruct();
    s.oneVision();
    s.vlIcl();
    return Collections.unmodifiableMap(s.counts);
  }

  /**
   * Mini warm-up only: {@code n} fresh one-question records (PNGs written under {@code dir}) of the skills the
   * stand-in backbones must have before a mapper ever sees them, as CLIP and Qwen have them: describing a
   * scene, counting by colour, shape or size, reading a word (also the one in a red box), reading an
   * expression whose operator is visible, naming the shape or colour at a position. Thousands of new images
   * rather than more epochs over the small finetuning mixture, so that the backbones learn the skill and not
   * the images. The VL-ICL question formats and the hidden-operator images are not among them.
   */
  public static List<LlavaRecord> warmupCorpus(Path dir, long seed, int n) {
    SynthData s = new SynthData(dir, seed);
    List<LlavaRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String[] qa = new String[2];
      int[] px = s.skill(i % 6, qa);
      String id = String.format(Locale.ROOT, "%06d", i);
      Scenes.png(dir.resolve(id + ".png"), px);
      records.add(new LlavaRecord(id, id + ".png", turns("<image>\n" + qa[0], qa[1])));
    }
    return records;
  }

  /** Draws one image of skill {@code kind} and puts its question and answer in {@code qa}. */
  private int[] skill(int kind, String[] qa) {
    switch (kind) {
      case 0 -> {
        List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(4));
        qa[0] = "What is in the image?";
        qa[1] = Scenes.describe(objs);
        return scenes.draw(objs);
      }
      case 1 -> {
        // Counts uniform over 0 to 4: in random scenes most counts are 0 or 1, and the decoder learned to say "0".
        int n = rnd.nextInt(5);
        Counted c = counted(n);
        qa[0] = "How many " + c.value() + (c.attribute().equals("shape") ? " shapes" : " objects") + " are there?";
        qa[1] = "" + n;
        return scenes.draw(c.objs());
      }
      case 2 -> {
        // Names too, so that the decoder can say them; which name goes with which shape stays unknown.
        String w = rnd.nextInt(3) == 0 ? scenes.pick(NAMES) : scenes.pick(WORDS);
        qa[0] = "What is the word in the image?";
        qa[1] = w;
        return scenes.drawText(scenes.canvas(), w, rnd.nextInt(4), rnd.nextInt(5 - w.length()), scenes.color(scenes.pick(COLORS)));
      }
      case 3 -> {
        qa[0] = "What word is in the red box?";
        return scenes.boxedWords(qa, null);
      }
      case 4 -> {
        Scenes.Expr e = scenes.randomExpr(OPS[rnd.nextInt(3)]);
        qa[0] = "What is the result of the expression in the image?";
        qa[1] = "" + e.value();
        return scenes.drawExpr(e);
      }
      default -> {
        List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(3));
        Scenes.Obj o = objs.get(rnd.nextInt(objs.size()));
        boolean shape = rnd.nextBoolean();
        qa[0] = shape ? "What shape is at the " + o.where() + "?" : "What colour is the object at the " + o.where() + "?";
        qa[1] = shape ? o.shape() : o.color();
        return scenes.draw(objs);
      }
    }
  }

  private void json(String rel, List<?> records) {
    Json.writeAtomic(out.resolve(rel), records);
    counts.put(rel, records.size());
  }

  private static List<Turn> turns(String... values) {
    List<Turn> t = new ArrayList<>();
    for (int i = 0; i < values.length; i++) t.add(new Turn(i % 2 == 0 ? Turn.HUMAN : Turn.GPT, values[i]));
    return t;
  }

  // ---------------------------------------------------------------- LLaVA-Pretrain

  private void pretrain() {
    List<LlavaRecord> recs = new ArrayList<>();
    for (int i = 0; i < CAPTIONS; i++) {
      String image = String.format(Locale.ROOT, "%05d/%09d.png", i / 500, i);
      String caption;
      int[] px;
      switch (i % 5) {
        case 0, 1 -> {
          List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(3));
          px = scenes.draw(objs);
          caption = Scenes.describe(objs);
        }
        case 2 -> {
          Scenes.Expr e = scenes.randomExpr(OPS[rnd.nextInt(3)]);
          px = scenes.drawExpr(e);
          caption = "the expression " + e.text();
        }
        case 3 -> {
          String w = scenes.pick(WORDS), c = scenes.pick(COLORS);
          px = scenes.drawText(scenes.canvas(), w, rnd.nextInt(4), rnd.nextInt(5 - w.length()), scenes.color(c));
          caption = "the word " + w + " in " + c;
        }
        default -> {
          // Signs and labels are what real captions name; without these the mapper never learned to carry
          // which word a box frames, and textocr stayed at a few percent for every row.
          String[] boxed = new String[2];
          px = scenes.boxedWords(boxed, null);
          caption = "the word " + boxed[1] + " in a red box";
        }
      }
      Scenes.png(out.resolve("LLaVA-Pretrain/images/" + image), px);
      recs.add(new LlavaRecord(String.format(Locale.ROOT, "%09d", i), image,
          turns("<image>\nRender a clear and concise summary of the photo.", caption)));
    }
    json("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json", recs);
  }

  // ---------------------------------------------------------------- LLaVA-Instruct mix665k

  private int cocoId = 9;

  private String coco(int[] px) {
    cocoId += 1 + rnd.nextInt(7);
    String name = String.format(Locale.ROOT, "%012d.png", cocoId);
    Scenes.png(out.resolve("LLaVA-Instruct/images/coco/train2017/" + name), px);
    return "coco/train2017/" + name;
  }

  private static String idOf(String image) {
    String f = image.substring(image.lastIndexOf('/') + 1);
    return f.substring(0, f.lastIndexOf('.'));
  }

  private String image(String folder, int i, int[] px) {
    String rel = folder + "/" + String.format(Locale.ROOT, "%07d.png", i);
    Scenes.png(out.resolve("LLaVA-Instruct/images/" + rel), px);
    return rel;
  }

  private static LlavaRecord rec(String image, List<Turn> t) { return new LlavaRecord(idOf(image), image, t); }

  /** A counting question about a scene and its answer. */
  private String[] countQa(List<Scenes.Obj> objs) {
    return switch (rnd.nextInt(3)) {
      case 0 -> { String c = scenes.pick(COLORS); yield new String[] {"How many " + c + " objects are there?", "" + Scenes.count(objs, o -> o.color().equals(c))}; }
      case 1 -> { String s = scenes.pick(Glyphs.SHAPES); yield new String[] {"How many " + s + " shapes are there?", "" + Scenes.count(objs, o -> o.shape().equals(s))}; }
      default -> { boolean l = rnd.nextBoolean(); yield new String[] {"How many " + (l ? "large" : "small") + " objects are there?", "" + Scenes.count(objs, o -> o.large() == l)}; }
    };
  }

  /** mix665k in the authors' format (one method per dataset, drawn in this order), its Instruct-150K twins, OK-VQA. */
  private void instruct() {
    List<LlavaRecord> mix = new ArrayList<>();
    List<LlavaRecord> conv = conversations(mix), det = detailedDescriptions(mix), cplx = complexReasoning(mix);
    vqav2(mix);
    List<Map<String, Object>> okQuestions = okvqa(mix);
    aokvqa(mix);
    regions(mix);
    gqa(mix);
    ocrVqa(mix);
    textCaps(mix);
    shareGpt(mix);
    Collections.shuffle(mix, rnd);
    json("LLaVA-Instruct/llava_v1_5_mix665k.json", withBadRecords(mix));
    json("LLaVA-Instruct/conversation_58k.json", conv);
    json("LLaVA-Instruct/detail_23k.json", det);
    json("LLaVA-Instruct/complex_reasoning_77k.json", cplx);
    Json.writeAtomic(out.resolve("OK-VQA/OpenEnded_mscoco_train2014_questions.json"), Map.of("questions", okQuestions));
    counts.put("OK-VQA/OpenEnded_mscoco_train2014_questions.json", okQuestions.size());
  }

  /** conv: naming objects, copying a name given in the text; returns the Instruct-150K twins. */
  private List<LlavaRecord> conversations(List<LlavaRecord> mix) {
    List<LlavaRecord> conv = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(2));
      String image = coco(scenes.draw(objs));
      Scenes.Obj o = objs.get(0);
      String name = NAMES.get(i % NAMES.size());
      List<Turn> t = objs.size() == 1
          ? turns("<image>\nThis object is called " + name + ". What is it?", name,
              "What colour is it?", o.color(), "What shape is it?", o.shape())
          : turns("<image>\nThe " + o.shape() + " is called " + name + ". What is the " + o.shape() + " called?", name,
              "What is in the image?", Scenes.describe(objs));
      mix.add(rec(image, t));
      conv.add(new LlavaRecord(idOf(image), idOf(image) + ".png", t));
    }
    return conv;
  }

  /** det: detailed descriptions with positions; returns the Instruct-150K twins. */
  private List<LlavaRecord> detailedDescriptions(List<LlavaRecord> mix) {
    List<LlavaRecord> det = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(4));
      String image = coco(scenes.draw(objs));
      List<String> parts = new ArrayList<>();
      for (Scenes.Obj o : objs) parts.add("a " + o.phrase() + " at the " + o.where());
      List<Turn> t = turns("<image>\nDescribe the image in detail.",
          "There are " + objs.size() + " objects . " + String.join(" and ", parts) + " .");
      mix.add(rec(image, t));
      det.add(new LlavaRecord(idOf(image), idOf(image) + ".png", t));
    }
    return det;
  }

  /** complex_res: arithmetic with a visible operator, answered with a short reasoning; returns the Instruct-150K twins. */
  private List<LlavaRecord> complexReasoning(List<LlavaRecord> mix) {
    List<LlavaRecord> cplx = new ArrayList<>();
    for (Scenes.Expr e : scenes.coveringExprs(150)) {
      String image = coco(scenes.drawExpr(e));
      List<Turn> t = turns("What is the result of the expression in the image?\n<image>",
          "The image shows " + e.text() + " . So the result is " + e.value() + " .");
      mix.add(rec(image, t));
      cplx.add(new LlavaRecord(idOf(image), idOf(image) + ".png", t));
    }
    return cplx;
  }

  /** vqav2: counting and reading arithmetic, QA pairs of one image merged into one conversation. */
  private void vqav2(List<LlavaRecord> mix) {
    for (int i = 0; i < 150; i++) {
      List<String> v = new ArrayList<>();
      String image;
      if (i % 3 == 0) {
        Scenes.Expr e = scenes.randomExpr(OPS[rnd.nextInt(3)]);
        image = coco(scenes.drawExpr(e));
        v.add("What is " + e.text() + "?");
        v.add("" + e.value());
      } else {
        List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(6));
        image = coco(scenes.draw(objs));
        int n = 1 + rnd.nextInt(3);
        for (int q = 0; q < n; q++) { String[] qa = countQa(objs); v.add(qa[0]); v.add(qa[1]); }
      }
      v.set(0, "<image>\n" + v.get(0) + "\n" + VQA_PROMPT);
      for (int q = 2; q < v.size(); q += 2) v.set(q, v.get(q) + "\n" + VQA_PROMPT);
      mix.add(rec(image, turns(v.toArray(String[]::new))));
    }
  }

  /** okvqa: attribute questions; returns the OK-VQA questions that let the pipeline split them from vqav2. */
  private List<Map<String, Object>> okvqa(List<LlavaRecord> mix) {
    List<Map<String, Object>> okQuestions = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(2));
      String image = coco(scenes.draw(objs));
      Scenes.Obj o = objs.get(0);
      String q = "What shape is the " + o.color() + " object?";
      if (objs.size() > 1 && objs.get(1).color().equals(o.color())) q = "What colour is the " + o.shape() + "?";
      String a = q.startsWith("What shape") ? o.shape() : o.color();
      mix.add(rec(image, turns("<image>\n" + q + "\n" + VQA_PROMPT, a)));
      Map<String, Object> okq = new LinkedHashMap<>();
      okq.put("image_id", Long.parseLong(idOf(image)));
      okq.put("question", q);
      okq.put("question_id", Long.parseLong(idOf(image)) * 10);
      okQuestions.add(okq);
    }
    return okQuestions;
  }

  /** aokvqa: multiple choice over shapes. */
  private void aokvqa(List<LlavaRecord> mix) {
    for (int i = 0; i < 150; i++) {
      List<Scenes.Obj> objs = scenes.objects(1);
      String image = coco(scenes.draw(objs));
      List<String> opts = choices(objs.get(0).shape());
      String letter = "" + (char) ('A' + opts.indexOf(objs.get(0).shape()));
      mix.add(rec(image, turns("<image>\nWhich shape is shown in the image?\nA. " + opts.get(0) + "\nB. " + opts.get(1)
          + "\nC. " + opts.get(2) + "\nD. " + opts.get(3) + "\n" + MC_PROMPT, letter)));
    }
  }

  /** refcoco (coco) and vg: region prompts. */
  private void regions(List<LlavaRecord> mix) {
    for (int i = 0; i < 300; i++) {
      List<Scenes.Obj> objs = scenes.objects(2 + rnd.nextInt(3));
      int[] px = scenes.draw(objs);
      String image = i < 150 ? coco(px) : image(i % 2 == 0 ? "vg/VG_100K" : "vg/VG_100K_2", i, px);
      List<String> v = new ArrayList<>();
      for (int q = 0; q < 2; q++) {
        Scenes.Obj o = objs.get(q);
        if (rnd.nextBoolean()) {
          v.add("Please provide a short description for this region: " + o.box() + ".");
          v.add(o.phrase());
        } else {
          v.add("Please provide the bounding box coordinate of the region this sentence describes: " + o.phrase() + ".");
          v.add(o.box());
        }
      }
      v.set(0, "<image>\n" + v.get(0));
      mix.add(rec(image, turns(v.toArray(String[]::new))));
    }
  }

  /** gqa: spatial questions. */
  private void gqa(List<LlavaRecord> mix) {
    for (int i = 0; i < 150; i++) {
      List<Scenes.Obj> objs = scenes.objects(1 + rnd.nextInt(3));
      String image = image("gqa/images", i, scenes.draw(objs));
      Scenes.Obj o = objs.get(rnd.nextInt(objs.size()));
      String q, a;
      if (rnd.nextBoolean()) {
        q = "What shape is at the " + o.where() + "?";
        a = o.shape();
      } else {
        String s = scenes.pick(Glyphs.SHAPES);
        q = "Is there a " + s + " in the image?";
        a = Scenes.count(objs, x -> x.shape().equals(s)) > 0 ? "yes" : "no";
      }
      mix.add(rec(image, turns("<image>\n" + q + "\n" + VQA_PROMPT, a)));
    }
  }

  /** ocr_vqa: reading words. */
  private void ocrVqa(List<LlavaRecord> mix) {
    for (int i = 0; i < 150; i++) {
      String w = WORDS.get(i % WORDS.size()), c = scenes.pick(COLORS);
      String image = image("ocr_vqa/images", i, scenes.drawText(scenes.canvas(), w, rnd.nextInt(4), rnd.nextInt(5 - w.length()), scenes.color(c)));
      mix.add(rec(image, turns("<image>\nWhat is the word in the image?\n" + VQA_PROMPT, w,
          "What colour is the word?\n" + VQA_PROMPT, c)));
    }
  }

  /** textvqa = TextCaps: captions naming the word. */
  private void textCaps(List<LlavaRecord> mix) {
    for (int i = 0; i < 150; i++) {
      String w = WORDS.get((i * 7) % WORDS.size()), c = scenes.pick(COLORS);
      String image = image("textvqa/train_images", i, scenes.drawText(scenes.canvas(), w, rnd.nextInt(4), rnd.nextInt(5 - w.length()), scenes.color(c)));
      mix.add(rec(image, turns("<image>\n" + CAPTION_PROMPT, "a sign with the word " + w + " written in " + c)));
    }
  }

  /** ShareGPT: text-only, must be dropped. */
  private void shareGpt(List<LlavaRecord> mix) {
    for (int i = 0; i < 20; i++) {
      int a = rnd.nextInt(10), b = rnd.nextInt(10);
      mix.add(new LlavaRecord("sharegpt_" + i, null, turns("What is " + a + " + " + b + "?", "" + (a + b)), "gpt-4"));
    }
  }

  /** The shuffled mix with deliberately bad records, one per reject reason the generator can express in valid JSON. */
  private static List<Object> withBadRecords(List<LlavaRecord> mix) {
    List<Object> all = new ArrayList<>(mix);
    LlavaRecord good = mix.stream().filter(r -> r.image() != null).findFirst().orElseThrow();
    all.add(3, new LlavaRecord("bad_no_gpt", good.image(), turns("<image>\nWhat is this?")));
    all.add(7, new LlavaRecord("bad_no_image", null, turns("<image>\nWhat is this?", "circle")));
    all.add(11, new LlavaRecord("bad_missing", "coco/train2017/000000000001.png",
        turns("<image>\nWhat is this?\n" + VQA_PROMPT, "circle")));
    all.add(12, new LlavaRecord("bad_unknown", "sam/images/000001.png", turns("<image>\nWhat is this?", "circle")));
    all.add(13, new LlavaRecord("bad_escape", "coco/../../../LLaVA-Pretrain/images/00000/000000000.png", turns("<image>\nWhat is this?", "circle")));
    all.add(17, Map.of("id", 5, "conversations", "not a list"));
    all.add(good);
    return all;
  }


  /** Four distinct shape options that include {@code right}, in a random order. */
  private List<String> choices(String right) {
    List<String> others = new ArrayList<>(Glyphs.SHAPES);
    others.remove(right);
    Collections.shuffle(others, rnd);
    List<String> opts = new ArrayList<>(others.subList(0, 3));
    opts.add(right);
    Collections.shuffle(opts, rnd);
    return opts;
  }

  // ---------------------------------------------------------------- LLaVA-OneVision subsets

  private Map<String, Object> ovRecord(String subset, String id, String image, List<Turn> t) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("image", image);
    r.put("conversations", t);
    r.put("data_source", subset);
    return r;
  }

  private void oneVision() {
    Path ov = out.resolve("LLaVA-OneVision");
    List<Map<String, Object>> mavis = new ArrayList<>();
    int i = 0;
    for (Scenes.Expr e : scenes.coveringExprs(150)) {
      String image = "mavis_math_metagen/images/mavis_" + i + ".png";
      Scenes.png(ov.resolve(image), scenes.drawExpr(e));
      mavis.add(ovRecord("mavis_math_metagen", "mavis_" + i++, image, turns(
          "<image>\nPlease solve the problem shown in the image and give the final value.\nWhat is the value of the expression?",
          "" + e.value())));
    }
    json("LLaVA-OneVision/mavis_math_metagen/mavis_math_metagen.json", mavis);

    List<Map<String, Object>> tab = new ArrayList<>();
    for (i = 0; i < 150; i++) {
      int[] d = {rnd.nextInt(10), rnd.nextInt(10), rnd.nextInt(10), rnd.nextInt(10)};
      int[] px = scenes.canvas();
      int c = scenes.white();
      for (int k = 0; k < 4; k++) Glyphs.drawChar(px, (char) ('0' + d[k]), 1 + k / 2, 1 + k % 2, rnd.nextInt(2), c);
      String[] names = {"first row", "second row", "first column", "second column"};
      int which = rnd.nextInt(4);
      int sum = switch (which) { case 0 -> d[0] + d[1]; case 1 -> d[2] + d[3]; case 2 -> d[0] + d[2]; default -> d[1] + d[3]; };
      String image = "tabmwp(cauldron)/" + i + ".png";
      Scenes.png(ov.resolve(image), px);
      tab.add(ovRecord("tabmwp(cauldron)", "tabmwp_" + i, image, turns(
          "<image>\nHint: Please answer the question requiring an integer answer and provide the final value.\nQuestion: What is the sum of the numbers in the "
              + names[which] + " of the table?", "" + sum)));
    }
    json("LLaVA-OneVision/tabmwp(cauldron)/tabmwp(cauldron).json", tab);

    List<Map<String, Object>> geo = new ArrayList<>();
    for (i = 0; i < 160; i++) {
      List<Scenes.Obj> objs = scenes.objects(1);
      String shape = objs.get(0).shape();
      List<String> opts = choices(shape);
      String letter = "" + (char) ('A' + opts.indexOf(shape));
      String q = "Question: Which shape is shown in the figure?\nChoices:\nA: " + opts.get(0) + "\nB: " + opts.get(1)
          + "\nC: " + opts.get(2) + "\nD: " + opts.get(3);
      String image = "geo170k(qa)/" + (9000 + i) + "_" + (i % 20) + ".png";
      Scenes.png(ov.resolve(image), scenes.draw(objs));
      boolean reasoning = i % 2 == 1;
      geo.add(ovRecord("geo170k(qa)", (9000 + i) + "_" + (i % 20), image, reasoning
          ? turns("<image>\n" + GEO_REASONING + "\n" + q, "The figure shows a " + shape + " . Answer: " + letter)
          : turns("<image>\n" + GEO_BASIC + "\n" + q, letter)));
    }
    json("LLaVA-OneVision/geo170k(qa)/geo170k(qa).json", geo);
  }

  // ---------------------------------------------------------------- VL-ICL

  private Map<String, Object> icl(String id, String image, String question, Object answer) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", id);
    r.put("image", List.of(image));
    r.put("question", question);
    r.put("answer", answer);
    return r;
  }

  /** The four VL-ICL tasks the plans evaluate, in VL-ICL's record formats, drawn in this order. */
  private void vlIcl() {
    Path root = out.resolve("VL-ICL");
    operatorInduction(root);
    clevr(root);
    openMi(root);
    textOcr(root);
  }

  /** operator_induction: the image shows "a ? b"; the operator is only knowable from the support answers. */
  private void operatorInduction(Path root) {
    List<Map<String, Object>> sup = new ArrayList<>(), qry = new ArrayList<>();
    String q = "What is the result of the following mathematical expression?";
    for (int i = 0; i < SUPPORT; i++) {
      Scenes.Expr e = scenes.randomExpr("?");
      String image = "operator_induction/support/" + i + "_" + e.a() + "_" + e.b() + ".png";
      Scenes.png(root.resolve(image), scenes.drawExpr(e));
      sup.add(icl("support_" + i, image, q, List.of(e.value("+"), e.value("-"), e.value("x"))));
    }
    for (int i = 0; i < QUERIES; i++) {
      Scenes.Expr e = scenes.randomExpr("?");
      String op = OPS[i % 3];
      String image = "operator_induction/query/" + i + "_" + e.a() + "_" + e.b() + ".png";
      Scenes.png(root.resolve(image), scenes.drawExpr(e));
      Map<String, Object> r = icl("query_" + i, image, q, e.value(op));
      r.put("operator", op);
      qry.add(r);
    }
    task("operator_induction", sup, qry);
  }

  /**
   * clevr: count the objects that have the asked attribute. The count is uniform over 1..4 (with 0 to 2 other
   * objects), so that no single answer is right for most queries: a model must count to score.
   */
  private void clevr(Path root) {
    List<Map<String, Object>> sup = new ArrayList<>(), qry = new ArrayList<>();
    for (int i = 0; i < SUPPORT + QUERIES; i++) {
      int n = 1 + rnd.nextInt(4);
      Counted c = counted(n);
      String part = i < SUPPORT ? "support" : "query";
      String image = "clevr/" + part + "/" + i + ".png";
      Scenes.png(root.resolve(image), scenes.draw(c.objs()));
      (i < SUPPORT ? sup : qry).add(icl(part + "_" + i, image, c.attribute() + ": " + c.value(), n));
    }
    task("clevr", sup, qry);
  }

  /** A scene in which exactly n objects have one attribute (color, shape or size: value) and 0 to 2 do not. */
  private record Counted(String attribute, String value, List<Scenes.Obj> objs) {}

  private Counted counted(int n) {
    List<Scenes.Obj> objs = scenes.objects(n + rnd.nextInt(3));
    switch (rnd.nextInt(3)) {
      case 0 -> {
        String c = scenes.pick(COLORS);
        for (int k = 0; k < objs.size(); k++) objs.set(k, objs.get(k).withColor(k < n ? c : scenes.other(COLORS, c)));
        return new Counted("color", c, objs);
      }
      case 1 -> {
        String sh = scenes.pick(Glyphs.SHAPES);
        for (int k = 0; k < objs.size(); k++) objs.set(k, objs.get(k).withShape(k < n ? sh : scenes.other(Glyphs.SHAPES, sh)));
        return new Counted("shape", sh, objs);
      }
      default -> {
        boolean large = rnd.nextBoolean();
        for (int k = 0; k < objs.size(); k++) objs.set(k, objs.get(k).withLarge(k < n == large));
        return new Counted("size", large ? "large" : "small", objs);
      }
    }
  }

  /** open_mi: per query, nonsense names bound to shapes at random, 5 support images per class. */
  private void openMi(Path root) {
    List<Map<String, Object>> sup = new ArrayList<>(), qry = new ArrayList<>();
    for (int i = 0; i < QUERIES; i++) {
      List<String> shapes = new ArrayList<>(Glyphs.SHAPES);
      Collections.shuffle(shapes, rnd);
      List<String> names = new ArrayList<>(NAMES);
      Collections.shuffle(names, rnd);
      Map<String, Object> support = new LinkedHashMap<>();
      for (int c = 0; c < 3; c++) {
        List<String> images = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
          String image = "open_mi/support/" + i + "_" + c + "_" + k + ".png";
          Scenes.png(root.resolve(image), scenes.openMiImage(shapes.get(c)));
          images.add(image);
          sup.add(icl("support_" + i + "_" + c + "_" + k, image, "This is a", names.get(c)));
        }
        support.put(names.get(c), Map.of("images", images));
      }
      int target = rnd.nextInt(3);
      String image = "open_mi/query/" + i + ".png";
      Scenes.png(root.resolve(image), scenes.openMiImage(shapes.get(target)));
      Map<String, Object> r = icl("query_" + i, image, "This is a", names.get(target));
      r.put("classes", names.subList(0, 3));
      r.put("support", support);
      qry.add(r);
    }
    task("open_mi", sup, qry);
  }

  /** textocr: two or three words, one of them in a red box. */
  private void textOcr(Path root) {
    List<Map<String, Object>> sup = new ArrayList<>(), qry = new ArrayList<>();
    for (int i = 0; i < SUPPORT + QUERIES; i++) {
      String[] qa = new String[2];
      int[] box = new int[4];
      int[] px = scenes.boxedWords(qa, box);
      String answer = qa[1];
      String part = i < SUPPORT ? "support" : "query";
      String image = "textocr/" + part + "/" + i + ".png";
      Scenes.png(root.resolve(image), px);
      Map<String, Object> r = icl(part + "_" + i, image, "What text is shown in the red box?", answer);
      r.put("img_id", "synth_" + i);
      r.put("width", 32);
      r.put("height", 32);
      r.put("ann_id", "synth_" + i + "_0");
      r.put("box", List.of(box[0], box[1], box[2], box[3]));
      r.put("points", List.of(box[0], box[1], box[0] + box[2], box[1], box[0] + box[2], box[1] + box[3], box[0], box[1] + box[3]));
      r.put("area", box[2] * box[3]);
      (i < SUPPORT ? sup : qry).add(r);
    }
    task("textocr", sup, qry);
  }


  private void task(String name, List<Map<String, Object>> support, List<Map<String, Object>> query) {
    json("VL-ICL/" + name + "/support.json", support);
    json("VL-ICL/" + name + "/query.json", query);
  }
}
