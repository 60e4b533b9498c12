package org.mapd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one Jackson mapper of the project, and atomic file writes (write a sibling, then rename). */
public final class Json {
  /** Unknown fields are errors: a typo in a plan must not be silently ignored. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  public static <T> T read(Path file, Class<T> type) {
    try {
      return MAPPER.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes JSON so that a reader never sees a half-written file, even after kill -9. */
  public static void writeAtomic(Path file, Object value) {
    writeAtomic(file, write(value).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Writes bytes so that a reader never sees a half-written file. A write that fails (a full disk) removes its
   * temporary sibling and leaves the old file, if any, in place; a full disk is reported as {@link DiskFull}.
   */
  public static void writeAtomic(Path file, byte[] bytes) {
    Dirs.writeAtomic(file, bytes.length, tmp -> Files.write(tmp, bytes));
  }
}
