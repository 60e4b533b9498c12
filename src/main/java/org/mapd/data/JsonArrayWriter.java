package org.mapd.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JSON array of objects (or {@code {"field": [...]}}, as the OK-VQA question file has it) written one
 * object at a time, compact: a file of 665k records never exists in memory. Records with plain fields are
 * written through {@link #next()} and the generator; small nested values (lists, maps) through
 * {@link #write(Object)}.
 */
public final class JsonArrayWriter implements AutoCloseable {
  /** Compact, no features: the project mapper indents, and indenting a gigabyte costs time and disk. */
  private static final ObjectMapper COMPACT = new ObjectMapper();

  private final Path file;
  private final JsonGenerator g;
  private final boolean wrapped;
  private long count;

  public JsonArrayWriter(Path file) {
    this(file, null);
  }

  /** @param field the array is the value of this field of a top-level object (null: a top-level array) */
  public JsonArrayWriter(Path file, String field) {
    this.file = file;
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      g = COMPACT.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
      wrapped = field != null;
      if (wrapped) {
        g.writeStartObject();
        g.writeArrayFieldStart(field);
      } else {
        g.writeStartArray();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Starts the next object; the caller writes its fields and ends it with {@code writeEndObject()}. */
  public JsonGenerator next() throws IOException {
    g.writeStartObject();
    count++;
    return g;
  }

  /** Writes one whole element (a record, a map) with Jackson's default serialization. */
  public void write(Object element) {
    try {
      g.writeObject(element);
      count++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Elements written so far. */
  public long count() {
    return count;
  }

  @Override
  public void close() {
    try {
      g.writeEndArray();
      if (wrapped) g.writeEndObject();
      g.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
