package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.mapd.Dirs;
import org.mapd.Json;

/**
 * Reader and writer of safetensors files (F32/F16/BF16 read as F32; sharded folders with index.json).
 * Our own codec because DJL's reads a whole file into one byte[] (fails over 2 GB) and cannot do BF16;
 * tensors are memory-mapped one at a time and converted in bounded chunks.
 */
public final class Safetensors {
  private static final long MAX_HEADER = 100L << 20;
  /** Elements converted per direct buffer; keeps every buffer far below the 2 GB ByteBuffer limit (tests shrink it). */
  static int chunkElements = 1 << 24;

  private Safetensors() {}

  /** Loads a file, or a folder's model.safetensors / model.safetensors.index.json shards. */
  public static Map<String, NDArray> load(NDManager manager, Path fileOrDir) {
    return load(manager, fileOrDir, name -> true);
  }

  /** As {@link #load(NDManager, Path)}, keeping only the tensors whose name passes {@code keep}. */
  public static Map<String, NDArray> load(NDManager manager, Path fileOrDir, Predicate<String> keep) {
    if (!Files.isDirectory(fileOrDir)) return loadFile(manager, fileOrDir, keep);
    Path single = fileOrDir.resolve("model.safetensors");
    if (Files.isRegularFile(single)) return loadFile(manager, single, keep);
    Path index = fileOrDir.resolve("model.safetensors.index.json");
    if (!Files.isRegularFile(index)) {
      throw new IllegalArgumentException(fileOrDir + ": neither model.safetensors nor model.safetensors.index.json");
    }
    return ShardIndex.load(index, keep, (file, wanted) -> loadFile(manager, file, wanted));
  }

  private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

  private static Map<String, NDArray> loadFile(NDManager manager, Path file, Predicate<String> keep) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      List<Entry> entries = header(ch, file, size);
      long dataStart = 8 + headerLength(ch, file, size);
      long largest = entries.stream().filter(e -> keep.test(e.name)).mapToLong(e -> new Shape(e.shape).size()).max().orElse(0);
      ByteBuffer scratch = ByteBuffer.allocateDirect((int) Math.min(chunkElements, largest) * 4).order(ByteOrder.nativeOrder());
      for (Entry e : entries) {
        if (!keep.test(e.name)) continue;
        ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, e.end - e.begin)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.put(e.name, toArray(manager, e, bytes, scratch));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
    return out;
  }

  private static long headerLength(FileChannel ch, Path file, long size) throws IOException {
    if (size < 8) throw new IllegalArgumentException(file + ": truncated (no header length)");
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    ch.read(len, 0);
    long n = len.getLong(0);
    if (n < 2 || n > MAX_HEADER || 8 + n > size) {
      throw new IllegalArgumentException(file + ": header length " + n + " does not fit a file of " + size + " bytes");
    }
    return n;
  }

  private static List<Entry> header(FileChannel ch, Path file, long size) throws IOException {
    long n = headerLength(ch, file, size);
    ByteBuffer buf = ByteBuffer.allocate((int) n);
    while (buf.hasRemaining()) {
      if (ch.read(buf, 8 + buf.position()) < 0) throw new IllegalArgumentException(file + ": truncated header");
    }
    JsonNode root;
    try {
      root = HfConfig.LENIENT.readTree(new String(buf.array(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": header is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) throw new IllegalArgumentException(file + ": header is not a JSON object");
    long dataSize = size - 8 - n;
    List<Entry> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      if (f.getKey().equals("__metadata__")) continue;
      entries.add(entry(file, f.getKey(), f.getValue(), dataSize));
    }
    // Tensors must not overlap: a lying header could otherwise alias two parameters.
    TreeMap<Long, Entry> byBegin = new TreeMap<>();
    for (Entry e : entries) byBegin.put(e.begin, e);
    long prevEnd = 0;
    String prev = null;
    for (Entry e : byBegin.values()) {
      if (e.begin < prevEnd) throw new IllegalArgumentException(file + ": tensor " + e.name + " overlaps " + prev);
      prevEnd = Math.max(prevEnd, e.end);
      prev = e.name;
    }
    return entries;
  }

  private static Entry entry(Path file, String name, JsonNode node, long dataSize) {
    String where = file + ": tensor " + name;
    JsonNode dtype = node.get("dtype");
    JsonNode shape = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtype == null || shape == null || !shape.isArray() || offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw new IllegalArgumentException(where + ": needs dtype, shape and data_offsets [begin, end]");
    }
    int width = switch (dtype.asText()) {
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      case "I64" -> 8;
      default -> throw new IllegalArgumentException(where + ": unsupported dtype " + dtype.asText());
    };
    long[] dims = new long[shape.size()];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).asLong(-1);
      if (dims[i] < 0) throw new IllegalArgumentException(where + ": bad shape " + shape);
      count = Math.multiplyExact(count, dims[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || end > dataSize) {
      throw new IllegalArgumentException(where + ": data_offsets [" + begin + ", " + end + "] outside the data (" + dataSize + " bytes)");
    }
    if (end - begin != count * width) {
      throw new IllegalArgumentException(where + ": " + (end - begin) + " bytes for shape " + shape + " of " + dtype.asText());
    }
    return new Entry(name, dtype.asText(), dims, begin, end);
  }

  private static NDArray toArray(NDManager manager, Entry e, ByteBuffer bytes, ByteBuffer scratch) {
    Shape shape = new Shape(e.shape);
    long count = shape.size();
    if (e.dtype.equals("I64")) {
      long[] values = new long[Math.toIntExact(count)];
      bytes.asLongBuffer().get(values);
      return manager.create(values, shape);
    }
    if (count == 0) return manager.zeros(shape);
    // Converted chunk by chunk through one reused direct buffer straight into the native tensor, so loading
    // needs the F32 model plus one chunk: a direct buffer per chunk would stay allocated until a GC that a
    // nearly empty Java heap never triggers, doubling the peak (measured: 13.7 GiB for a 6.9 GiB model).
    NDArray flat = manager.zeros(new Shape(count)); // [count]
    for (long start = 0; start < count; start += chunkElements) {
      int n = (int) Math.min(chunkElements, count - start);
      scratch.clear();
      FloatBuffer floats = scratch.asFloatBuffer();
      for (int i = 0; i < n; i++) floats.put(decode(e.dtype, bytes, start + i));
      copyChunk(manager, scratch, n, flat, start);
    }
    NDArray out = flat.reshape(shape);
    flat.close();
    return out;
  }

  /** Copies {@code n} native-order floats of {@code scratch} into elements start.. of {@code flat} (the scratch is reused next). */
  static void copyChunk(NDManager manager, ByteBuffer scratch, int n, NDArray flat, long start) {
    scratch.limit(n * 4);
    try (NDArray part = manager.create(scratch.slice().order(ByteOrder.nativeOrder()), new Shape(n), DataType.FLOAT32)) {
      flat.set(new NDIndex(start + ":" + (start + n)), part);
    }
  }

  private static float decode(String dtype, ByteBuffer b, long i) {
    return switch (dtype) {
      case "F32" -> b.getFloat(Math.toIntExact(i * 4));
      // BF16 is the top half of an F32; never create a BF16 NDArray (it aborts the JVM, djl.md).
      case "BF16" -> Float.intBitsToFloat((b.getShort(Math.toIntExact(i * 2)) & 0xffff) << 16);
      case "F16" -> halfToFloat(b.getShort(Math.toIntExact(i * 2)));
      default -> throw new IllegalStateException(dtype);
    };
  }

  /** IEEE 754 binary16 -> float (Float.float16ToFloat arrives only in Java 20). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h >>> 15) << 31;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13)); // inf / NaN
    if (exp != 0) return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    float subnormal = mant * 0x1p-24f; // exponent 0: no implicit leading one
    return sign == 0 ? subnormal : -subnormal;
  }

  /** Writes F32 (and INT64) tensors atomically, with string metadata. */
  public static void save(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
    ObjectNode header = HfConfig.LENIENT.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      NDArray a = e.getValue();
      String dtype = switch (a.getDataType()) {
        case FLOAT32 -> "F32";
        case INT64 -> "I64";
        default -> throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " is " + a.getDataType() + ", only FLOAT32/INT64 are written");
      };
      long bytes = a.getShape().size() * (dtype.equals("F32") ? 4 : 8);
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", dtype);
      var dims = t.putArray("shape");
      for (long d : a.getShape().getShape()) dims.add(d);
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8; // the format aligns the data start to 8 bytes with spaces
    long size = 8 + padded + offset;
    Dirs.writeAtomic(file, size, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        writeFully(ch, head.flip());
        for (NDArray a : tensors.values()) {
          // toByteBuffer is native order; the format is little-endian.
          ByteBuffer data = a.toByteBuffer().order(ByteOrder.nativeOrder());
          if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new IllegalStateException("big-endian host");
          writeFully(ch, data);
        }
        ch.force(true);
      }
    });
  }

  /** Values of a tensor written by {@link #writeShards}, produced chunk by chunk. */
  public interface Values {
    /** Fills {@code chunk[0..n)} with elements {@code start..start+n} of tensor {@code name}. */
    void fill(String name, long start, float[] chunk, int n);
  }

  /**
   * Writes tensors of the given shapes as BF16 into shards of at most {@code shardBytes} named like the
   * published checkpoints (model-00001-of-0000N.safetensors) plus model.safetensors.index.json, generating
   * each tensor's values chunk by chunk: a 7B-shaped checkpoint is written in memory that does not grow with it.
   */
  public static void writeShards(Path dir, Map<String, Shape> shapes, long shardBytes, Values values) {
    List<List<String>> shards = new ArrayList<>();
    List<String> open = new ArrayList<>();
    long size = 0;
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      long bytes = 2 * e.getValue().size();
      if (!open.isEmpty() && size + bytes > shardBytes) {
        shards.add(open);
        open = new ArrayList<>();
        size = 0;
      }
      open.add(e.getKey());
      size += bytes;
    }
    shards.add(open);
    ObjectNode index = HfConfig.LENIENT.createObjectNode();
    index.putObject("metadata").put("total_size", shapes.values().stream().mapToLong(x -> 2 * x.size()).sum());
    ObjectNode weightMap = index.putObject("weight_map");
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < shards.size(); i++) {
        String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        writeShard(dir.resolve(name), shards.get(i), shapes, values);
        for (String t : shards.get(i)) weightMap.put(t, name);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write shards into " + dir, e);
    }
    Json.writeAtomic(dir.resolve("model.safetensors.index.json"), index);
  }

  private static void writeShard(Path file, List<String> names, Map<String, Shape> shapes, Values values) throws IOException {
    ObjectNode header = HfConfig.LENIENT.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (String n : names) {
      long bytes = 2 * shapes.get(n).size();
      ObjectNode t = header.putObject(n);
      t.put("dtype", "BF16");
      var dims = t.putArray("shape");
      for (long d : shapes.get(n).getShape()) dims.add(d);
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    Dirs.writeAtomic(file, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        writeFully(ch, head.flip());
        float[] chunk = new float[1 << 20];
        ByteBuffer out = ByteBuffer.allocate(2 * chunk.length).order(ByteOrder.LITTLE_ENDIAN);
        for (String n : names) {
          long count = shapes.get(n).size();
          for (long start = 0; start < count; start += chunk.length) {
            int k = (int) Math.min(chunk.length, count - start);
            values.fill(n, start, chunk, k);
            out.clear();
            for (int i = 0; i < k; i++) out.putShort(TorchCheckpoint.toBf16(chunk[i]));
            writeFully(ch, out.flip());
          }
        }
      }
    });
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) ch.write(b);
  }
}
