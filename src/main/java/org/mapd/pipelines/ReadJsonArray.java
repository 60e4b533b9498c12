package org.mapd.pipelines;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the elements of one JSON array file (a 665k-record mix is ~1 GB) by a byte-level scan that tracks
 * nesting depth and string/escape state: an element ends at a comma at depth 0. Nothing is parsed here
 * except where the bytes do not look like one object: there Jackson says where the JSON breaks, and the
 * scan resumes at the next "{" that follows a comma, so one broken element costs one reject and the records
 * after it are still read. Every byte between "[" and "]" belongs to exactly one element.
 */
final class ReadJsonArray {
  private ReadJsonArray() {}

  /** An element longer than this without closing is probed with Jackson instead of scanned to the end of file. */
  static final long PROBE_AFTER = 8L << 20;
  private static final JsonFactory FACTORY = new JsonFactory();
  /** Bytes of numbers, true, false and null: all that may stand outside a string besides structure. */
  private static final boolean[] LITERAL = new boolean[256];

  static {
    for (char c : "0123456789+-.eEtrufalsn".toCharArray()) LITERAL[c] = true;
  }

  /**
   * The elements of a file in order: element i is bytes [starts[i], ends[i]).
   *
   * @param damaged element index -> why it is not well-formed JSON (known from the scan, never parsed later)
   * @param notes what is wrong with the file as a whole (not an array, cut off)
   */
  record Elements(long[] starts, long[] ends, Map<Integer, String> damaged, List<String> notes) {
    int size() { return starts.length; }
  }

  static Elements scan(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return new Scan(ch, file.getFileName().toString()).run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Reads len bytes of the file from pos into buf. */
  static void read(FileChannel ch, long pos, byte[] buf, int len) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) throw new java.io.EOFException("file shrank while read");
    }
  }

  /** How the byte scan of one element ended. */
  private enum End { COMMA, ARRAY_END, EOF, TOO_LONG }

  private static final class Scan {
    private final FileChannel ch;
    private final String name;
    private final long size;
    private final byte[] window = new byte[1 << 22];
    private long windowStart;
    private int windowLength;
    private long[] starts = new long[1024], ends = new long[1024];
    private int n;
    private final Map<Integer, String> damaged = new HashMap<>();
    private final List<String> notes = new ArrayList<>();
    // result of scanElement
    private long end;
    private boolean plain;

    Scan(FileChannel ch, String name) throws IOException {
      this.ch = ch;
      this.name = name;
      this.size = ch.size();
    }

    /** The byte at pos, or -1 past the end. */
    private int at(long pos) throws IOException {
      if (pos < windowStart || pos >= windowStart + windowLength) {
        if (pos >= size) return -1;
        fill(pos);
      }
      return window[(int) (pos - windowStart)] & 0xff;
    }

    private void fill(long pos) throws IOException {
      windowStart = pos;
      windowLength = 0;
      ByteBuffer b = ByteBuffer.wrap(window);
      while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) {
        windowLength = b.position();
      }
    }

    private long skipWhitespace(long pos) throws IOException {
      int b;
      while ((b = at(pos)) == ' ' || b == '\n' || b == '\r' || b == '\t') pos++;
      return pos;
    }

    private long trimEnd(long from, long to) throws IOException {
      while (to > from) {
        int b = at(to - 1);
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') break;
        to--;
      }
      return to;
    }

    private void add(long s, long e, String damage) {
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        ends = Arrays.copyOf(ends, n * 2);
      }
      starts[n] = s;
      ends[n] = e;
      if (damage != null) damaged.put(n, damage);
      n++;
    }

    Elements run() throws IOException {
      long pos = skipWhitespace(at(0) == 0xef && at(1) == 0xbb && at(2) == 0xbf ? 3 : 0);
      if (at(pos) < 0) {
        notes.add(name + " is empty: no records");
      } else if (at(pos) != '[') {
        notes.add(name + " is not a JSON array: its content is rejected as one malformed_json record");
        add(pos, trimEnd(pos, size), "not a JSON array");
      } else {
        elements(pos + 1);
      }
      return new Elements(Arrays.copyOf(starts, n), Arrays.copyOf(ends, n), damaged, notes);
    }

    private void elements(long pos) throws IOException {
      boolean inDamage = false; // the previous element was cut at a resync point: a following broken piece joins it
      while (true) {
        long s = skipWhitespace(pos);
        if (at(s) < 0) {
          notes.add(name + " is cut off after " + n + " records (the array is never closed)");
          return;
        }
        End how = scanElement(s);
        if (how == End.ARRAY_END && end == s) return; // "[]" or a trailing comma
        if (plain && (how == End.COMMA || how == End.ARRAY_END)) {
          add(s, trimEnd(s, end), null);
          inDamage = false;
          if (how == End.ARRAY_END) return;
          pos = end + 1;
          continue;
        }
        // Not one plain object: ask Jackson what the bytes from s are.
        Probe p = probe(s);
        long resyncFrom = p.resyncFrom;
        String why = p.error;
        if (resyncFrom < 0) {
          long after = skipWhitespace(p.valueEnd);
          int b = at(after);
          if (b == ',' || b < 0 || (b == ']' && at(skipWhitespace(after + 1)) < 0)) {
            add(s, p.valueEnd, null); // e.g. a number: parsed and rejected like any element
            inDamage = false;
            if (b < 0) notes.add(name + " is cut off after " + n + " records (the array is never closed)");
            if (b != ',') return;
            pos = after + 1;
            continue;
          }
          resyncFrom = after;
          why = "unexpected content after a value at byte " + after;
        }
        long[] resync = resync(s, Math.max(s + 1, resyncFrom));
        long cut = resync == null ? trimEnd(s, size) : resync[0];
        if (inDamage) {
          ends[n - 1] = cut;
        } else {
          add(s, cut, why);
        }
        inDamage = true;
        if (resync == null) {
          notes.add(name + " is cut off or broken from byte " + s + " on: record " + (n - 1)
              + " and everything after it is rejected as malformed_json");
          return;
        }
        pos = resync[1];
      }
    }

    /**
     * Scans one element from its first byte s; sets {@link #end} (the comma, the closing "]" of the array or
     * the end of the file) and {@link #plain}: the element is one object and nothing else.
     */
    private End scanElement(long s) throws IOException {
      int depth = 0;
      boolean inString = false, escape = false, closed = false, garbage = false, expectKey = false;
      long objects = 0; // bit d: the container at depth d is an object (checked up to depth 63)
      long arrayEnd = -1; // a "]" at depth 0: the array's end if only whitespace follows
      long pos = s, limit = s + PROBE_AFTER;
      plain = at(s) == '{';
      while (true) {
        if (at(pos) < 0) {
          end = arrayEnd >= 0 ? arrayEnd : size;
          plain &= !garbage && closed;
          return arrayEnd >= 0 ? End.ARRAY_END : End.EOF;
        }
        byte[] w = window;
        int i = (int) (pos - windowStart), length = windowLength;
        for (; i < length; i++) {
          byte b = w[i];
          if (inString) {
            if (escape) {
              escape = false;
              continue;
            }
            // most bytes are string content: run through them in a tight loop
            while (b != '"' && b != '\\' && ++i < length) b = w[i];
            if (i == length) break;
            if (b == '\\') escape = true;
            else inString = false;
            continue;
          }
          if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
          if (arrayEnd >= 0) { // something follows the "]": it was a stray one
            arrayEnd = -1;
            garbage = true;
          }
          switch (b) {
            case '"' -> {
              inString = true;
              garbage |= closed;
              expectKey = false;
            }
            case '{', '[' -> {
              garbage |= closed || expectKey;
              depth++;
              long bit = depth < 64 ? 1L << depth : 0;
              objects = b == '{' ? objects | bit : objects & ~bit;
              expectKey = b == '{';
            }
            case '}', ']' -> {
              expectKey = false;
              if (depth > 0) {
                // a closer of the other kind: a bracket is missing somewhere
                garbage |= depth < 64 && ((objects >>> depth & 1) == 1) != (b == '}');
                if (--depth == 0) {
                  garbage |= closed;
                  closed = true;
                }
              } else if (b == ']') {
                arrayEnd = windowStart + i;
              } else {
                garbage = true;
              }
            }
            case ',' -> {
              if (depth == 0) {
                end = windowStart + i;
                plain &= !garbage && closed;
                return End.COMMA;
              }
              garbage |= expectKey;
              // in an object, a comma is followed by a key: a value there means a brace is missing
              expectKey = depth < 64 && (objects >>> depth & 1) == 1;
            }
            case ':' -> garbage |= closed || depth == 0 || expectKey;
            // a byte that cannot stand outside a string: the string state is off, e.g. a quote is missing
            default -> garbage |= closed || depth == 0 || expectKey || !LITERAL[b & 0xff];
          }
        }
        pos = windowStart + length;
        if (pos > limit && arrayEnd < 0) {
          end = pos;
          plain = false;
          return End.TOO_LONG;
        }
      }
    }

    /**
     * Where Jackson's parse of one value from s ends, or why it fails and where its last good token starts:
     * no element can begin before that.
     */
    private record Probe(long valueEnd, long resyncFrom, String error) {}

    private Probe probe(long s) throws IOException {
      JsonParser p;
      try {
        p = FACTORY.createParser(new ChannelStream(ch, s));
      } catch (CharConversionException e) { // the encoding guess itself fails, e.g. "UCS-4 endianness" (fuzzing)
        return new Probe(-1, s + 1, NOT_UTF8);
      }
      try (p) {
        if (p.nextToken() == null) return new Probe(-1, size, "cut off");
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        // Jackson guesses the encoding from an element's first bytes; zero bytes there make it read UTF-16 or
        // UTF-32, which has no byte offsets (found by fuzzing). The file is UTF-8: such an element is damaged.
        if (end < 0) return new Probe(-1, s + 1, NOT_UTF8);
        return new Probe(s + end, -1, null);
      } catch (JsonProcessingException e) {
        long good = p.currentTokenLocation().getByteOffset();
        return new Probe(-1, good < 0 ? s : s + good, e.getOriginalMessage());
      } catch (CharConversionException e) { // the same guess, with bytes invalid in that encoding
        return new Probe(-1, s + 1, NOT_UTF8);
      }
    }

    private static final String NOT_UTF8 = "not UTF-8 text (zero bytes where a value starts)";

    /**
     * The first "{" at or after from whose previous non-blank byte is a comma, as {comma, brace}; null when
     * none follows. String state is ignored on purpose: around a broken element it cannot be trusted.
     */
    private long[] resync(long s, long from) throws IOException {
      long comma = -1;
      for (long pos = s; ; pos++) {
        int b = at(pos);
        if (b < 0) return null;
        if (b == ',') comma = pos;
        else if (b == '{' && comma >= 0 && pos >= from) return new long[] {comma, pos};
        else if (b != ' ' && b != '\n' && b != '\r' && b != '\t') comma = -1;
      }
    }
  }

  /** Reads a file from an offset without moving the scan's window. */
  private static final class ChannelStream extends InputStream {
    private final FileChannel ch;
    private long pos;

    ChannelStream(FileChannel ch, long pos) {
      this.ch = ch;
      this.pos = pos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = ch.read(ByteBuffer.wrap(b, off, len), pos);
      if (r > 0) pos += r;
      return r;
    }
  }
}
