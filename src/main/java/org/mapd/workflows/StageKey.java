package org.mapd.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The content address of a stage output: sha256 over the stage name, the plan sections that matter for
 * it (canonical JSON: sorted keys, no whitespace), the bytes of the conf files it reads, the results of
 * the stages it consumes, and {@link #CODE_VERSION}. Same inputs, same folder name.
 *
 * <p>Limit: input results hold absolute paths, so moving the work folder gives new addresses.
 */
public final class StageKey {
  /** Bump when a stage's code changes what it writes, so old outputs are no longer reused. */
  public static final String CODE_VERSION = "mapd-5";

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private final String label;
  private final MessageDigest digest;

  /**
   * @param stage stage name (prepare, warmup, pretrain, finetune, average, evaluate)
   * @param qualifiers strategy, then dataset (or reference row); nulls are skipped
   */
  public StageKey(String stage, String... qualifiers) {
    StringBuilder name = new StringBuilder(stage);
    for (String q : qualifiers) {
      if (q != null) name.append('-').append(q.replaceAll("[^A-Za-z0-9._]", "_"));
    }
    this.label = name.toString();
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    part("stage", label.getBytes(StandardCharsets.UTF_8));
    part("code", CODE_VERSION.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds a plan section or an input stage result, as canonical JSON. */
  public StageKey value(String name, Object value) {
    try {
      return part(name, CANONICAL.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Adds the contents of a conf file the stage reads. */
  public StageKey file(String name, Path file) {
    try {
      return part(name, Files.isRegularFile(file) ? Files.readAllBytes(file) : "<missing>".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private StageKey part(String name, byte[] bytes) {
    // Length-prefixed, so no two different part sequences hash the same bytes.
    digest.update((name + ":" + bytes.length + ":").getBytes(StandardCharsets.UTF_8));
    digest.update(bytes);
    return this;
  }

  /** The folder name: label-hash12. Call once. */
  public String folderName() {
    return label + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
  }
}
