package org.mapd.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads HuggingFace config.json files, which carry many fields we do not use (so unknown fields are fine here). */
final class HfConfig {
  static final ObjectMapper LENIENT =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private HfConfig() {}

  static JsonNode read(Path modelDir) {
    Path file = Files.isDirectory(modelDir) ? modelDir.resolve("config.json") : modelDir;
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": config.json not found");
    try {
      return LENIENT.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  static int intField(JsonNode node, String name, Integer fallback, Path where) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      if (fallback == null) throw new IllegalArgumentException(where + ": config.json lacks " + name);
      return fallback;
    }
    if (!v.canConvertToInt()) throw new IllegalArgumentException(where + ": " + name + " is not an integer");
    return v.asInt();
  }

  static double doubleField(JsonNode node, String name, double fallback) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? fallback : v.asDouble();
  }
}
