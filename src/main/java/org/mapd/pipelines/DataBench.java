package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.mapd.conf.Training;
import org.mapd.data.LlavaRecord;

/**
 * `mapd bench data`: a synthetic mix665k (LLaVA-1.5 proportions and prompt shapes of method.md §7) with its
 * Instruct-150K and OK-VQA side files, split by a single-threaded Jackson streaming baseline and by
 * PrepareData on the chosen runners. Images are never written: an index file of the existing paths stands in
 * for the image check (see {@link #IMAGE_INDEX}).
 */
public final class DataBench {
  private DataBench() {}

  /** System property naming the image index file that Classify checks instead of opening images. */
  static final String IMAGE_INDEX = "mapd.imageIndex";
  /** System property: Flink [local] parallelism of PrepareData (default 1). */
  static final String FLINK_PARALLELISM = "mapd.flinkParallelism";
  /** mix665k's real size. */
  public static final int MIX665K = 665_298;
  /** Issue targets: the whole split within this many seconds on 2 cores; Beam at least this share of the baseline. */
  static final double TARGET_SECONDS = 60, TARGET_SHARE = 0.5;

  static final String SINGLE = "\nAnswer the question using a single word or phrase.";
  static final String LETTER = "\nAnswer with the option's letter from the given choices directly.";
  static final String CAPTION = "\nProvide a one-sentence caption for the provided image.";

  /**
   * Kinds of records with their exact counts in mix665k (conv/detail/complex split of 157,712 by 58:23:77), the
   * range of (human, gpt) pairs per record and the words of a long answer. The real file is about 1 GB (500
   * bytes per record would make it a third of that): VQA questions of one image are merged into one record
   * (VQAv2 ~5 per image, GQA ~13, VG and RefCOCO regions likewise), and the GPT-written answers are long
   * (conversation_58k.json is 126 MB for 56,681 records, complex_reasoning_77k.json 79.6 MB, detail_23k.json
   * 20.5 MB; LLaVA docs/Data.md). These ranges are estimates that give a file of that size, not measured
   * distributions.
   */
  enum Kind {
    CONV(56_681, 1, 5, 90), DETAIL(23_240, 1, 1, 130), COMPLEX(77_791, 1, 1, 160), SHAREGPT(40_688, 1, 6, 220),
    VQAV2(82_783, 1, 10, 0), GQA(72_140, 5, 21, 0), OKVQA(8_998, 1, 1, 0), OCRVQA(80_000, 1, 9, 0),
    AOKVQA(66_160, 1, 1, 0), TEXTCAPS(21_953, 1, 1, 0), REFCOCO(48_447, 1, 7, 0), VG(86_417, 5, 15, 0);

    final int count, minPairs, maxPairs, answerWords;

    Kind(int count, int minPairs, int maxPairs, int answerWords) {
      this.count = count;
      this.minPairs = minPairs;
      this.maxPairs = maxPairs;
      this.answerWords = answerWords;
    }
  }

  private static final String[] WORDS = ("the a person street bus two cars red blue small large standing near on in with "
      + "while next to several some people table kitchen window light dog cat sign building tree water sky white "
      + "black wooden metal plate food holding riding looking walking sitting background foreground scene image "
      + "appears likely because which could would may safety weather traffic crowded busy quiet").split(" ");

  /** n words of filler prose, deterministic in r. */
  private static String prose(Random r, int n) {
    StringBuilder b = new StringBuilder(n * 7);
    for (int w = 0; w < n; w++) {
      if (w > 0) b.append(w % 17 == 0 ? ". " : " ");
      b.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.append('.').toString();
  }

  /** Result of one measurement: per-dataset counts, records/s over the mix records. */
  public record Result(String name, Map<String, Long> datasets, long removedTextOnly, double seconds, double recordsPerSecond) {}

  /** Loads the index file named by the property, or null when unset (real data: images are opened). */
  static Set<String> imageIndex(String file) {
    if (file == null) return null;
    try {
      return new HashSet<>(Files.readAllLines(Path.of(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image index " + file, e);
    }
  }

  /** Per-kind record counts for n records, in mix665k's proportions (remainders to the largest kinds). */
  static Map<Kind, Integer> counts(int n) {
    Map<Kind, Integer> c = new LinkedHashMap<>();
    int left = n;
    for (Kind k : Kind.values()) {
      int v = (int) ((long) k.count * n / MIX665K);
      c.put(k, v);
      left -= v;
    }
    List<Kind> bySize = new ArrayList<>(List.of(Kind.values()));
    bySize.sort((a, b) -> b.count - a.count);
    for (int i = 0; left > 0; i++, left--) c.merge(bySize.get(i % bySize.size()), 1, Integer::sum);
    return c;
  }

  /**
   * Writes the synthetic inputs under {@code datasets} (paths of split_rules.json) and the image index
   * {@code index}; returns the number of mix records.
   */
  static int generate(Path datasets, Path index, int n, SplitRules rules, long seed) throws IOException {
    Map<Kind, Integer> counts = counts(n);
    int[] kinds = new int[n];
    int at = 0;
    for (Map.Entry<Kind, Integer> e : counts.entrySet()) for (int i = 0; i < e.getValue(); i++) kinds[at++] = e.getKey().ordinal();
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) { // shuffled like the real file
      int j = random.nextInt(i + 1);
      int t = kinds[i];
      kinds[i] = kinds[j];
      kinds[j] = t;
    }
    SplitRules.Source mix = rules.source("mix665k");
    Path mixRoot = datasets.resolve(mix.imageRoot()).toAbsolutePath().normalize();
    Map<String, JsonArrayFile> instruct = new HashMap<>();
    Map<Kind, String> instructOf = Map.of(Kind.CONV, "conv", Kind.DETAIL, "det", Kind.COMPLEX, "complex_res");
    JsonFactory f = Checks.COMPACT.getFactory();
    try (JsonArrayFile out = new JsonArrayFile(f, datasets.resolve(mix.file()));
        BufferedWriter images = Files.newBufferedWriter(index, StandardCharsets.UTF_8);
        JsonArrayFile okvqa = new JsonArrayFile(f, datasets.resolve(rules.okvqa().questions()), "questions")) {
      for (Map.Entry<String, String> e : rules.instruct150k().files().entrySet()) {
        instruct.put(e.getKey(), new JsonArrayFile(f, datasets.resolve(e.getValue())));
      }
      for (int i = 0; i < n; i++) {
        Kind kind = Kind.values()[kinds[i]];
        long imageId = 100_000L + i;
        String coco = String.format("%012d", imageId);
        String image = switch (kind) {
          case SHAREGPT -> null;
          case CONV, DETAIL, COMPLEX, AOKVQA, REFCOCO -> "coco/train2017/" + coco + ".jpg";
          case VQAV2, OKVQA -> "coco/train2014/COCO_train2014_" + coco + ".jpg";
          case GQA -> "gqa/images/n" + imageId + ".jpg";
          case OCRVQA -> "ocr_vqa/images/" + imageId + ".jpg";
          case TEXTCAPS -> "textvqa/train_images/" + Long.toHexString(imageId * 7919) + ".jpg";
          case VG -> (i % 2 == 0 ? "vg/VG_100K/" : "vg/VG_100K_2/") + imageId + ".jpg";
        };
        String id = kind == Kind.SHAREGPT ? "sg" + Integer.toString(i, 36) : kind == Kind.CONV || kind == Kind.DETAIL
            || kind == Kind.COMPLEX ? coco : Long.toString(imageId);
        List<String[]> turns = turns(kind, i, random);
        JsonGenerator g = out.next();
        g.writeStringField("id", id);
        if (image != null) g.writeStringField("image", image);
        if (kind == Kind.SHAREGPT) g.writeStringField("model", "");
        conversations(g, turns);
        g.writeEndObject();
        if (image != null) {
          images.write(mixRoot.resolve(image).toString());
          images.newLine();
        }
        if (instructOf.containsKey(kind)) {
          JsonGenerator t = instruct.get(instructOf.get(kind)).next();
          t.writeStringField("id", id);
          t.writeStringField("image", coco + ".jpg");
          // the 150K files put the token after the question where the mix puts it first: the join must not care
          conversations(t, List.<String[]>of(new String[] {turns.get(0)[0].replace("<image>\n", "") + "\n<image>", turns.get(0)[1]}));
          t.writeEndObject();
        }
        if (kind == Kind.OKVQA) {
          JsonGenerator q = okvqa.next();
          q.writeNumberField("image_id", imageId);
          q.writeStringField("question", turns.get(0)[0].substring("<image>\n".length(), turns.get(0)[0].indexOf('\n', 8)));
          q.writeNumberField("question_id", imageId * 10);
          q.writeEndObject();
        }
      }
    } finally {
      for (JsonArrayFile a : instruct.values()) a.close();
    }
    return n;
  }

  /** (human, gpt) pairs in the real prompt shapes; the first human turn carries the image token. */
  private static List<String[]> turns(Kind kind, int i, Random r) {
    List<String[]> t = new ArrayList<>();
    int pairs = kind.minPairs + r.nextInt(kind.maxPairs - kind.minPairs + 1);
    for (int p = 0; p < pairs; p++) {
      String q, a;
      switch (kind) {
        case CONV -> {
          q = "What is the person in picture " + i + " doing, question " + p + "?";
          a = prose(r, kind.answerWords / 2 + r.nextInt(kind.answerWords));
        }
        case DETAIL -> {
          q = "Describe the following image in detail (" + i + ").";
          a = prose(r, kind.answerWords / 2 + r.nextInt(kind.answerWords));
        }
        case COMPLEX -> {
          q = "What challenges might the people in scene " + i + " face?";
          a = prose(r, kind.answerWords / 2 + r.nextInt(kind.answerWords));
        }
        case SHAREGPT -> {
          q = "Write a short poem about the sea, number " + i + "." + (p > 0 ? " Make it rhyme." : "");
          a = prose(r, kind.answerWords / 2 + r.nextInt(kind.answerWords));
        }
        case VQAV2, OKVQA, GQA -> {
          q = "What color is object " + p + " in image " + i + "?" + SINGLE;
          a = "Red";
        }
        case OCRVQA -> {
          q = (p == 0 ? "Who wrote this book? (" + i + ")" : "Is this book related to travel? (" + p + ")") + SINGLE;
          a = p == 0 ? "John Smith" : "No";
        }
        case AOKVQA -> {
          q = "What is the man holding in picture " + i + "?\nA. umbrella\nB. phone\nC. bat\nD. kite" + LETTER;
          a = "C";
        }
        case TEXTCAPS -> {
          q = "Item " + i + "." + CAPTION;
          a = "A bottle of beer with a label that says 'Brooklyn Lager' on a wooden table.";
        }
        default -> { // REFCOCO, VG: region prompts with normalized boxes, 2 decimals
          double x = r.nextInt(80) / 100.0, y = r.nextInt(80) / 100.0;
          String box = String.format(java.util.Locale.ROOT, "[%.2f, %.2f, %.2f, %.2f]", x, y, x + 0.15, y + 0.12);
          if ((i + p) % 2 == 0) {
            q = "Please provide a short description for this region: " + box + ".";
            a = "man in a blue shirt " + i + "_" + p;
          } else {
            q = "Please provide the bounding box coordinate of the region this sentence describes: dog on the left "
                + i + "_" + p + ".";
            a = box;
          }
        }
      }
      if (p == 0 && kind != Kind.SHAREGPT) q = "<image>\n" + q;
      t.add(new String[] {q, a});
    }
    return t;
  }

  private static void conversations(JsonGenerator g, List<String[]> turns) throws IOException {
    g.writeArrayFieldStart("conversations");
    for (String[] t : turns) {
      g.writeStartObject();
      g.writeStringField("from", "human");
      g.writeStringField("value", t[0]);
      g.writeEndObject();
      g.writeStartObject();
      g.writeStringField("from", "gpt");
      g.writeStringField("value", t[1]);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** A JSON array (or {"field": [...]}) of objects written one at a time. */
  private static final class JsonArrayFile implements AutoCloseable {
    private final JsonGenerator g;
    private final boolean wrapped;

    JsonArrayFile(JsonFactory f, Path file) throws IOException {
      this(f, file, null);
    }

    JsonArrayFile(JsonFactory f, Path file, String field) throws IOException {
      Files.createDirectories(file.getParent());
      g = f.createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
      wrapped = field != null;
      if (wrapped) {
        g.writeStartObject();
        g.writeArrayFieldStart(field);
      } else {
        g.writeStartArray();
      }
    }

    /** Starts the next object; the caller writes its fields and ends it. */
    JsonGenerator next() throws IOException {
      g.writeStartObject();
      return g;
    }

    @Override
    public void close() throws IOException {
      g.writeEndArray();
      if (wrapped) g.writeEndObject();
      g.close();
    }
  }

  /**
   * The baseline: one thread, Jackson streaming, each record parsed once and split with the same SplitRules
   * and checks (image existence from the index), each accepted record written to its dataset file under
   * {@code out} (the authors' layout, exact duplicates left out), as a plain single-threaded splitter would.
   * Counts per dataset, like PrepareSummary.datasets (non-empty).
   */
  static Result baseline(Path datasets, Path out, SplitRules rules, Set<String> index) throws IOException {
    long start = System.nanoTime();
    JsonFactory f = Checks.COMPACT.getFactory();
    Map<String, Path> instruct = new TreeMap<>();
    rules.instruct150k().files().forEach((ds, file) -> instruct.put(ds, datasets.resolve(file)));
    Map<String, String> joins = JoinMap.build(instruct, datasets.resolve(rules.okvqa().questions()), rules.okvqa().matched());
    SplitRules.Source mix = rules.source("mix665k");
    Path root = datasets.resolve(mix.imageRoot()).toAbsolutePath().normalize();
    List<Pattern> regexes = new ArrayList<>();
    for (SplitRules.Rule r : mix.rules()) regexes.add(r.firstHumanRegex() == null ? null : Pattern.compile(r.firstHumanRegex()));
    Map<String, Long> counts = new TreeMap<>();
    Map<String, OutputStream> files = new HashMap<>();
    Map<String, Set<java.nio.ByteBuffer>> seen = new HashMap<>();
    java.io.ByteArrayOutputStream json = new java.io.ByteArrayOutputStream();
    long[] read = new long[2]; // records, removed text-only
    try (JsonParser p = f.createParser(datasets.resolve(mix.file()).toFile());
        JsonGenerator g = f.createGenerator(json)) {
      g.setRootValueSeparator(null);
      if (p.nextToken() != JsonToken.START_ARRAY) throw new IOException(mix.file() + " is not a JSON array");
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        read[0]++;
        try {
          LlavaRecord r = Checks.parse(p, t);
          if (Checks.textOnly(r)) {
            read[1]++;
            continue;
          }
          String firstHuman = Checks.checkTurns(r);
          Path image = Checks.resolve(root, r.image());
          String ds = Checks.classify(rules, mix, regexes, r, firstHuman, joins, true);
          if (ds == null || !index.contains(image.toString())) continue; // a reject: the synthetic data has none
          json.reset();
          Checks.writeJson(r, g);
          g.flush();
          byte[] b = json.toByteArray();
          if (!seen.computeIfAbsent(ds, k -> new HashSet<>()).add(java.nio.ByteBuffer.wrap(b))) continue;
          OutputStream o = files.get(ds);
          if (o == null) {
            Path file = DatasetFile.path(out, ds);
            Files.createDirectories(file.getParent());
            files.put(ds, o = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
            o.write(DatasetShards.OPEN);
          }
          o.write(counts.merge(ds, 1L, Long::sum) == 1 ? DatasetShards.NEW_LINE : DatasetShards.COMMA_NEW_LINE);
          o.write(b);
        } catch (Checks.Rejected ignored) {
          // as above
        }
      }
    } finally {
      for (OutputStream o : files.values()) {
        o.write(DatasetShards.CLOSE);
        o.close();
      }
    }
    double s = (System.nanoTime() - start) / 1e9;
    return new Result("baseline (1 thread, Jackson streaming)", counts, read[1], s, read[0] / s);
  }

  /** PrepareData on one runner (flink: [local], parallelism 2) with the image index in place of images. */
  static Result pipeline(String runner, Path datasets, Path out, Path index, Training training) {
    String before = System.getProperty(IMAGE_INDEX);
    System.setProperty(IMAGE_INDEX, index.toString());
    System.setProperty(FLINK_PARALLELISM, "2");
    try {
      // the index stands in for the file system, which needs no loading: loaded before the clock, as the baseline's
      Classify.IMAGE_INDEX.get(index);
      long start = System.nanoTime();
      PrepareSummary s = PrepareData.run(datasets, out, new PrepareData.Options(runner, "[local]", false, 1, training));
      double sec = (System.nanoTime() - start) / 1e9;
      Map<String, Long> nonEmpty = new TreeMap<>();
      s.datasets().forEach((k, v) -> { if (v > 0) nonEmpty.put(k, v); });
      String name = runner.equals("flink") ? "PrepareData flink [local] parallelism 2" : "PrepareData " + runner;
      return new Result(name, nonEmpty, s.removedTextOnly(), sec, s.read() / sec);
    } finally {
      if (before == null) System.clearProperty(IMAGE_INDEX);
      else System.setProperty(IMAGE_INDEX, before);
      System.clearProperty(FLINK_PARALLELISM);
    }
  }

  /**
   * Generates n records under {@code work}, runs the baseline and each runner, prints records/s and the
   * issue's targets; returns the results, baseline first.
   */
  public static List<Result> run(Path work, int n, List<String> runners, Training training, PrintWriter out)
      throws IOException {
    SplitRules rules = SplitRules.loadDefault();
    Path datasets = work.resolve("datasets");
    Path index = work.resolve("image_index.txt");
    long start = System.nanoTime();
    generate(datasets, index, n, rules, 1);
    out.printf("generated %,d records (%.1f MB mix) in %.1f s under %s%n", n,
        Files.size(datasets.resolve(rules.source("mix665k").file())) / 1e6, (System.nanoTime() - start) / 1e9, work);
    out.flush();
    List<Result> results = new ArrayList<>();
    Set<String> images = imageIndex(index.toString());
    settle();
    results.add(baseline(datasets, work.resolve("out-baseline"), rules, images));
    print(out, results.get(0), null);
    for (String runner : runners) {
      settle();
      Result r = pipeline(runner, datasets, work.resolve("out-" + runner), index, training);
      results.add(r);
      print(out, r, results.get(0));
    }
    double scale = (double) MIX665K / n;
    out.printf("targets (2 cores, %d visible): whole 665k split under %.0f s; Beam >= %.0f%% of the baseline's records/s%n",
        Runtime.getRuntime().availableProcessors(), TARGET_SECONDS, TARGET_SHARE * 100);
    for (Result r : results.subList(1, results.size())) {
      double est = r.seconds() * scale;
      double share = r.recordsPerSecond() / results.get(0).recordsPerSecond();
      out.printf("  %s: %.1f s%s -> %s; %.0f%% of baseline -> %s%n", r.name(), est,
          n == MIX665K ? "" : " (scaled to 665k)", est <= TARGET_SECONDS ? "MET" : "NOT MET",
          share * 100, share >= TARGET_SHARE ? "MET" : "NOT MET");
    }
    out.flush();
    return results;
  }

  /**
   * Before each timed run: writes the dirty pages of what came before to disk and collects the garbage, so
   * that no run pays for the previous one's output (each run writes about 1 GB on this input).
   */
  private static void settle() {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (IOException e) {
      // no sync command: the runs share the page cache as they are
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.gc();
  }

  private static void print(PrintWriter out, Result r, Result baseline) {
    boolean same = baseline == null
        || (r.datasets().equals(baseline.datasets()) && r.removedTextOnly() == baseline.removedTextOnly());
    out.printf("%-42s %8.1f s %,10.0f records/s%s%n", r.name(), r.seconds(), r.recordsPerSecond(),
        baseline == null ? "" : same ? "  counts = baseline" : "  COUNTS DIFFER from baseline");
    if (baseline == null) out.printf("  datasets %s, removed text-only %d%n", r.datasets(), r.removedTextOnly());
    else if (!same) out.printf("  datasets %s, removed text-only %d%n", r.datasets(), r.removedTextOnly());
    out.flush();
  }
}
