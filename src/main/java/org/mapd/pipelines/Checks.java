package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.images.BadImageException;
import org.mapd.images.ImageDecoder;
import org.mapd.images.ImageHeader;

/** The per-record checks of the preparation, as plain functions (its DoFn calls them; tests and the bench too). */
public final class Checks {
  private Checks() {}

  /** One compact line per record in outputs (Json.MAPPER indents). */
  public static final ObjectMapper COMPACT = new ObjectMapper();

  static final String IMAGE = "<image>";
  private static final Pattern TRAILING_DIGITS = Pattern.compile("(\\d+)\\.[A-Za-z]+$");

  /** Reject reasons, as written to rejects.jsonl and summary.json. */
  public enum Reason {
    MALFORMED_JSON, NO_HUMAN_OR_GPT_TURN, TURNS_OUT_OF_ORDER, IMAGE_TOKEN_WITHOUT_IMAGE,
    IMAGE_WITHOUT_IMAGE_TOKEN, PATH_ESCAPES_ROOT, UNKNOWN_DATASET, IMAGE_MISSING, IMAGE_UNDECODABLE, DUPLICATE;

    String key() { return name().toLowerCase(java.util.Locale.ROOT); }
  }

  /** A record that failed a check. */
  public static final class Rejected extends Exception {
    final Reason reason;

    public Rejected(Reason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
    }
  }

  /** Parses one element into a tree (for the rejects file); trailing content after the value is a fault too. */
  private static final ObjectReader STRICT = COMPACT.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The element's JSON tree; every syntax fault is MALFORMED_JSON with Jackson's message. */
  static JsonNode tree(byte[] buf, int off, int len) throws Rejected {
    try {
      return STRICT.readTree(buf, off, len);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  private static Rejected malformed(IOException e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return new Rejected(Reason.MALFORMED_JSON, m == null ? "not JSON" : m);
  }

  /**
   * Parses one element straight into the compact record, without a tree: the per-record cost of the whole
   * preparation. Content after the object is a fault too.
   *
   * @param spans null, or where to note the plain turn values of this record in {@code buf} (see {@link Spans})
   */
  static LlavaRecord parse(byte[] buf, int off, int len, Spans spans) throws Rejected {
    try (JsonParser p = COMPACT.getFactory().createParser(buf, off, len)) {
      LlavaRecord r = parse(p, p.nextToken(), spans, off);
      JsonToken after = p.nextToken();
      if (after != null) throw new Rejected(Reason.MALFORMED_JSON, "trailing token " + after + " after the record");
      return r;
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /**
   * Reads one record from a parser standing on its first token, up to its END_OBJECT. Same reading as a
   * tree: unknown fields are skipped, a repeated field counts by its last value.
   */
  public static LlavaRecord parse(JsonParser p, JsonToken first) throws Rejected, IOException {
    return parse(p, first, null, 0);
  }

  /** As {@link #parse(JsonParser, JsonToken)}, noting plain turn values in {@code spans} (input from {@code off}). */
  private static LlavaRecord parse(JsonParser p, JsonToken first, Spans spans, int off) throws Rejected, IOException {
    if (first != JsonToken.START_OBJECT) {
      p.skipChildren();
      throw new Rejected(Reason.MALFORMED_JSON, "not an object");
    }
    String id = null, image = null, model = null, fault = null, idFault = null, imageFault = null;
    List<Turn> turns = null;
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      switch (field) {
        case "conversations" -> {
          turns = t == JsonToken.START_ARRAY ? turns(p, spans, off) : null;
          if (t != JsonToken.START_ARRAY) p.skipChildren();
          fault = turns == null ? (t == JsonToken.START_ARRAY ? "a turn lacks from/value strings" : "conversations is not a list")
              : null;
        }
        case "image" -> {
          image = t == JsonToken.VALUE_STRING ? p.getText() : null;
          imageFault = t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NULL ? null : "image is not a string";
          p.skipChildren();
        }
        case "id" -> {
          id = t.isScalarValue() && t != JsonToken.VALUE_NULL ? scalarText(p, t) : null;
          idFault = t.isStructStart() ? "id is not a value" : null;
          p.skipChildren();
        }
        case "model" -> {
          model = t.isScalarValue() && t != JsonToken.VALUE_NULL ? scalarText(p, t) : t.isStructStart() ? "" : null;
          p.skipChildren();
        }
        default -> p.skipChildren();
      }
    }
    if (fault == null && turns == null) fault = "conversations is not a list";
    if (fault != null) throw new Rejected(Reason.MALFORMED_JSON, fault);
    if (imageFault != null) throw new Rejected(Reason.MALFORMED_JSON, imageFault);
    if (idFault != null) throw new Rejected(Reason.MALFORMED_JSON, idFault);
    return new LlavaRecord(id, image, turns, model);
  }

  /** The turns of a conversations array (parser on its START_ARRAY, left on its END_ARRAY); null when one is bad. */
  private static List<Turn> turns(JsonParser p, Spans spans, int off) throws IOException {
    List<Turn> turns = new ArrayList<>();
    boolean bad = false;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        bad = true;
        continue;
      }
      String from = null, value = null;
      int plainFrom = -1, plainTo = -1;
      for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        String text = v == JsonToken.VALUE_STRING ? p.getText() : null;
        if (field.equals("from")) {
          from = text;
        } else if (field.equals("value")) {
          value = text;
          plainFrom = -1;
          if (spans != null && text != null) { // the token is read: the parser stands after its closing quote
            int start = off + (int) p.currentTokenLocation().getByteOffset() + 1;
            int end = off + (int) p.currentLocation().getByteOffset() - 1;
            // a byte per character: no escape, nothing beyond ASCII, so Jackson would write these very bytes
            if (end - start == text.length()) {
              plainFrom = start;
              plainTo = end;
            }
          }
        }
        p.skipChildren();
      }
      if (from == null || value == null) {
        bad = true;
      } else {
        if (spans != null) spans.note(turns.size(), plainFrom, plainTo);
        turns.add(new Turn(from, value));
      }
    }
    return bad ? null : turns;
  }

  /**
   * Where the plain turn values of the last record parsed from a byte array lie in it. A plain value is printable
   * ASCII without escapes: Jackson writes its string back as exactly these bytes, so {@link #writeJson} copies them
   * instead of encoding the string again. Most LLaVA text is plain; other values are encoded by Jackson.
   */
  static final class Spans {
    private final byte[] input;
    /** Turn i's plain text is input[from[i], to[i]), between its quotes; from[i] = -1 when it is not plain. */
    private int[] from = new int[16], to = new int[16];

    Spans(byte[] input) {
      this.input = input;
    }

    private void note(int turn, int start, int end) {
      if (turn == from.length) {
        from = java.util.Arrays.copyOf(from, 2 * turn);
        to = java.util.Arrays.copyOf(to, 2 * turn);
      }
      from[turn] = start;
      to[turn] = end;
    }
  }

  /** A scalar as a tree's asText() gives it (numbers in their canonical form). */
  private static String scalarText(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NUMBER_INT -> p.getNumberValue().toString();
      case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
      default -> p.getText();
    };
  }

  /** ShareGPT-style: neither an image nor an image token. */
  public static boolean textOnly(LlavaRecord r) {
    return r.image() == null && r.conversations().stream().noneMatch(t -> t.value().contains(IMAGE));
  }

  /** Turn structure and image token consistency; returns the first human turn's text. */
  public static String checkTurns(LlavaRecord r) throws Rejected {
    List<Turn> t = r.conversations();
    boolean human = t.stream().anyMatch(x -> Turn.HUMAN.equals(x.from()));
    boolean gpt = t.stream().anyMatch(x -> Turn.GPT.equals(x.from()));
    if (!human || !gpt) throw new Rejected(Reason.NO_HUMAN_OR_GPT_TURN, "needs a human and a gpt turn");
    if (t.size() % 2 != 0) throw new Rejected(Reason.TURNS_OUT_OF_ORDER, "odd number of turns");
    for (int i = 0; i < t.size(); i++) {
      if (!(i % 2 == 0 ? Turn.HUMAN : Turn.GPT).equals(t.get(i).from())) {
        throw new Rejected(Reason.TURNS_OUT_OF_ORDER, "turn " + i + " is " + t.get(i).from());
      }
    }
    boolean token = t.stream().anyMatch(x -> x.value().contains(IMAGE));
    if (token && r.image() == null) throw new Rejected(Reason.IMAGE_TOKEN_WITHOUT_IMAGE, "no image");
    if (!token && r.image() != null) throw new Rejected(Reason.IMAGE_WITHOUT_IMAGE_TOKEN, "no <image>");
    return t.get(0).value();
  }

  /** Resolves an image path under its root, refusing absolute paths and ".." that leave the root. */
  public static Path resolve(Path root, String image) throws Rejected {
    Path rel;
    try {
      rel = Path.of(image);
    } catch (java.nio.file.InvalidPathException e) {
      throw new Rejected(Reason.PATH_ESCAPES_ROOT, "not a path: " + image);
    }
    Path p = root.resolve(rel).normalize();
    if (rel.isAbsolute() || !p.startsWith(root)) throw new Rejected(Reason.PATH_ESCAPES_ROOT, image);
    return p;
  }

  /**
   * The image check. Default: the structure check ({@link ImageHeader#read}), which reads the file once and refuses
   * what PIL or our decoder would refuse (not PNG/JPEG by content, truncated, damaged headers or chunks, formats
   * neither decodes, above PIL's pixel limit) without decoding pixels. {@code full}: decodes the image exactly as
   * training will (ImageDecoder), which also proves the compressed data. The detail names the file and the reason.
   */
  public static void checkImage(Path p, boolean full) throws Rejected {
    try {
      if (full) ImageDecoder.decode(p);
      else ImageHeader.read(p);
    } catch (BadImageException e) {
      throw new Rejected(e.missing() ? Reason.IMAGE_MISSING : Reason.IMAGE_UNDECODABLE, e.getMessage());
    }
  }

  /** First human text without the image token, trimmed: the Instruct-150K join key's text part. */
  static String question(String firstHuman) {
    return firstHuman.replace(IMAGE, "").trim();
  }

  static String instructKey(String id, String firstHuman) {
    return "instruct\u0001" + id + "\u0001" + question(firstHuman);
  }

  /** COCO image id from a file name such as 000000033471.jpg or COCO_train2014_000000033471.jpg. */
  static String okvqaKey(String image, String firstHuman) {
    Matcher m = TRAILING_DIGITS.matcher(image);
    if (!m.find()) return null;
    String q = question(firstHuman);
    int nl = q.indexOf('\n');
    if (nl >= 0) q = q.substring(0, nl).trim();
    return okvqaKey(Long.parseLong(m.group(1)), q);
  }

  static String okvqaKey(long imageId, String question) {
    return "okvqa\u0001" + imageId + "\u0001" + question.trim();
  }

  /**
   * The dataset of a record by the source's rules (first match wins), or null for none.
   *
   * @param joins instruct150k and OK-VQA keys to dataset name
   * @param okvqaKnown whether the OK-VQA question file was supplied
   */
  public static String classify(SplitRules rules, SplitRules.Source source, List<Pattern> regexes, LlavaRecord r,
      String firstHuman, Map<String, String> joins, boolean okvqaKnown) {
    for (int i = 0; i < source.rules().size(); i++) {
      SplitRules.Rule rule = source.rules().get(i);
      if (!rule.matches(r.image(), firstHuman, regexes.get(i))) continue;
      if (rule.join() == null) return rule.dataset();
      if (rule.join().equals("instruct150k")) {
        String ds = joins.get(instructKey(r.id(), firstHuman));
        if (ds != null) return ds;
      } else if (rule.join().equals("okvqa")) {
        if (!okvqaKnown) return rules.okvqa().combined();
        String key = okvqaKey(r.image(), firstHuman);
        return key != null && joins.containsKey(key) ? rules.okvqa().matched() : rules.okvqa().unmatched();
      } else {
        throw new IllegalArgumentException("unknown join " + rule.join());
      }
    }
    return null;
  }

  /** The compact JSON of an accepted record, as the authors' files have it: id, image, conversations. */
  public static void writeJson(LlavaRecord r, JsonGenerator g) throws IOException {
    writeJson(r, null, g);
  }

  /** As {@link #writeJson(LlavaRecord, JsonGenerator)}, copying the plain turn values noted in {@code spans}. */
  static void writeJson(LlavaRecord r, Spans spans, JsonGenerator g) throws IOException {
    g.writeStartObject();
    if (r.id() != null) g.writeStringField("id", r.id());
    if (r.image() != null) g.writeStringField("image", r.image());
    g.writeArrayFieldStart("conversations");
    for (int i = 0; i < r.conversations().size(); i++) {
      Turn t = r.conversations().get(i);
      g.writeStartObject();
      g.writeStringField("from", t.from());
      g.writeFieldName("value");
      if (spans != null && spans.from[i] >= 0) g.writeRawUTF8String(spans.input, spans.from[i], spans.to[i] - spans.from[i]);
      else g.writeString(t.value());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** Longest text of a broken element kept in rejects.jsonl. */
  static final int SNIPPET_CHARS = 500;

  /** One line of rejects.jsonl for a record that parsed: it is embedded as JSON. */
  static String rejectLine(String source, long index, String id, Reason reason, String detail, JsonNode record) {
    ObjectNode o = rejectHead(source, index, id, reason, detail);
    o.set("record", record);
    return o.toString();
  }

  /** One line of rejects.jsonl for an element that is not JSON: its first characters and its length. */
  static String rejectLine(String source, long index, Reason reason, String detail, byte[] buf, int off, int len) {
    ObjectNode o = rejectHead(source, index, null, reason, detail);
    String text = new String(buf, off, Math.min(len, 4 * SNIPPET_CHARS), StandardCharsets.UTF_8);
    boolean cut = text.length() > SNIPPET_CHARS || len > 4 * SNIPPET_CHARS;
    o.put("record", cut ? text.substring(0, Math.min(text.length(), SNIPPET_CHARS)) + "…" : text);
    o.put("bytes", len);
    return o.toString();
  }

  private static ObjectNode rejectHead(String source, long index, String id, Reason reason, String detail) {
    ObjectNode o = COMPACT.createObjectNode();
    o.put("source", source);
    o.put("index", index);
    o.put("id", id);
    o.put("reason", reason.key());
    if (detail != null) o.put("detail", detail.length() > SNIPPET_CHARS ? detail.substring(0, SNIPPET_CHARS) + "…" : detail);
    return o;
  }
}
