package org.mapd.pipelines;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mapd.Dirs;
import org.mapd.Json;

/**
 * The pipeline's pieces of the dataset files and their merge. For each dataset it accepted records for, a
 * range writes NAME.shard, the records as compact JSON each followed by ",\n" (ready to be concatenated),
 * and NAME.index: the source's order and name, then per record its index in the source, a 64-bit hash of
 * its JSON, offset and length. The merge finds exact duplicates from the hashes (comparing bytes only where
 * hashes meet) and concatenates the shards file to file, so no record passes through the driver's JVM.
 */
final class DatasetShards {
  private DatasetShards() {}

  /** A growing byte buffer whose content can be read in place. */
  static final class Bytes extends ByteArrayOutputStream {
    Bytes(int size) { super(size); }

    byte[] array() { return buf; }
  }

  /** One range's records of one dataset. */
  static final class Writer {
    private final Bytes records = new Bytes(1 << 16);
    private final Bytes index = new Bytes(1 << 12);
    private final DataOutputStream indexOut = new DataOutputStream(index);

    Writer(int sourceOrder, String source) {
      try {
        indexOut.writeInt(sourceOrder);
        indexOut.writeUTF(source);
      } catch (IOException e) {
        throw new UncheckedIOException(e); // cannot happen in memory
      }
    }

    void add(long sourceIndex, byte[] json, int off, int len) {
      try {
        indexOut.writeLong(sourceIndex);
        indexOut.writeLong(hash(json, off, len));
        indexOut.writeLong(records.size());
        indexOut.writeInt(len);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      records.write(json, off, len);
      records.writeBytes(DatasetFile.COMMA_NEW_LINE);
    }

    /** Writes NAME.shard, then NAME.index (the merge reads a shard by its index). */
    void write(Path shard) throws IOException {
      Writers.writeShard(shard, records);
      Writers.writeShard(indexOf(shard), index);
    }
  }

  private static Path indexOf(Path shard) {
    String name = shard.getFileName().toString();
    return shard.resolveSibling(name.substring(0, name.length() - ".shard".length()) + ".index");
  }

  /**
   * A 64-bit fingerprint of the bytes (Guava's FarmHash Fingerprint64): equal hashes are only candidates, the
   * bytes decide, so the choice of function changes no output.
   */
  static long hash(byte[] b, int off, int len) {
    return FINGERPRINT.hashBytes(b, off, len).asLong();
  }

  private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

  /** What the merge tells about a record it drops as a duplicate: its sort key and its JSON. */
  interface Duplicate {
    void found(String key, byte[] json);
  }

  /** Bytes of one index entry: source index, hash, offset (longs) and length (int). */
  private static final int ENTRY_BYTES = 3 * Long.BYTES + Integer.BYTES;

  /** The index of one shard. */
  private record Index(Path shard, int order, String source, long[] sourceIndex, long[] hash, long[] offset, int[] length) {
    int size() { return hash.length; }

    static Index read(Path shard) throws IOException {
      byte[] b = Files.readAllBytes(indexOf(shard));
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b));
      int order = in.readInt();
      String source = in.readUTF();
      int n = in.available() / ENTRY_BYTES;
      long[] i = new long[n], h = new long[n], o = new long[n];
      int[] l = new int[n];
      for (int k = 0; k < n; k++) {
        i[k] = in.readLong();
        h[k] = in.readLong();
        o[k] = in.readLong();
        l[k] = in.readInt();
      }
      if (in.available() != 0) throw new EOFException(indexOf(shard) + " ends inside a record");
      return new Index(shard, order, source, i, h, o, l);
    }

    byte[] json(FileChannel ch, int k) throws IOException {
      byte[] b = new byte[length[k]];
      ReadJsonArray.read(ch, offset[k], b, b.length);
      return b;
    }
  }

  /**
   * Writes one dataset file from the shards in {@code dir} (named so that their order is the records'
   * order): a JSON array with one record per line. A record equal byte for byte to an earlier one is left
   * out and handed to {@code duplicate}. Returns the number of records written.
   */
  static long merge(Path dir, Path file, Duplicate duplicate) {
    try {
      List<Index> shards = new ArrayList<>();
      try (var l = Files.list(dir)) {
        for (Path s : l.filter(f -> f.toString().endsWith(".shard")).sorted().toList()) shards.add(Index.read(s));
      }
      boolean[][] dropped = duplicates(shards, duplicate);
      long kept = 0;
      for (boolean[] d : dropped) for (boolean x : d) if (!x) kept++;
      long records = kept;
      Dirs.writeAtomic(file, tmp -> {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          write(out, DatasetFile.OPEN);
          if (records > 0) write(out, DatasetFile.NEW_LINE);
          long written = 0;
          for (int s = 0; s < shards.size(); s++) {
            Index x = shards.get(s);
            try (FileChannel in = FileChannel.open(x.shard())) {
              long runStart = 0, runEnd = 0; // consecutive kept records are copied in one piece
              for (int k = 0; k < x.size(); k++) {
                if (dropped[s][k]) continue;
                long end = x.offset()[k] + x.length()[k] + (++written == records ? 0 : DatasetFile.COMMA_NEW_LINE.length);
                if (x.offset()[k] != runEnd) {
                  copy(in, runStart, runEnd, out);
                  runStart = x.offset()[k];
                }
                runEnd = end;
              }
              copy(in, runStart, runEnd, out);
            }
          }
          write(out, DatasetFile.CLOSE);
        }
      });
      return kept;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot merge " + dir + " into " + file, e);
    }
  }

  /** A dataset file without records, as {@link #merge} writes it when nothing was accepted. */
  static void writeEmpty(Path file) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(DatasetFile.OPEN);
    b.writeBytes(DatasetFile.CLOSE);
    Json.writeAtomic(file, b.toByteArray());
  }

  /** Which records repeat an earlier one: hashes first, then the bytes of the few whose hash repeats. */
  private static boolean[][] duplicates(List<Index> shards, Duplicate duplicate) throws IOException {
    boolean[][] dropped = new boolean[shards.size()][];
    int n = 0;
    for (int s = 0; s < shards.size(); s++) {
      dropped[s] = new boolean[shards.get(s).size()];
      n += shards.get(s).size();
    }
    long[] all = new long[n];
    int at = 0;
    for (Index x : shards) for (long h : x.hash()) all[at++] = h;
    Arrays.sort(all);
    Set<Long> repeated = new HashSet<>();
    for (int i = 1; i < n; i++) if (all[i] == all[i - 1]) repeated.add(all[i]);
    if (repeated.isEmpty()) return dropped;
    Map<Long, List<byte[]>> seen = new HashMap<>();
    for (int s = 0; s < shards.size(); s++) {
      Index x = shards.get(s);
      try (FileChannel in = FileChannel.open(x.shard())) {
        for (int k = 0; k < x.size(); k++) {
          if (!repeated.contains(x.hash()[k])) continue;
          byte[] json = x.json(in, k);
          List<byte[]> same = seen.computeIfAbsent(x.hash()[k], h -> new ArrayList<>());
          if (same.stream().anyMatch(b -> Arrays.equals(b, json))) {
            dropped[s][k] = true;
            duplicate.found(SplitRangeFn.order(x.order(), x.sourceIndex()[k]) + "|" + x.source(), json);
          } else {
            same.add(json);
          }
        }
      }
    }
    return dropped;
  }

  private static void copy(FileChannel in, long from, long to, FileChannel out) throws IOException {
    for (long p = from; p < to; ) p += in.transferTo(p, to - p, out);
  }

  private static void write(FileChannel out, byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) out.write(buf);
  }
}
