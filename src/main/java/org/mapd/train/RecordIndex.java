package org.mapd.train;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.mapd.Json;

/**
 * Random access to the records of a JSON array file ({ds}_dataset.json, the captions) or the lines of a
 * JSONL manifest, in memory that does not grow with the file: one streaming pass writes the byte range of
 * every record into an index file, which is then memory-mapped (page cache, not heap), and a record is
 * read from the data file when asked for. The index records the data file's size and is rebuilt if it
 * no longer matches.
 */
final class RecordIndex implements AutoCloseable {
  private static final long MAGIC = 0x6d6170642d696478L; // "mapd-idx"
  private static final int HEADER_LONGS = 3; // magic, data file size, records

  /** How records are laid out in the data file. */
  enum Layout {
    /** A JSON array of objects. */
    JSON_ARRAY,
    /** One JSON value per non-blank line. */
    JSON_LINES
  }

  private final Path file;
  private final FileChannel data;
  private final LongBuffer ranges; // start, end per record
  private final int size;

  private RecordIndex(Path file, FileChannel data, LongBuffer ranges, int size) {
    this.file = file;
    this.data = data;
    this.ranges = ranges;
    this.size = size;
  }

  /** Opens {@code file}, building its index as {@code index} when it is missing or stale. */
  static RecordIndex open(Path file, Path index, Layout layout) {
    try {
      long fileSize = Files.size(file);
      if (!matches(index, fileSize)) build(file, index, layout, fileSize);
      LongBuffer longs;
      try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ)) {
        longs = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
      }
      int n = Math.toIntExact(longs.get(2));
      return new RecordIndex(file, FileChannel.open(file, StandardOpenOption.READ), longs.position(HEADER_LONGS).slice(), n);
    } catch (JsonProcessingException | CharConversionException e) {
      // Not JSON, or not in an encoding JSON allows: the file is wrong, not the disk.
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException(file + ": not valid JSON: " + why, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot index " + file, e);
    }
  }

  int size() {
    return size;
  }

  /** The bytes of record {@code i}. */
  byte[] bytes(int i) {
    if (i < 0 || i >= size) throw new IllegalArgumentException(file + ": record " + i + " of " + size);
    long start = ranges.get(2 * i);
    long end = ranges.get(2 * i + 1);
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(end - start));
    try {
      while (buf.hasRemaining()) {
        if (data.read(buf, start + buf.position()) < 0) throw new IOException("file shorter than its index");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read record " + i + " of " + file, e);
    }
    return buf.array();
  }

  /** Record {@code i} bound to {@code type}; a record that does not bind is a bad input naming file and record. */
  <T> T read(int i, Class<T> type) {
    try {
      return Json.MAPPER.readValue(bytes(i), type);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": record " + i + ": " + e.getMessage(), e);
    }
  }

  private static boolean matches(Path index, long fileSize) throws IOException {
    if (!Files.isRegularFile(index) || Files.size(index) < 8L * HEADER_LONGS) return false;
    try (FileChannel ch = FileChannel.open(index, StandardOpenOption.READ)) {
      ByteBuffer h = ByteBuffer.allocate(8 * HEADER_LONGS).order(ByteOrder.LITTLE_ENDIAN);
      while (h.hasRemaining() && ch.read(h) >= 0) {}
      return h.getLong(0) == MAGIC && h.getLong(8) == fileSize
          && Files.size(index) == 8L * (HEADER_LONGS + 2 * h.getLong(16));
    }
  }

  /** One streaming pass over the data file; the index is written to a temporary file and renamed. */
  private static void build(Path file, Path index, Layout layout, long fileSize) throws IOException {
    Files.createDirectories(index.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(index.toAbsolutePath().getParent(), index.getFileName().toString(), ".tmp");
    long n = 0;
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      buf.putLong(MAGIC).putLong(fileSize).putLong(0);
      Ranges sink = (start, end) -> {
        if (buf.remaining() < 16) {
          buf.flip();
          while (buf.hasRemaining()) out.write(buf);
          buf.clear();
        }
        buf.putLong(start).putLong(end);
      };
      n = layout == Layout.JSON_ARRAY ? scanArray(file, sink) : scanLines(file, sink);
      buf.flip();
      while (buf.hasRemaining()) out.write(buf);
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n), 16);
    }
    Files.move(tmp, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private interface Ranges {
    void add(long start, long end) throws IOException;
  }

  private static long scanArray(Path file, Ranges sink) throws IOException {
    long n = 0;
    try (InputStream in = Files.newInputStream(file); JsonParser p = Json.MAPPER.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_ARRAY) throw new IllegalArgumentException(file + ": not a JSON array");
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == null) throw new IllegalArgumentException(file + ": cut off after " + n + " records");
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        sink.add(start, p.currentLocation().getByteOffset());
        n++;
      }
    }
    return n;
  }

  private static long scanLines(Path file, Ranges sink) throws IOException {
    long n = 0;
    long pos = 0;
    long start = 0;
    boolean blank = true;
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      for (int b = in.read(); ; b = in.read(), pos++) {
        if (b == '\n' || b < 0) {
          if (!blank) {
            sink.add(start, pos);
            n++;
          }
          if (b < 0) break;
          start = pos + 1;
          blank = true;
        } else if (!Character.isWhitespace(b)) {
          blank = false;
        }
      }
    }
    return n;
  }

  @Override
  public void close() {
    try {
      data.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
