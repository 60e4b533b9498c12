package org.mapd.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The central directory of a zip file, read from a channel: entry names, methods, sizes and where each entry's
 * data starts. Our own because java.util.zip.ZipFile does not tell where an entry's bytes are, and torch.save's
 * storages must be memory-mapped in place (a CLIP ViT-L storage is hundreds of MB). Every number is checked
 * against the file size before it is used, so a cut or lying file fails with an IllegalArgumentException.
 */
final class ZipIndex {
  static final int STORED = 0;
  static final int DEFLATED = 8;
  /** Far above what torch.save writes (one entry per storage plus 3-5) and bounds the directory we read. */
  static final int MAX_ENTRIES = 1 << 20;
  static final long MAX_DIRECTORY_BYTES = 256L << 20;
  private static final int EOCD = 0x06054b50;
  private static final int EOCD64 = 0x06064b50;
  private static final int EOCD64_LOCATOR = 0x07064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final long U32 = 0xFFFFFFFFL;

  /**
   * One entry.
   *
   * @param localOffset where its local header starts
   * @param compressedSize bytes stored in the file (equal to size when STORED)
   */
  record Entry(String name, int method, long compressedSize, long size, long localOffset, int flags) {}

  private final Path file;
  private final FileChannel ch;
  private final long fileSize;
  private final long directoryStart;
  private final Map<String, Entry> entries;

  private ZipIndex(Path file, FileChannel ch, long fileSize, long directoryStart, Map<String, Entry> entries) {
    this.file = file;
    this.ch = ch;
    this.fileSize = fileSize;
    this.directoryStart = directoryStart;
    this.entries = entries;
  }

  Map<String, Entry> entries() { return entries; }

  /** Reads the end record (zip64 too) and the central directory; does not read any entry's data. */
  static ZipIndex read(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    int tail = (int) Math.min(size, 22 + 0xFFFF);
    if (tail < 22) throw new IllegalArgumentException(file + ": truncated zip (" + size + " bytes, no end of central directory)");
    ByteBuffer end = readAt(ch, file, size - tail, tail);
    int at = -1;
    for (int i = tail - 22; i >= 0; i--) {
      // The comment length must reach exactly the end of the file, or the signature is just bytes of a comment.
      if (end.getInt(i) == EOCD && i + 22 + (end.getShort(i + 20) & 0xffff) == tail) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new IllegalArgumentException(file + ": truncated zip (no end of central directory record in the last " + tail + " bytes)");
    long eocdPos = size - tail + at;
    if ((end.getShort(at + 4) & 0xffff) != 0 || (end.getShort(at + 6) & 0xffff) != 0) {
      throw new IllegalArgumentException(file + ": multi-disk zip at offset " + eocdPos + " is not supported");
    }
    long count = end.getShort(at + 10) & 0xffff;
    long dirSize = end.getInt(at + 12) & U32;
    long dirOffset = end.getInt(at + 16) & U32;
    long dirLimit = eocdPos;
    if (count == 0xffff || dirSize == U32 || dirOffset == U32) {
      if (eocdPos < 20) throw new IllegalArgumentException(file + ": zip64 end of central directory locator missing before offset " + eocdPos);
      ByteBuffer loc = readAt(ch, file, eocdPos - 20, 20);
      if (loc.getInt(0) != EOCD64_LOCATOR) {
        throw new IllegalArgumentException(file + ": zip64 end of central directory locator missing at offset " + (eocdPos - 20));
      }
      long e64 = loc.getLong(8);
      if (e64 < 0 || e64 + 56 > eocdPos - 20) {
        throw new IllegalArgumentException(file + ": zip64 end of central directory offset " + e64 + " outside the file");
      }
      ByteBuffer z = readAt(ch, file, e64, 56);
      if (z.getInt(0) != EOCD64) throw new IllegalArgumentException(file + ": no zip64 end of central directory at offset " + e64);
      count = z.getLong(32);
      dirSize = z.getLong(40);
      dirOffset = z.getLong(48);
      dirLimit = e64;
    }
    if (count < 0 || count > MAX_ENTRIES) throw new IllegalArgumentException(file + ": zip claims " + count + " entries (limit " + MAX_ENTRIES + ")");
    if (dirSize < 0 || dirOffset < 0 || dirSize > MAX_DIRECTORY_BYTES || dirOffset + dirSize > dirLimit || count * 46 > dirSize) {
      throw new IllegalArgumentException(file + ": central directory [" + dirOffset + ", +" + dirSize + ") for " + count
          + " entries does not fit before offset " + dirLimit + " (truncated or corrupt zip)");
    }
    ByteBuffer dir = readAt(ch, file, dirOffset, (int) dirSize);
    Map<String, Entry> entries = new LinkedHashMap<>();
    int p = 0;
    for (long i = 0; i < count; i++) {
      long where = dirOffset + p;
      if (p + 46 > dirSize || dir.getInt(p) != CENTRAL) {
        throw new IllegalArgumentException(file + ": central directory entry " + i + " at offset " + where + " is missing or cut");
      }
      int flags = dir.getShort(p + 8) & 0xffff;
      int method = dir.getShort(p + 10) & 0xffff;
      long csize = dir.getInt(p + 20) & U32;
      long usize = dir.getInt(p + 24) & U32;
      int nameLen = dir.getShort(p + 28) & 0xffff;
      int extraLen = dir.getShort(p + 30) & 0xffff;
      int commentLen = dir.getShort(p + 32) & 0xffff;
      long local = dir.getInt(p + 42) & U32;
      int next = p + 46 + nameLen + extraLen + commentLen;
      if (next > dirSize) throw new IllegalArgumentException(file + ": central directory entry " + i + " at offset " + where + " is cut");
      byte[] nameBytes = new byte[nameLen];
      dir.get(p + 46, nameBytes);
      String name = new String(nameBytes, StandardCharsets.UTF_8);
      // Zip64: the fields that read 0xFFFFFFFF follow in the 0x0001 extra field, in this order.
      if (usize == U32 || csize == U32 || local == U32) {
        int e = p + 46 + nameLen;
        int eEnd = e + extraLen;
        boolean found = false;
        while (e + 4 <= eEnd) {
          int id = dir.getShort(e) & 0xffff;
          int len = dir.getShort(e + 2) & 0xffff;
          if (e + 4 + len > eEnd) break;
          if (id == 0x0001) {
            int q = e + 4;
            int qEnd = q + len;
            if (usize == U32) { usize = zip64Field(dir, q, qEnd, file, name); q += 8; }
            if (csize == U32) { csize = zip64Field(dir, q, qEnd, file, name); q += 8; }
            if (local == U32) { local = zip64Field(dir, q, qEnd, file, name); }
            found = true;
            break;
          }
          e += 4 + len;
        }
        if (!found) throw new IllegalArgumentException(file + ": entry " + name + " needs a zip64 extra field and has none");
      }
      if (csize < 0 || usize < 0 || local < 0 || local + 30 + csize > dirOffset) {
        throw new IllegalArgumentException(file + ": entry " + name + " claims " + csize + " bytes at offset " + local
            + ", past the central directory at " + dirOffset);
      }
      // A stored entry's bytes are mapped as they are: its two sizes must agree, or a lying size reads past its data.
      if (method == STORED && csize != usize) {
        throw new IllegalArgumentException(file + ": stored entry " + name + " claims " + usize + " bytes but stores " + csize);
      }
      if (entries.put(name, new Entry(name, method, csize, usize, local, flags)) != null) {
        throw new IllegalArgumentException(file + ": entry " + name + " appears twice");
      }
      p = next;
    }
    return new ZipIndex(file, ch, size, dirOffset, entries);
  }

  private static long zip64Field(ByteBuffer b, int at, int end, Path file, String name) {
    if (at + 8 > end) throw new IllegalArgumentException(file + ": entry " + name + ": zip64 extra field too short");
    return b.getLong(at);
  }

  /** Where the entry's (possibly compressed) bytes start: after its local header, whose lengths may differ from the central one. */
  long dataOffset(Entry e) throws IOException {
    ByteBuffer h = readAt(ch, file, e.localOffset(), 30);
    if (h.getInt(0) != LOCAL) throw new IllegalArgumentException(file + ": entry " + e.name() + ": no local header at offset " + e.localOffset());
    long start = e.localOffset() + 30 + (h.getShort(26) & 0xffff) + (h.getShort(28) & 0xffff);
    if (start + e.compressedSize() > directoryStart) {
      throw new IllegalArgumentException(file + ": entry " + e.name() + ": data [" + start + ", +" + e.compressedSize()
          + ") runs into the central directory at " + directoryStart);
    }
    return start;
  }

  /** The entry's uncompressed bytes as a stream; reads at most {@code limit} bytes of output. */
  InputStream open(Entry e) throws IOException {
    if ((e.flags() & 1) != 0) throw new IllegalArgumentException(file + ": entry " + e.name() + " is encrypted");
    InputStream raw = new RangeStream(ch, dataOffset(e), e.compressedSize());
    return switch (e.method()) {
      case STORED -> raw;
      case DEFLATED -> new InflaterInputStream(raw, new Inflater(true), 1 << 16);
      default -> throw new IllegalArgumentException(file + ": entry " + e.name() + " uses compression method " + e.method()
          + " (only stored and deflated are read)");
    };
  }

  /** Reads a whole small entry (at most {@code limit} bytes, else an error naming it). */
  byte[] readSmall(Entry e, long limit) throws IOException {
    if (e.size() > limit) throw new IllegalArgumentException(file + ": entry " + e.name() + " has " + e.size() + " bytes (limit " + limit + ")");
    byte[] out = new byte[(int) e.size()];
    try (InputStream in = open(e)) {
      int n = in.readNBytes(out, 0, out.length);
      if (n != out.length || in.read() >= 0) {
        throw new IllegalArgumentException(file + ": entry " + e.name() + " does not hold the " + e.size() + " bytes its header claims");
      }
    } catch (java.util.zip.ZipException | java.io.EOFException z) {
      throw new IllegalArgumentException(file + ": entry " + e.name() + ": corrupt compressed data: " + z.getMessage(), z);
    }
    return out;
  }

  long fileSize() { return fileSize; }

  static ByteBuffer readAt(FileChannel ch, Path file, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        throw new IllegalArgumentException(file + ": truncated: wanted " + len + " bytes at offset " + pos);
      }
    }
    return b.flip();
  }

  /** Bytes [start, start + length) of a channel, read with positional reads (the channel is shared). */
  private static final class RangeStream extends InputStream {
    private final FileChannel ch;
    private long pos;
    private final long end;

    RangeStream(FileChannel ch, long start, long length) {
      this.ch = ch;
      this.pos = start;
      this.end = start + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= end) return -1;
      int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
      if (n < 0) return -1;
      pos += n;
      return n;
    }
  }
}
