package org.mapd.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mapd.Json;

/**
 * samples.jsonl, appended one line per evaluated query and flushed, so a killed run resumes where it
 * stopped: on open, the lines already present are read back and a torn last line is cut off.
 */
public final class SampleLog implements AutoCloseable {
  private static final ObjectWriter LINE = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT);

  private final Map<Sample.Key, Sample> samples = new LinkedHashMap<>();
  private final OutputStream out;

  private SampleLog(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    if (Files.exists(file)) readBack(file);
    out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  public static SampleLog open(Path file) {
    try {
      return new SampleLog(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file, e);
    }
  }

  private void readBack(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int complete = 0; // bytes up to and including the last '\n'
    for (int i = 0; i < bytes.length; i++) if (bytes[i] == '\n') complete = i + 1;
    String text = new String(bytes, 0, complete, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank()) continue;
      Sample s;
      try {
        s = Json.MAPPER.readValue(line, Sample.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(file + ": corrupt line (delete it to redo that query): " + line, e);
      }
      samples.put(s.key(), s);
    }
    if (complete < bytes.length) {
      // A kill during a write leaves a line without its newline: drop it, that query is redone.
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(complete);
      }
    }
  }

  public boolean done(Sample.Key key) {
    return samples.containsKey(key);
  }

  public void append(Sample sample) {
    try {
      out.write((LINE.writeValueAsString(sample) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to samples.jsonl", e);
    }
    samples.put(sample.key(), sample);
  }

  /** Every sample, read back and new, in file order. */
  public List<Sample> samples() {
    return Collections.unmodifiableList(new ArrayList<>(samples.values()));
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
