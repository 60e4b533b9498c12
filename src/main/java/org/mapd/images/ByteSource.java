package org.mapd.images;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Sequential reads from a stream through one buffer, without the locking of BufferedInputStream: the JPEG check
 * looks at every byte of the entropy-coded data, so a per-byte call must be cheap. Tracks the file position.
 */
final class ByteSource {
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int at;
  private int end;
  private long consumed; // bytes before buf[0]

  ByteSource(InputStream in) {
    this.in = in;
  }

  /** Position in the file of the next byte. */
  long position() {
    return consumed + at;
  }

  /** The next byte (0..255), or -1 at the end of the file. */
  int read() throws IOException {
    if (at == end && !fill()) return -1;
    return buf[at++] & 0xff;
  }

  /** The next byte without consuming it, or -1 at the end of the file. */
  int peek() throws IOException {
    if (at == end && !fill()) return -1;
    return buf[at] & 0xff;
  }

  int u8() throws IOException {
    int b = read();
    if (b < 0) throw new EOFException();
    return b;
  }

  int u16() throws IOException {
    return u8() << 8 | u8();
  }

  long u32() throws IOException {
    return (long) u16() << 16 | u16();
  }

  /**
   * Advances past the next byte equal to {@code value} (0..255); false when the file ends first. A tight loop over
   * the buffer: the JPEG check runs it over every byte of the compressed data.
   */
  boolean skipPast(int value) throws IOException {
    byte v = (byte) value;
    while (true) {
      if (at == end && !fill()) return false;
      for (int i = at; i < end; i++) {
        if (buf[i] == v) {
          at = i + 1;
          return true;
        }
      }
      at = end;
    }
  }

  /** Reads exactly n bytes. */
  byte[] bytes(int n) throws IOException {
    byte[] out = new byte[n];
    int k = 0;
    while (k < n) {
      if (at == end && !fill()) throw new EOFException();
      int m = Math.min(n - k, end - at);
      System.arraycopy(buf, at, out, k, m);
      at += m;
      k += m;
    }
    return out;
  }

  /** Skips exactly n bytes; the bytes pass through {@code sink} (may be null), e.g. a CRC. */
  void skip(long n, java.util.zip.Checksum sink) throws IOException {
    while (n > 0) {
      if (at == end && !fill()) throw new EOFException();
      int m = (int) Math.min(n, end - at);
      if (sink != null) sink.update(buf, at, m);
      at += m;
      n -= m;
    }
  }

  private boolean fill() throws IOException {
    consumed += end;
    at = 0;
    end = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) return false;
    end = n;
    return true;
  }
}
