package org.mapd.data;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A synthetic llava_v1_5_mix665k.json in the real proportions, prompt shapes and text lengths (method.md §7),
 * with the side files the preparation needs to split it: the three LLaVA-Instruct-150K files (their records
 * name the mix's conv/detail/complex records by id and first question) and the OK-VQA question file (it tells
 * okvqa from vqav2 by image id and first question). Records are written one at a time and the kind of each
 * is drawn by sequential sampling without replacement, so the counts are exact, the order is a uniform
 * shuffle and memory does not grow with the record count. Used by {@code mapd bench data} (unique image
 * paths, no image files) and by {@link PaperScaleData} (a few image files shared by many records).
 *
 * <p>Text lengths, in words (a word is about 1.3 Qwen tokens). Per image, the real mix merges the QA pairs of
 * one image into one multi-turn record. Sources: VQAv2 443,757 train questions on 82,783 images (5.4 per
 * image), questions 6.2 words and answers 1.1 words on average (VQA paper, Antol et al. 2015); GQA balanced
 * train 943k questions on 72,140 images (13 per image; Hudson and Manning 2019); OK-VQA 9,009 train
 * questions, 8.1 words on average (Marino et al. 2019); OCR-VQA 1,002,146 templated questions on 207,572
 * book covers (4.8 per image; Mishra et al. 2019); TextCaps captions about 12 words (Sidorov et al. 2020);
 * RefCOCO expressions 3.6 words (Yu et al. 2016); Visual Genome region descriptions about 5 words (Krishna et
 * al. 2017); LLaVA-Instruct-150K answers sized from its file sizes (conversation_58k.json 126 MB for 56,681
 * records, detail_23k.json 20.5 MB for 23,240, complex_reasoning_77k.json 79.6 MB; LLaVA docs/Data.md; those
 * files are indented, these compact: 102, 18 and 71 MB at full size). These averages are as recalled from the
 * papers, not re-measured on the files. Not known and estimated: pairs per record for RefCOCO (1 to 7) and
 * VG (5 to 15; the mix has more records than these datasets have images, so not one record per image),
 * conversation turns (1 to 5), ShareGPT lengths, GQA and A-OKVQA question lengths. The whole mix is 940 MB
 * compact; the real, indented file is about 1 GB.
 */
public final class Mix665k {
  private Mix665k() {}

  /** mix665k's real size. */
  public static final int RECORDS = 665_298;
  /** Record ids are this plus the record's index, formatted as its folder's file stems. */
  public static final long ID_BASE = 100_000;

  private static final String SINGLE = SynthData.VQA_PROMPT;
  private static final String LETTER = SynthData.MC_PROMPT;
  private static final String CAPTION = SynthData.CAPTION_PROMPT;
  private static final String REGION_DESCRIPTION = "Please provide a short description for this region: ";
  private static final String REGION_BOX = "Please provide the bounding box coordinate of the region this sentence describes: ";
  /** The detailed-description instructions of LLaVA-Instruct (a few of its list). */
  private static final String[] DETAIL_PROMPTS = {
    "Describe the following image in detail.", "Provide a detailed description of the given image.",
    "Give an elaborate explanation of the image you see.", "Share a comprehensive rundown of the presented image.",
    "Offer a thorough analysis of the image.", "Explain the various aspects of the image before you.",
    "Walk through the important details of the image.", "Write an exhaustive depiction of the given image."};
  private static final String[] GENRES = {"Travel", "Cookbooks, Food & Wine", "Children's Books", "Humor & Entertainment",
    "Science & Math", "History", "Literature & Fiction", "Religion & Spirituality", "Business & Money", "Health, Fitness & Dieting"};

  /** The image folders of the mix under LLaVA-Instruct/images, and how each names its files. */
  public enum Folder {
    COCO("coco/train2017/"), GQA("gqa/images/"), OCR_VQA("ocr_vqa/images/"), TEXTCAPS("textvqa/train_images/"),
    VG_100K("vg/VG_100K/"), VG_100K_2("vg/VG_100K_2/");

    /** Relative folder, ending with "/". */
    public final String path;

    Folder(String path) {
      this.path = path;
    }

    /** The stem of image number {@code id}: 000000033471, 2354786, 1442445262, 0a0bc91825468c45. */
    public String stem(long id) {
      return switch (this) {
        case COCO -> String.format(Locale.ROOT, "%012d", id);
        case OCR_VQA -> String.format(Locale.ROOT, "%010d", id);
        case TEXTCAPS -> String.format(Locale.ROOT, "%016x", id * 0x9E3779B97F4A7C15L);
        default -> Long.toString(id);
      };
    }

    public String file(long id) {
      return stem(id) + ".jpg";
    }
  }

  /**
   * Kinds of records with their exact counts in mix665k (LLaVA issues #702 and #657; the conv/detail/complex
   * split of LLaVA-Instruct's 157,712 as the bench has always used it), the (human, gpt) pairs per record and
   * the image folder.
   */
  public enum Kind {
    CONV(56_681, 1, 5, Folder.COCO), DETAIL(23_240, 1, 1, Folder.COCO), COMPLEX(77_791, 1, 1, Folder.COCO),
    SHAREGPT(40_688, 1, 6, null), VQAV2(82_783, 3, 8, Folder.COCO), GQA(72_140, 5, 21, Folder.GQA),
    OKVQA(8_998, 1, 1, Folder.COCO), OCRVQA(80_000, 1, 9, Folder.OCR_VQA), AOKVQA(66_160, 1, 1, Folder.COCO),
    TEXTCAPS(21_953, 1, 1, Folder.TEXTCAPS), REFCOCO(48_447, 1, 7, Folder.COCO), VG(86_417, 5, 15, Folder.VG_100K);

    public final int count;
    final int minPairs, maxPairs;
    private final Folder folder;

    Kind(int count, int minPairs, int maxPairs, Folder folder) {
      this.count = count;
      this.minPairs = minPairs;
      this.maxPairs = maxPairs;
      this.folder = folder;
    }

    /** The image folder of record {@code index} (VG alternates between its two folders), null for ShareGPT. */
    public Folder folder(long index) {
      return this == VG && index % 2 == 1 ? Folder.VG_100K_2 : folder;
    }
  }

  /** Where the mix and its side files go. */
  public record Files(Path mix, Path conversation58k, Path detail23k, Path complexReasoning77k, Path okvqaQuestions) {}

  /**
   * The image of each record, as a path under the mix's image root ("coco/train2017/000000033471.jpg"); its
   * file name must end with the COCO image id for OK-VQA records, as in the real data. OK-VQA records must
   * not share images with VQAv2 records, or a VQAv2 question could equal an OK-VQA question of its image and
   * be split as okvqa.
   */
  public interface Images {
    String image(Kind kind, long index);
  }

  /** Per-kind record counts for n records, in mix665k's proportions (remainders to the largest kinds). */
  public static Map<Kind, Integer> counts(int n) {
    Map<Kind, Integer> c = new LinkedHashMap<>();
    int left = n;
    for (Kind k : Kind.values()) {
      int v = (int) ((long) k.count * n / RECORDS);
      c.put(k, v);
      left -= v;
    }
    List<Kind> bySize = new ArrayList<>(List.of(Kind.values()));
    bySize.sort((a, b) -> b.count - a.count);
    for (int i = 0; left > 0; i++, left--) c.merge(bySize.get(i % bySize.size()), 1, Integer::sum);
    return c;
  }

  /**
   * Writes {@code n} mix records (kinds as {@link #counts}) and the side files; returns the records written
   * per file.
   */
  public static Map<Path, Long> write(Files files, int n, Images images, long seed) {
    Map<Kind, Integer> counts = counts(n);
    int[] left = new int[Kind.values().length];
    for (Kind k : Kind.values()) left[k.ordinal()] = counts.get(k);
    Random r = new Random(seed);
    Map<Path, Long> written = new LinkedHashMap<>();
    try (JsonArrayWriter mix = new JsonArrayWriter(files.mix());
        JsonArrayWriter conv = new JsonArrayWriter(files.conversation58k());
        JsonArrayWriter detail = new JsonArrayWriter(files.detail23k());
        JsonArrayWriter complex = new JsonArrayWriter(files.complexReasoning77k());
        JsonArrayWriter okvqa = new JsonArrayWriter(files.okvqaQuestions(), "questions")) {
      for (int i = 0; i < n; i++) {
        Kind kind = draw(r, left, n - i);
        String image = kind == Kind.SHAREGPT ? null : images.image(kind, i);
        String id = kind == Kind.SHAREGPT ? "sg" + Integer.toString(i, 36) : kind.folder(i).stem(ID_BASE + i);
        List<String[]> turns = turns(kind, r);
        JsonGenerator g = mix.next();
        g.writeStringField("id", id);
        if (image != null) g.writeStringField("image", image);
        if (kind == Kind.SHAREGPT) g.writeStringField("model", "");
        conversations(g, turns);
        g.writeEndObject();
        JsonArrayWriter instruct = kind == Kind.CONV ? conv : kind == Kind.DETAIL ? detail : kind == Kind.COMPLEX ? complex : null;
        if (instruct != null) {
          // the 150K files name the image by file name and put the token after the question as often as before
          // it, where the mix always puts it first: the join must not care
          JsonGenerator t = instruct.next();
          t.writeStringField("id", id);
          t.writeStringField("image", image.substring(image.lastIndexOf('/') + 1));
          List<String[]> own = new ArrayList<>(turns);
          String q = turns.get(0)[0].substring("<image>\n".length());
          own.set(0, new String[] {r.nextBoolean() ? q + "\n<image>" : "<image>\n" + q, turns.get(0)[1]});
          conversations(t, own);
          t.writeEndObject();
        }
        if (kind == Kind.OKVQA) {
          String first = turns.get(0)[0];
          JsonGenerator q = okvqa.next();
          q.writeNumberField("image_id", imageId(image));
          q.writeStringField("question", first.substring("<image>\n".length(), first.indexOf('\n', "<image>\n".length())));
          q.writeNumberField("question_id", 10 * (ID_BASE + i));
          q.writeEndObject();
        }
      }
      written.put(files.mix(), mix.count());
      written.put(files.conversation58k(), conv.count());
      written.put(files.detail23k(), detail.count());
      written.put(files.complexReasoning77k(), complex.count());
      written.put(files.okvqaQuestions(), okvqa.count());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the mix under " + files.mix().getParent(), e);
    }
    return written;
  }

  /** The kind of the next record: one of the remaining, with probability proportional to how many remain. */
  private static Kind draw(Random r, int[] left, int remaining) {
    int x = r.nextInt(remaining);
    for (Kind k : Kind.values()) {
      x -= left[k.ordinal()];
      if (x < 0) {
        left[k.ordinal()]--;
        return k;
      }
    }
    throw new IllegalStateException("counts do not add up to the records left");
  }

  /** The COCO image id in a file name such as 000000033471.jpg. */
  private static long imageId(String image) {
    String f = image.substring(image.lastIndexOf('/') + 1);
    return Long.parseLong(f.substring(0, f.lastIndexOf('.')).replaceAll("\\D", ""));
  }

  /** (human, gpt) pairs in the real prompt shapes and lengths; the first human turn carries the image token. */
  static List<String[]> turns(Kind kind, Random r) {
    int pairs = Prose.between(r, kind.minPairs, kind.maxPairs);
    List<String[]> t = new ArrayList<>(pairs);
    for (int p = 0; p < pairs; p++) {
      String q, a;
      switch (kind) {
        case CONV -> {
          q = Prose.question(r, Prose.between(r, 5, 15));
          a = Prose.text(r, Prose.between(r, 30, 140));
        }
        case DETAIL -> {
          q = DETAIL_PROMPTS[r.nextInt(DETAIL_PROMPTS.length)];
          a = Prose.text(r, Prose.between(r, 60, 160));
        }
        case COMPLEX -> {
          q = Prose.question(r, Prose.between(r, 8, 20));
          a = Prose.text(r, Prose.between(r, 70, 190));
        }
        case SHAREGPT -> {
          q = Prose.text(r, Prose.between(r, 10, 80));
          a = Prose.text(r, Prose.between(r, 80, 400));
        }
        case VQAV2 -> {
          q = Prose.question(r, Prose.between(r, 4, 9)) + "\n" + SINGLE;
          a = Prose.shortAnswer(r, 2);
        }
        case GQA -> {
          q = Prose.question(r, Prose.between(r, 5, 13)) + "\n" + SINGLE;
          a = Prose.shortAnswer(r, 1);
        }
        case OKVQA -> {
          q = Prose.question(r, Prose.between(r, 5, 11)) + "\n" + SINGLE;
          a = Prose.shortAnswer(r, 2);
        }
        case OCRVQA -> {
          String[] qa = bookQuestion(r);
          q = qa[0] + "\n" + SINGLE;
          a = qa[1];
        }
        case AOKVQA -> {
          q = Prose.question(r, Prose.between(r, 6, 12)) + "\nA. " + Prose.words(r, Prose.between(r, 1, 3))
              + "\nB. " + Prose.words(r, Prose.between(r, 1, 3)) + "\nC. " + Prose.words(r, Prose.between(r, 1, 3))
              + "\nD. " + Prose.words(r, Prose.between(r, 1, 3)) + "\n" + LETTER;
          a = "" + (char) ('A' + r.nextInt(4));
        }
        case TEXTCAPS -> {
          q = CAPTION;
          a = Prose.sentence(r, Prose.between(r, 8, 16));
        }
        default -> { // REFCOCO, VG: region prompts with normalized boxes, 2 decimals
          String phrase = kind == Kind.REFCOCO ? Prose.words(r, Prose.between(r, 2, 5)) : Prose.words(r, Prose.between(r, 3, 7));
          String box = box(r);
          if (r.nextBoolean()) {
            q = REGION_DESCRIPTION + box + ".";
            a = phrase;
          } else {
            q = REGION_BOX + phrase + ".";
            a = box;
          }
        }
      }
      if (p == 0 && kind != Kind.SHAREGPT) q = "<image>\n" + q;
      t.add(new String[] {q, a});
    }
    return t;
  }

  /** A normalized box [x1, y1, x2, y2] with two decimals, as LLaVA-1.5 writes them. */
  private static String box(Random r) {
    double x = r.nextInt(80) / 100.0, y = r.nextInt(80) / 100.0;
    double x2 = x + (1 + r.nextInt(20)) / 100.0, y2 = y + (1 + r.nextInt(20)) / 100.0;
    return String.format(Locale.ROOT, "[%.2f, %.2f, %.2f, %.2f]", x, y, x2, y2);
  }

  /** One of OCR-VQA's question templates and an answer of its kind. */
  private static String[] bookQuestion(Random r) {
    String genre = GENRES[r.nextInt(GENRES.length)];
    return switch (r.nextInt(6)) {
      case 0 -> new String[] {"Who wrote this book?", Prose.titleCase(r, Prose.between(r, 2, 3))};
      case 1 -> new String[] {"What is the title of this book?", Prose.titleCase(r, Prose.between(r, 2, 10))};
      case 2 -> new String[] {"What type of book is this?", genre};
      case 3 -> new String[] {"Is this a " + genre.toLowerCase(Locale.ROOT) + " book?", r.nextBoolean() ? "Yes" : "No"};
      case 4 -> new String[] {"Is this book related to " + genre + "?", r.nextBoolean() ? "Yes" : "No"};
      default -> new String[] {"What is the genre of this book?", genre};
    };
  }

  static void conversations(JsonGenerator g, List<String[]> turns) throws IOException {
    g.writeArrayFieldStart("conversations");
    for (String[] t : turns) {
      g.writeStartObject();
      g.writeStringField("from", Turn.HUMAN);
      g.writeStringField("value", t[0]);
      g.writeEndObject();
      g.writeStartObject();
      g.writeStringField("from", Turn.GPT);
      g.writeStringField("value", t[1]);
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
