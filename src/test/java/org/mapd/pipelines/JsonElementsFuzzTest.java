package org.mapd.pipelines;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Path;
import org.mapd.FuzzInput;
import org.mapd.Json;

/**
 * The JSON element scanner that splits a downloaded LLaVA JSON array into records without parsing it whole:
 * on any bytes it returns element ranges in order inside the file, and on a well-formed array of objects it
 * finds exactly its elements, none damaged.
 */
public class JsonElementsFuzzTest {
  /** The oracle: a whole file is one array only if nothing follows it (Jackson stops after the first value). */
  private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @FuzzTest(maxDuration = "5s")
  @DictionaryEntries({"\"id\"", "\"image\"", "\"conversations\"", "\"from\"", "\"value\"", "\"human\"", "\"gpt\"",
      "\\\"", "\\u00e9", "<image>\\n"})
  void scansInOrderAndAgreesWithAParser(byte[] bytes) {
    fuzzerTestOneInput(bytes);
  }

  public static void fuzzerTestOneInput(byte[] bytes) {
    Path file = FuzzInput.file("llava.json", bytes);
    ReadJsonArray.Elements e = ReadJsonArray.scan(file);
    long previousEnd = 0;
    for (int i = 0; i < e.size(); i++) {
      long start = e.starts()[i];
      long end = e.ends()[i];
      if (start < previousEnd || end < start || end > bytes.length) {
        throw new AssertionError("element " + i + " is [" + start + ", " + end + ") after " + previousEnd
            + " in " + bytes.length + " bytes");
      }
      previousEnd = end;
    }
    JsonNode whole;
    try {
      whole = STRICT.readTree(bytes);
    } catch (IOException notJson) {
      return;
    }
    if (whole == null || !whole.isArray()) return;
    for (JsonNode element : whole) if (!element.isObject()) return;
    if (e.size() != whole.size() || !e.damaged().isEmpty()) {
      throw new AssertionError("a well-formed array of " + whole.size() + " objects scanned as " + e.size()
          + " elements, damaged " + e.damaged() + ", notes " + e.notes());
    }
  }
}
