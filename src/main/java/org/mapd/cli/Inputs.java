package org.mapd.cli;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.eval.Evaluate;

/** Reads user-supplied files and turns every problem into one line that names the file and the field. */
final class Inputs {
  private Inputs() {}

  static Plan plan(Path file) {
    if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": plan file does not exist");
    try {
      return Json.MAPPER.readValue(file.toFile(), Plan.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": " + oneLine(e));
    }
  }

  /** Jackson's messages span lines and quote the source; keep the field path and the reason. */
  static String oneLine(IOException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + u.getPropertyName() + "'" + at(u) + " (known: "
          + u.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")";
    }
    if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      return v.getCause().getMessage() + at(v);
    }
    if (e instanceof JsonMappingException m) {
      Throwable root = m;
      while (root.getCause() != null) root = root.getCause();
      String reason = root != m ? root.getMessage() : m.getOriginalMessage();
      return firstLine(reason) + at(m);
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null) {
      return "not valid JSON at line " + p.getLocation().getLineNr() + ": " + firstLine(p.getOriginalMessage());
    }
    return firstLine(e.getMessage());
  }

  private static String at(JsonMappingException e) {
    String path = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
    return path.isEmpty() ? "" : " (field " + path + ")";
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Stages always resume from checkpoints in OUT; without --resume that must not happen by surprise. */
  static void requireFreshOrResume(Path out, boolean resume) {
    boolean hasState = hasEntries(out.resolve("checkpoints")) || isNonEmptyFile(out.resolve(Evaluate.SAMPLES_FILE));
    if (hasState && !resume) {
      throw new IllegalArgumentException(out + " already holds checkpoints or results of an earlier run: pass "
          + "--resume to continue it, or choose another --out");
    }
  }

  private static boolean hasEntries(Path dir) {
    if (!Files.isDirectory(dir)) return false;
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isNonEmptyFile(Path f) {
    try {
      return Files.isRegularFile(f) && Files.size(f) > 0;
    } catch (IOException e) {
      return false;
    }
  }
}
