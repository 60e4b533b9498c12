package org.mapd.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.mapd.Json;

/**
 * One VL-ICL image-to-text task: {@code <root>/<task>/query.json} and {@code support.json} (method.md §6),
 * and the episodes the evaluation script builds from them (its select_demonstration).
 */
public final class VlIclTask {
  /** Operator induction: support answers hold [a+b, a-b, a*b]; the query's operator picks one. */
  private static final Map<String, Integer> OPERATOR_INDEX = Map.of("+", 0, "-", 1, "x", 2);
  private static final String OPEN_MI = "open_mi";
  /** open_mi support question in the script; "?" is appended to open_mi questions. */
  private static final String OPEN_MI_QUESTION = "This is a";

  private final String name;
  private final List<JsonNode> queries;
  private final List<JsonNode> support;

  /**
   * The query of an episode.
   *
   * @param index position in query.json
   * @param question question as the script puts it in the prompt (open_mi: with "?")
   */
  public record Query(int index, String id, String image, String question, String answer) {}

  public record Episode(Query query, List<Shot> shots) {}

  private VlIclTask(String name, List<JsonNode> queries, List<JsonNode> support) {
    this.name = name;
    this.queries = queries;
    this.support = support;
  }

  public static VlIclTask load(Path root, String task) {
    Path dir = root.resolve(task);
    Path supportFile = dir.resolve("support.json");
    // open_mi keeps every support image inside query.json; its support.json is optional.
    List<JsonNode> support = Files.exists(supportFile) ? records(supportFile) : List.of();
    return new VlIclTask(task, records(dir.resolve("query.json")), support);
  }

  private static List<JsonNode> records(Path file) {
    JsonNode all;
    try {
      all = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("VL-ICL: cannot read " + file + ": " + e.getMessage(), e);
    }
    if (all == null || !all.isArray()) throw new IllegalArgumentException("VL-ICL: " + file + " is not a JSON array");
    List<JsonNode> out = new ArrayList<>();
    all.forEach(out::add);
    return out;
  }

  public String name() {
    return name;
  }

  public int size() {
    return queries.size();
  }

  /**
   * The evaluated queries, in file order: all, or a seeded random subset of {@code limit} (not evenly
   * spaced: files can cycle through kinds of query, e.g. operators, and a stride would alias with that).
   */
  public List<Integer> selectedQueries(int limit, long seed) {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) all.add(i);
    if (limit == 0 || limit >= all.size()) return all;
    List<Integer> picked = sample(all, limit, new Random(mix(seed ^ name.hashCode())));
    Collections.sort(picked);
    return picked;
  }

  public Query query(int index) {
    JsonNode q = queries.get(index);
    String question = OPEN_MI.equals(name) ? text(q, "question", OPEN_MI_QUESTION) + "?" : text(q, "question", null);
    return new Query(index, text(q, "id", String.valueOf(index)), firstImage(q), question, answer(field(q, "answer")));
  }

  /**
   * The episode of one query: {@code shots} support examples drawn with the given random source.
   *
   * @param nWay open_mi classes (the query's class and nWay-1 others), {@code shots} images per class
   */
  public Episode episode(int index, int shots, int nWay, Random rng) {
    Query query = query(index);
    if (shots == 0) return new Episode(query, List.of());
    JsonNode q = queries.get(index);
    List<Shot> out = new ArrayList<>();
    if (OPEN_MI.equals(name)) {
      String own = text(q, "answer", null);
      List<String> others = new ArrayList<>();
      field(q, "classes").forEach(c -> {
        if (!c.asText().equals(own)) others.add(c.asText());
      });
      if (others.size() < nWay - 1) throw bad("query " + index + " has fewer than " + nWay + " classes");
      List<String> classes = new ArrayList<>(sample(others, nWay - 1, rng));
      classes.add(own);
      Collections.shuffle(classes, rng);
      JsonNode perClass = field(q, "support");
      for (int i = 0; i < shots; i++) {
        for (String c : classes) {
          JsonNode images = field(field(perClass, c), "images");
          if (i >= images.size()) throw bad("query " + index + " class '" + c + "' has only " + images.size() + " support images");
          out.add(new Shot(images.get(i).asText(), OPEN_MI_QUESTION + "?", c));
        }
      }
      return new Episode(query, out);
    }
    if (support.size() < shots) throw bad("support.json has " + support.size() + " records, " + shots + " shots asked");
    Integer operator = null;
    if (name.contains("operator_induction")) {
      String op = text(q, "operator", null);
      operator = OPERATOR_INDEX.get(op);
      if (operator == null) throw bad("query " + index + " has operator '" + op + "', expected one of " + OPERATOR_INDEX.keySet());
    }
    for (JsonNode s : sample(support, shots, rng)) {
      JsonNode a = field(s, "answer");
      String answer = answer(operator == null ? a : a.get(operator));
      // The script's loader makes one example per image path (2 for the interleaved tasks).
      for (JsonNode image : images(s)) out.add(new Shot(image.asText(), text(s, "question", null), answer));
    }
    return new Episode(query, out);
  }

  /**
   * The largest shot count this task's data allows, and why: open_mi draws {@code shots} images per class
   * from each query's own support lists (VL-ICL ships 5 per class), the others draw {@code shots} distinct
   * records of support.json.
   */
  public ShotLimit shotLimit(int nWay) {
    if (!OPEN_MI.equals(name)) {
      return new ShotLimit(support.size(), "support.json has " + support.size() + " records");
    }
    int limit = Integer.MAX_VALUE;
    String where = "no query";
    for (int i = 0; i < queries.size(); i++) {
      JsonNode q = queries.get(i);
      if (field(q, "classes").size() < nWay) {
        return new ShotLimit(0, "query " + i + " has fewer than " + nWay + " classes (eval.nWay)");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = field(q, "support").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> c = it.next();
        int n = field(c.getValue(), "images").size();
        if (n < limit) {
          limit = n;
          where = "query " + i + " class '" + c.getKey() + "' has " + n + " support images";
        }
      }
    }
    return new ShotLimit(limit == Integer.MAX_VALUE ? 0 : limit, where);
  }

  /** @param reason where the limit comes from in the task's files */
  public record ShotLimit(int shots, String reason) {}

  /** Python's random.sample: k distinct elements in random order. */
  static <T> List<T> sample(List<T> from, int k, Random rng) {
    List<T> pool = new ArrayList<>(from);
    for (int i = 0; i < k; i++) Collections.swap(pool, i, i + rng.nextInt(pool.size() - i));
    return new ArrayList<>(pool.subList(0, k));
  }

  /** Random source of one episode; the same for ICL and FT so both modes see the same support. */
  public static Random episodeRandom(long seed, String task, int shots, int queryIndex) {
    long h = seed;
    h = mix(h ^ task.hashCode());
    h = mix(h ^ shots);
    h = mix(h ^ queryIndex);
    return new Random(h);
  }

  /** SplitMix64 finaliser: nearby inputs give unrelated seeds. */
  private static long mix(long z) {
    z = (z + 0x9E3779B97F4A7C15L) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** str(answer) in Python: ints print without a decimal point, strings as they are. */
  private String answer(JsonNode a) {
    if (a == null || a.isNull() || a.isContainerNode()) throw bad("answer is missing or not a scalar: " + a);
    return a.asText();
  }

  private String firstImage(JsonNode record) {
    JsonNode images = images(record);
    if (images.isEmpty()) throw bad("record without image: " + record);
    return images.get(0).asText();
  }

  private JsonNode images(JsonNode record) {
    JsonNode image = field(record, "image");
    if (image.isTextual()) return Json.MAPPER.createArrayNode().add(image);
    return image;
  }

  private String text(JsonNode record, String key, String fallback) {
    JsonNode v = record.get(key);
    if (v == null || v.isNull()) {
      if (fallback != null) return fallback;
      throw bad("record without '" + key + "': " + record);
    }
    return v.asText();
  }

  private JsonNode field(JsonNode record, String key) {
    JsonNode v = record == null ? null : record.get(key);
    if (v == null || v.isNull()) throw bad("record without '" + key + "'");
    return v;
  }

  private IllegalArgumentException bad(String message) {
    return new IllegalArgumentException("VL-ICL " + name + ": " + message);
  }
}
