package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapd.data.LlavaRecord;

/**
 * Parsing a record in place (plain turn values decoded by a byte copy and written back as their input bytes) reads
 * and writes exactly what Jackson alone reads and writes, whatever the strings hold.
 */
class ChecksTest {
  static final List<String> VALUES = List.of(
      "plain words", "", "line\\nbreak, tab\\t, quote \\\" and backslash \\\\, \\b\\f\\r", "a slash \\/ escaped",
      "\\u00e9 escaped", "\\u0001 a control escape", "raw \u00e9 and \ud83d\ude00", "del \u007f", "<image>\\nWhat is it?");

  static String json(LlavaRecord r, Checks.Spans spans) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (JsonGenerator g = Checks.COMPACT.getFactory().createGenerator(b)) {
      Checks.writeJson(r, spans, g);
    }
    return b.toString(StandardCharsets.UTF_8);
  }

  @Test
  void inPlaceReadsAndWritesAsJackson() throws Exception {
    for (String v : VALUES) {
      String element = "{\"id\":\"x\",\"image\":\"a.png\",\"conversations\":[{\"from\":\"human\",\"value\":\"" + v
          + "\"},{\"value\":1,\"from\":\"gpt\",\"value\":\"" + v + "\"}]}";
      byte[] buf = ("  ," + element + ",  ").getBytes(StandardCharsets.UTF_8);
      int off = 3, len = element.getBytes(StandardCharsets.UTF_8).length;
      LlavaRecord plain = Checks.parse(buf, off, len, null);
      Checks.Spans spans = new Checks.Spans(buf);
      LlavaRecord inPlace = Checks.parse(buf, off, len, spans);
      assertEquals(plain, inPlace, v);
      assertEquals(json(plain, null), json(inPlace, spans), v);
    }
  }

  @Test
  void brokenStringsStayMalformed() {
    for (String element : List.of(
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"never closed}]}",
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"bad \\x escape\"}]}",
        "{\"conversations\":[{\"from\":\"human\",\"value\":\"raw \u0001 control\"}]}")) {
      byte[] buf = (element + ",{\"x\":\"\"}").getBytes(StandardCharsets.UTF_8);
      int len = element.getBytes(StandardCharsets.UTF_8).length;
      Checks.Rejected r = assertThrows(Checks.Rejected.class, () -> Checks.parse(buf, 0, len, new Checks.Spans(buf)));
      assertEquals(Checks.Reason.MALFORMED_JSON, r.reason, element);
    }
  }
}
