package org.mapd.model;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;

/**
 * A sharded checkpoint's index (model.safetensors.index.json or pytorch_model.bin.index.json): its weight_map says
 * which shard file holds each tensor. Shared by both formats so that they resolve shards the same way.
 */
final class ShardIndex {
  private ShardIndex() {}

  /**
   * Loads the tensors named in {@code index} that pass {@code keep}, opening each shard once through
   * {@code loadShard(shardFile, nameFilter)}; every wanted tensor must come back.
   */
  static Map<String, NDArray> load(Path index, Predicate<String> keep,
      BiFunction<Path, Predicate<String>, Map<String, NDArray>> loadShard) {
    JsonNode weightMap;
    try {
      weightMap = HfConfig.LENIENT.readTree(index.toFile()).get("weight_map");
    } catch (IOException e) {
      throw new IllegalArgumentException(index + ": " + e.getMessage(), e);
    }
    if (weightMap == null || !weightMap.isObject()) throw new IllegalArgumentException(index + ": no weight_map");
    Path dir = index.toAbsolutePath().getParent().normalize();
    Set<String> shards = new LinkedHashSet<>();
    Set<String> wanted = new LinkedHashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!keep.test(e.getKey())) continue;
      if (!e.getValue().isTextual()) throw new IllegalArgumentException(index + ": weight_map." + e.getKey() + " is not a file name");
      wanted.add(e.getKey());
      shards.add(e.getValue().asText());
    }
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (String shard : shards) {
      Path file = dir.resolve(shard).normalize();
      if (!file.startsWith(dir)) throw new IllegalArgumentException(index + ": shard outside folder: " + shard);
      out.putAll(loadShard.apply(file, wanted::contains));
    }
    for (String name : wanted) {
      if (!out.containsKey(name)) throw new IllegalArgumentException(index + ": tensor " + name + " missing from its shard");
    }
    return out;
  }
}
