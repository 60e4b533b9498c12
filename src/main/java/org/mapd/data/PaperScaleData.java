package org.mapd.data;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Synthetic inputs of the paper plan at the real sizes, in the authors' layout that {@code mapd data prepare}
 * reads: LCS-558K (558,128 BLIP captions), mix665k with its Instruct-150K and OK-VQA side files ({@link
 * Mix665k}), the three LLaVA-OneVision subsets as converted JSON plus image files (PrepareData reads that
 * form as given, skipping the parquet conversion), and the four VL-ICL tasks with their real query and
 * support counts ({@link PaperScaleVlIcl}). Record counts, text lengths and image pixel sizes are the real
 * data's; the words are filler and the images are a few dozen drawn pictures per folder, shared by all the
 * records of that folder. For rehearsing the paper's code path with random-weight models on a CPU machine:
 * nothing here can be learned.
 *
 * <p>Every file is streamed, so memory does not grow with the record count; one seed gives byte-identical
 * files (each part draws from its own random stream).
 */
public final class PaperScaleData {
  private PaperScaleData() {}

  /**
   * How many records of each source to write.
   *
   * @param pretrain LCS-558K caption records
   * @param mix mix665k records (kinds in the real proportions)
   * @param mavis mavis_math_metagen rows; 87,348 in LLaVA-OneVision-Data's dataset card
   * @param tabmwp tabmwp(cauldron) rows; method.md's ~22.7K (the exact count was not confirmed)
   * @param geo geo170k(qa) rows, half reasoning and half direct-answer prompts; method.md's ~12K (not confirmed)
   * @param openMiQueries open_mi queries; each has 5 classes of 5 support images, so 25 support records
   * @param poolImages distinct image files per dataset folder
   */
  public record Sizes(int pretrain, int mix, int mavis, int tabmwp, int geo, int operatorSupport, int operatorQuery,
      int clevrSupport, int clevrQuery, int openMiQueries, int textocrSupport, int textocrQuery, int poolImages) {
    /**
     * The real sizes. VL-ICL's from its repository's statistics table (static/image/statistics.png) and its HF
     * dataset card: open_mi 200 queries and 5,000 support images, clevr 800/200, operator_induction 80/60,
     * textocr 800/200.
     */
    public static final Sizes PAPER = new Sizes(558_128, Mix665k.RECORDS, 87_348, 22_722, 12_101, 80, 60, 800, 200,
        200, 800, 200, 24);

    public Sizes {
      int[] all = {pretrain, mix, mavis, tabmwp, geo, operatorSupport, operatorQuery, clevrSupport, clevrQuery,
          openMiQueries, textocrSupport, textocrQuery, poolImages};
      for (int v : all) if (v < 1) throw new IllegalArgumentException("every size must be at least 1: " + this);
      if (operatorSupport > 100 || operatorQuery > 100) {
        throw new IllegalArgumentException("operator_induction has 100 distinct digit pairs, asked for "
            + operatorSupport + " support and " + operatorQuery + " query images");
      }
    }

    /**
     * Every count times {@code factor}, rounded; VL-ICL support sets keep at least 8 records (the largest shot
     * count) and query sets 2, and the image pools keep their size.
     */
    public Sizes scaled(double factor) {
      if (!(factor > 0)) throw new IllegalArgumentException("scale must be > 0, got " + factor);
      return new Sizes(n(pretrain, factor, 1), n(mix, factor, 1), n(mavis, factor, 1), n(tabmwp, factor, 1),
          n(geo, factor, 1), Math.min(100, n(operatorSupport, factor, 8)), Math.min(100, n(operatorQuery, factor, 2)),
          n(clevrSupport, factor, 8), n(clevrQuery, factor, 2), n(openMiQueries, factor, 2),
          n(textocrSupport, factor, 8), n(textocrQuery, factor, 2), poolImages);
    }

    /** The same counts with {@code n} distinct images per folder (tests: fewer files to draw). */
    public Sizes withPoolImages(int n) {
      return new Sizes(pretrain, mix, mavis, tabmwp, geo, operatorSupport, operatorQuery, clevrSupport, clevrQuery,
          openMiQueries, textocrSupport, textocrQuery, n);
    }

    private static int n(int v, double factor, int min) {
      return (int) Math.max(min, Math.round(v * factor));
    }
  }

  // The authors' layout (their README), as pipelines/split_rules.json expects it.
  static final String PRETRAIN = "LLaVA-Pretrain/blip_laion_cc_sbu_558k.json";
  static final String PRETRAIN_IMAGES = "LLaVA-Pretrain/images/";
  static final String INSTRUCT = "LLaVA-Instruct/";
  static final String MIX = INSTRUCT + "llava_v1_5_mix665k.json";
  static final String MIX_IMAGES = INSTRUCT + "images/";
  static final String OKVQA_QUESTIONS = "OK-VQA/OpenEnded_mscoco_train2014_questions.json";
  static final String ONE_VISION = "LLaVA-OneVision/";

  /** The brief-description instructions of LLaVA's pretraining captions (the list in the LLaVA paper). */
  private static final String[] BRIEF = {
    "Describe the image concisely.", "Provide a brief description of the given image.",
    "Offer a succinct explanation of the picture presented.", "Summarize the visual content of the image.",
    "Give a short and clear explanation of the subsequent image.", "Share a concise interpretation of the image provided.",
    "Present a compact description of the photo's key features.", "Relay a brief, clear account of the picture shown.",
    "Render a clear and concise summary of the photo.", "Write a terse but informative summary of the picture.",
    "Create a compact narrative representing the image presented."};

  /** Real pixel sizes (width x height) per image folder; several per folder, as the real data varies. */
  static final List<ImagePool.Size> COCO = sizes(640, 480, 480, 640, 640, 427, 427, 640, 640, 426, 500, 375, 640, 360, 612, 612);
  /** Visual Genome (GQA uses its images): mostly 500 or 800 pixels wide. */
  static final List<ImagePool.Size> VISUAL_GENOME = sizes(500, 375, 500, 333, 800, 600, 800, 533, 333, 500, 600, 800);
  /** OCR-VQA: Amazon book covers, portrait, about 300x450. */
  static final List<ImagePool.Size> BOOK_COVERS = sizes(300, 450, 331, 500, 333, 500, 318, 500, 300, 436);
  /** TextCaps/TextOCR: Open Images, 1024 pixels on the long side. */
  static final List<ImagePool.Size> OPEN_IMAGES = sizes(1024, 768, 1024, 683, 768, 1024, 1024, 576, 1024, 1024);
  /**
   * LAION/CC/SBU as LLaVA-Pretrain ships them: varied (images.zip is 27.4 GB for 558,128 JPEGs, 49 KB each
   * on average, so a few hundred pixels a side).
   */
  static final List<ImagePool.Size> WEB = sizes(500, 375, 640, 480, 336, 448, 512, 512, 800, 533, 375, 500, 400, 300, 1024, 683);
  // OneVision subsets: sizes not documented; estimated from their parquet sizes per row (mavis 26.8 KB,
  // geo170k 13 KB incl. text) for line drawings, and from TabMWP's small rendered tables.
  static final List<ImagePool.Size> MATH_DIAGRAMS = sizes(512, 512, 448, 448, 640, 480, 400, 400);
  static final List<ImagePool.Size> TABLES = sizes(300, 200, 250, 150, 350, 250, 200, 180);
  static final List<ImagePool.Size> GEOMETRY = sizes(300, 220, 250, 200, 400, 300, 200, 150);

  /** Writes every source under {@code out} at the real sizes; returns the records written per file. */
  public static Map<String, Long> generate(Path out, long seed) {
    return generate(out, seed, Sizes.PAPER);
  }

  /**
   * Writes every source under {@code out} with the given sizes; returns the records written per file (path
   * relative to {@code out}; for the OK-VQA file, its questions).
   */
  public static Map<String, Long> generate(Path out, long seed, Sizes sizes) {
    Map<String, Long> counts = new TreeMap<>();
    pretrain(out, Seeds.mix(seed, 1), sizes, counts);
    mix(out, Seeds.mix(seed, 2), sizes, counts);
    oneVision(out, Seeds.mix(seed, 3), sizes, counts);
    counts.putAll(PaperScaleVlIcl.write(out, Seeds.mix(seed, 4), sizes));
    return counts;
  }

  // ---------------------------------------------------------------- LLaVA-Pretrain (LCS-558K)

  /**
   * Records as in blip_laion_cc_sbu_558k.json: {"id": "004539375", "image": "00453/004539375.jpg",
   * "conversations": [brief instruction with the image token before or after it, BLIP caption]}. BLIP
   * captions are short and lower case: 4 to 14 words here, 9 and about 48 characters on average. The real
   * file is 181 MB for 558,128 records, 324 bytes each; in its indent-2 layout the keys, id, path and
   * instruction leave about 47 characters for the caption (the HF parquet copy's 94 MB of strings gives
   * about 51).
   */
  private static void pretrain(Path out, long seed, Sizes sizes, Map<String, Long> counts) {
    Random r = new Random(seed);
    List<String> names = new ArrayList<>();
    for (long id : distinct(r, 2 * sizes.poolImages(), 1, 999_999_999)) {
      String stem = String.format(Locale.ROOT, "%09d", id);
      names.add(stem.substring(0, 5) + "/" + stem + ".jpg");
    }
    ImagePool pool = ImagePool.write(out.resolve(PRETRAIN_IMAGES), "", names, WEB, r.nextLong());
    try (JsonArrayWriter w = new JsonArrayWriter(out.resolve(PRETRAIN))) {
      for (int i = 0; i < sizes.pretrain(); i++) {
        String brief = BRIEF[r.nextInt(BRIEF.length)];
        JsonGenerator g = w.next();
        g.writeStringField("id", String.format(Locale.ROOT, "%09d", i));
        g.writeStringField("image", pool.path(i));
        Mix665k.conversations(g, List.<String[]>of(new String[] {
            r.nextBoolean() ? brief + "\n<image>" : "<image>\n" + brief, Prose.words(r, Prose.between(r, 4, 14))}));
        g.writeEndObject();
      }
      counts.put(PRETRAIN, w.count());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out.resolve(PRETRAIN), e);
    }
  }

  // ---------------------------------------------------------------- LLaVA-Instruct mix665k

  /**
   * The mix and its side files; images are pools per folder, with OK-VQA's coco images apart from the rest
   * (see {@link Mix665k.Images}).
   */
  private static void mix(Path out, long seed, Sizes sizes, Map<String, Long> counts) {
    Random r = new Random(seed);
    Path root = out.resolve(MIX_IMAGES);
    int n = sizes.poolImages();
    int okvqaImages = Math.max(1, n / 4);
    Map<Mix665k.Folder, ImagePool> pools = new java.util.EnumMap<>(Mix665k.Folder.class);
    List<Long> cocoIds = distinct(r, n + okvqaImages, 9, 581_929);
    pools.put(Mix665k.Folder.COCO, pool(root, Mix665k.Folder.COCO, cocoIds.subList(0, n), COCO, r));
    ImagePool okvqa = pool(root, Mix665k.Folder.COCO, cocoIds.subList(n, n + okvqaImages), COCO, r);
    pools.put(Mix665k.Folder.GQA, pool(root, Mix665k.Folder.GQA, distinct(r, n, 1, 2_417_997), VISUAL_GENOME, r));
    pools.put(Mix665k.Folder.OCR_VQA, pool(root, Mix665k.Folder.OCR_VQA, distinct(r, n, 100_000_000, 9_999_999_999L), BOOK_COVERS, r));
    pools.put(Mix665k.Folder.TEXTCAPS, pool(root, Mix665k.Folder.TEXTCAPS, distinct(r, n, 1, Long.MAX_VALUE / 2), OPEN_IMAGES, r));
    // VG records alternate between its two folders: half a pool each, distinct ids across both
    int half = (n + 1) / 2;
    List<Long> vgIds = distinct(r, 2 * half, 1, 2_417_997);
    pools.put(Mix665k.Folder.VG_100K, pool(root, Mix665k.Folder.VG_100K, vgIds.subList(0, half), VISUAL_GENOME, r));
    pools.put(Mix665k.Folder.VG_100K_2, pool(root, Mix665k.Folder.VG_100K_2, vgIds.subList(half, 2 * half), VISUAL_GENOME, r));
    Mix665k.Files files = new Mix665k.Files(out.resolve(MIX), out.resolve(INSTRUCT + "conversation_58k.json"),
        out.resolve(INSTRUCT + "detail_23k.json"), out.resolve(INSTRUCT + "complex_reasoning_77k.json"),
        out.resolve(OKVQA_QUESTIONS));
    // records of one folder take its pool's images in turn, by record index
    Map<Path, Long> written = Mix665k.write(files, sizes.mix(),
        (kind, i) -> (kind == Mix665k.Kind.OKVQA ? okvqa : pools.get(kind.folder(i))).path(i), r.nextLong());
    written.forEach((file, c) -> counts.put(out.relativize(file).toString().replace('\\', '/'), c));
  }

  private static ImagePool pool(Path root, Mix665k.Folder folder, List<Long> ids, List<ImagePool.Size> sizes, Random r) {
    List<String> names = new ArrayList<>();
    for (long id : ids) names.add(folder.file(id));
    return ImagePool.write(root, folder.path, names, sizes, r.nextLong());
  }

  // ---------------------------------------------------------------- LLaVA-OneVision subsets

  /**
   * The three subsets as PrepareData's parquet conversion would leave them: LLaVA-OneVision/<subset>/<subset>.json
   * with {"id", "image": "<subset>/<file>", "conversations", "data_source"} and the image files beside it.
   * Text lengths are estimates (not measured on the real rows): MAVIS-metagen questions of 25 to 70 words with
   * chain-of-thought answers of 40 to 160 words, TabMWP questions of 10 to 35 words with short worked answers,
   * Geo170K questions of 15 to 45 words with four choices, reasoning answers of 30 to 100 words.
   */
  private static void oneVision(Path out, long seed, Sizes sizes, Map<String, Long> counts) {
    Random r = new Random(seed);
    Path root = out.resolve(ONE_VISION);

    String mavis = "mavis_math_metagen";
    ImagePool mavisImages = ImagePool.write(root, mavis + "/", names("metagen_", ".png", sizes.poolImages()), MATH_DIAGRAMS, r.nextLong());
    counts.put(ONE_VISION + mavis + "/" + mavis + ".json", subset(root, mavis, sizes.mavis(), i -> {
      boolean choices = r.nextBoolean();
      String q = "<image>\n" + (choices ? MAVIS_CHOICE : MAVIS_VALUE) + "\nQuestion: " + Prose.text(r, Prose.between(r, 25, 70))
          + (choices ? choices(r, false) : "");
      String a = Prose.text(r, Prose.between(r, 40, 160)) + " Answer: " + (choices ? letter(r) : Integer.toString(r.nextInt(100)));
      return new String[] {"metagen_" + i, mavisImages.path(i), q, a};
    }));

    String tab = "tabmwp(cauldron)";
    ImagePool tables = ImagePool.write(root, tab + "/", names("tabmwp_", ".png", sizes.poolImages()), TABLES, r.nextLong());
    counts.put(ONE_VISION + tab + "/" + tab + ".json", subset(root, tab, sizes.tabmwp(), i -> new String[] {
        "tabmwp_" + i, tables.path(i), "<image>\n" + TABMWP_HINT + "\nQuestion: " + Prose.question(r, Prose.between(r, 10, 35)),
        Prose.text(r, Prose.between(r, 15, 60)) + " Answer: " + r.nextInt(1000)}));

    String geo = "geo170k(qa)";
    List<String> geoNames = new ArrayList<>();
    for (int k = 0; k < sizes.poolImages(); k++) geoNames.add((9000 + 37 * k) + "_" + (k % 20) + ".jpg");
    ImagePool figures = ImagePool.write(root, geo + "/", geoNames, GEOMETRY, r.nextLong());
    counts.put(ONE_VISION + geo + "/" + geo + ".json", subset(root, geo, sizes.geo(), i -> {
      // alternating, so that basic and reasoning each get half (their real shares are not known)
      boolean reasoning = i % 2 == 1;
      String q = "<image>\n" + (reasoning ? SynthData.GEO_REASONING : SynthData.GEO_BASIC) + "\nQuestion: "
          + Prose.text(r, Prose.between(r, 15, 45)) + choices(r, true);
      String letter = letter(r);
      String a = reasoning ? Prose.text(r, Prose.between(r, 30, 100)) + " Answer: " + letter : letter;
      return new String[] {(i / 20 + 1) + "_" + (i % 20), figures.path(i), q, a};
    }));
  }

  private static final String MAVIS_VALUE = "According to the question shown in the image, please first conduct reasoning, "
      + "and then answer the question and provide the final value, e.g., The answer is xxx";
  private static final String MAVIS_CHOICE = "Please first conduct reasoning, and then answer the question and provide "
      + "the correct option letter, e.g., A, B, C, D, at the end.";
  private static final String TABMWP_HINT =
      "Hint: Please answer the question requiring an integer answer and provide the final value, e.g., 1, 2, 3, at the end.";

  /** One OneVision record: id, image, human text, gpt text. */
  private interface Row {
    String[] make(int index);
  }

  private static long subset(Path root, String subset, int n, Row row) {
    Path file = root.resolve(subset).resolve(subset + ".json");
    try (JsonArrayWriter w = new JsonArrayWriter(file)) {
      for (int i = 0; i < n; i++) {
        String[] v = row.make(i);
        JsonGenerator g = w.next();
        g.writeStringField("id", v[0]);
        g.writeStringField("image", v[1]);
        Mix665k.conversations(g, List.<String[]>of(new String[] {v[2], v[3]}));
        g.writeStringField("data_source", subset);
        g.writeEndObject();
      }
      return w.count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** "\nChoices:\nA: ..." with four options (angles for geometry, values otherwise). */
  private static String choices(Random r, boolean degrees) {
    StringBuilder b = new StringBuilder("\nChoices:");
    for (char c = 'A'; c <= 'D'; c++) {
      b.append('\n').append(c).append(": ").append(degrees ? (10 + r.nextInt(160)) + "°" : Integer.toString(r.nextInt(200)));
    }
    return b.toString();
  }

  private static String letter(Random r) {
    return "" + (char) ('A' + r.nextInt(4));
  }

  // ---------------------------------------------------------------- helpers

  static List<String> names(String prefix, String extension, int n) {
    List<String> l = new ArrayList<>();
    for (int k = 0; k < n; k++) l.add(prefix + k + extension);
    return l;
  }

  /** n distinct numbers in [min, max], in drawing order. */
  static List<Long> distinct(Random r, int n, long min, long max) {
    if (max - min + 1 < n) throw new IllegalArgumentException("cannot draw " + n + " distinct numbers in [" + min + ", " + max + "]");
    Set<Long> s = new LinkedHashSet<>();
    while (s.size() < n) s.add(min + (long) (r.nextDouble() * (max - min + 1)));
    return new ArrayList<>(s);
  }

  /** Sizes from (width, height) pairs. */
  static List<ImagePool.Size> sizes(int... wh) {
    List<ImagePool.Size> l = new ArrayList<>();
    for (int k = 0; k + 1 < wh.length; k += 2) l.add(new ImagePool.Size(wh[k], wh[k + 1]));
    return List.copyOf(l);
  }
}
