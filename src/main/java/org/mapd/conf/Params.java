package org.mapd.conf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.mapd.Json;

/**
 * Settings as flat {@code dotted.key -> value} maps, and the keys whose values differ among several of them:
 * what the UI shows of each strategy's hyper-parameters and what a comparison of runs shows of their plans
 * (only the parameters that differ, as MLflow and W&B do).
 */
public final class Params {
  private Params() {}

  /** Any JSON-mappable value as dotted keys (list items as key[i]); JSON null becomes "null". */
  public static Map<String, String> flatten(Object value) {
    Map<String, String> out = new LinkedHashMap<>();
    flatten("", Json.MAPPER.valueToTree(value), out);
    return out;
  }

  private static void flatten(String key, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e ->
          flatten(key.isEmpty() ? e.getKey() : key + "." + e.getKey(), e.getValue(), out));
    } else if (node.isArray() && node.size() > 0 && !node.get(0).isValueNode()) {
      for (int i = 0; i < node.size(); i++) flatten(key + "[" + i + "]", node.get(i), out);
    } else {
      // Lists of plain values stay one parameter: "[0, 1, 2, 4]" reads better than four keys.
      out.put(key, node.isTextual() ? node.asText() : node.toString().replace(",", ", "));
    }
  }

  /** Keys, in first-seen order, whose value is not the same in every map (a missing key counts as a value). */
  public static Set<String> differing(Collection<Map<String, String>> maps) {
    Set<String> keys = new LinkedHashSet<>();
    for (Map<String, String> m : maps) keys.addAll(m.keySet());
    Set<String> out = new LinkedHashSet<>();
    for (String k : keys) {
      if (maps.stream().map(m -> m.get(k)).distinct().count() > 1) out.add(k);
    }
    return out;
  }

  /** {@code key value, key value} of the given keys, for one line of details. */
  public static String line(Map<String, String> values, Collection<String> keys) {
    StringBuilder s = new StringBuilder();
    for (String k : keys) {
      if (s.length() > 0) s.append(", ");
      s.append(k).append(' ').append(Objects.requireNonNullElse(values.get(k), "–"));
    }
    return s.toString();
  }
}
