package org.mapd.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import java.util.zip.ZipException;

/**
 * Reader and writer of PyTorch state-dict checkpoints (torch.save's zip format: {@code <name>/data.pkl}, a pickle
 * that describes the tensors, and {@code <name>/data/<key>}, each storage's raw little-endian bytes), as the openai
 * CLIP repositories publish them ({@code pytorch_model.bin}, or shards with {@code pytorch_model.bin.index.json}).
 *
 * <p>The pickle goes through {@link TorchPickle}, which understands only what a state dict needs and never runs code
 * from the file. Tensors (F32, F16, BF16) become FP32 NDArrays (I64 stays INT64): stored storages are memory-mapped
 * and converted in bounded chunks like {@link Safetensors} does; deflated ones (torch never writes them) are streamed.
 * The writer streams each tensor straight into the zip, so files of hundreds of MB never sit in memory.
 */
public final class TorchCheckpoint {
  public static final String WEIGHTS = "pytorch_model.bin";
  public static final String INDEX = "pytorch_model.bin.index.json";
  /** torch.save's pickle is a few hundred bytes per tensor; anything near this is not a state dict. */
  static final long MAX_PICKLE = 64L << 20;
  /** The archive folder torch.save uses today; the reader accepts any single folder name (older torch used the file's). */
  private static final String ARCHIVE = "archive/";
  /** torch aligns every storage to 64 bytes inside the zip (so it can be mapped and read in place). */
  private static final int ALIGN = 64;
  /** Sizes and offsets from this value on are written as zip64 (tests lower it to exercise zip64 on small files). */
  static long zip64Threshold = 0xFFFFFFFFL;

  /** Element types of a state dict's storages, by their pickled class name torch.XStorage. */
  public enum Dtype {
    F32("FloatStorage", 4),
    F16("HalfStorage", 2),
    BF16("BFloat16Storage", 2),
    I64("LongStorage", 8);

    final String storageClass;
    final int width;

    Dtype(String storageClass, int width) {
      this.storageClass = storageClass;
      this.width = width;
    }

    static Dtype ofStorage(String className) {
      for (Dtype t : values()) if (t.storageClass.equals(className)) return t;
      return null;
    }
  }

  /** One tensor of a checkpoint as stored: its element type and shape. */
  public record TensorInfo(String name, Dtype dtype, Shape shape) {}

  private TorchCheckpoint() {}

  // ---------------------------------------------------------------- reading

  /** Loads a checkpoint file, or a folder's pytorch_model.bin / pytorch_model.bin.index.json shards. */
  public static Map<String, NDArray> load(NDManager manager, Path fileOrDir) {
    return load(manager, fileOrDir, name -> true);
  }

  /** As {@link #load(NDManager, Path)}, converting only the tensors whose name passes {@code keep}. */
  public static Map<String, NDArray> load(NDManager manager, Path fileOrDir, Predicate<String> keep) {
    if (!Files.isDirectory(fileOrDir)) return loadFile(manager, fileOrDir, keep);
    Path single = fileOrDir.resolve(WEIGHTS);
    if (Files.isRegularFile(single)) return loadFile(manager, single, keep);
    Path index = fileOrDir.resolve(INDEX);
    if (!Files.isRegularFile(index)) throw new IllegalArgumentException(fileOrDir + ": neither " + WEIGHTS + " nor " + INDEX);
    return ShardIndex.load(index, keep, (file, wanted) -> loadFile(manager, file, wanted));
  }

  /** The tensors of one checkpoint file (names, types, shapes), checked against its storages, without reading data. */
  public static List<TensorInfo> describe(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Archive a = Archive.open(file, ch);
      List<TensorInfo> out = new ArrayList<>();
      for (TorchPickle.Tensor t : a.tensors) {
        a.layout(t);
        out.add(new TensorInfo(t.name(), t.storage().type(), new Shape(t.size())));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
  }

  private static Map<String, NDArray> loadFile(NDManager manager, Path file, Predicate<String> keep) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Archive a = Archive.open(file, ch);
      // Every tensor is checked against its storage first, so a lying file fails before anything is allocated.
      List<Layout> wanted = new ArrayList<>();
      for (TorchPickle.Tensor t : a.tensors) {
        Layout l = a.layout(t);
        if (keep.test(t.name())) wanted.add(l);
      }
      long largest = wanted.stream().mapToLong(l -> l.count).max().orElse(0);
      ByteBuffer scratch = ByteBuffer.allocateDirect((int) Math.min(Safetensors.chunkElements, largest) * 4)
          .order(ByteOrder.nativeOrder());
      for (Layout l : wanted) out.put(l.tensor.name(), a.convert(manager, l, scratch));
    } catch (IOException e) {
      out.values().forEach(NDArray::close);
      throw new UncheckedIOException(file + ": cannot read", e);
    } catch (RuntimeException e) {
      out.values().forEach(NDArray::close); // a file that fails half-way leaves nothing behind in the manager
      throw e;
    }
    return out;
  }

  /**
   * Where a tensor's elements are, validated: {@code count} elements, the last one at storage element {@code last}.
   *
   * @param contiguous row-major with no gaps, so [offset, offset + count) of the storage in order
   */
  private record Layout(TorchPickle.Tensor tensor, ZipIndex.Entry entry, long count, long last, boolean contiguous) {}

  /** An opened checkpoint: its zip directory, the folder name inside it, and the parsed pickle. */
  private static final class Archive {
    final Path file;
    final FileChannel ch;
    final ZipIndex zip;
    final String prefix;
    final List<TorchPickle.Tensor> tensors;

    private Archive(Path file, FileChannel ch, ZipIndex zip, String prefix, List<TorchPickle.Tensor> tensors) {
      this.file = file;
      this.ch = ch;
      this.zip = zip;
      this.prefix = prefix;
      this.tensors = tensors;
    }

    static Archive open(Path file, FileChannel ch) throws IOException {
      ByteBuffer magic = ByteBuffer.allocate(2);
      ch.read(magic, 0);
      if (magic.position() == 2 && (magic.get(0) & 0xff) == 0x80 && magic.get(1) == 2) {
        throw new IllegalArgumentException(file + ": legacy torch.save format (before torch 1.6, not a zip); "
            + "re-save it with a current torch or convert it to safetensors");
      }
      ZipIndex zip = ZipIndex.read(file, ch);
      String pickleName = null;
      for (String name : zip.entries().keySet()) {
        int slash = name.indexOf('/');
        if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
          if (pickleName != null) throw new IllegalArgumentException(file + ": two data.pkl entries (" + pickleName + ", " + name + ")");
          pickleName = name;
        }
      }
      if (pickleName == null) throw new IllegalArgumentException(file + ": no <archive>/data.pkl entry: not a torch.save checkpoint");
      String prefix = pickleName.substring(0, pickleName.length() - "data.pkl".length());
      ZipIndex.Entry order = zip.entries().get(prefix + "byteorder");
      if (order != null) {
        String o = new String(zip.readSmall(order, 16), StandardCharsets.US_ASCII).trim();
        if (!o.equals("little")) throw new IllegalArgumentException(file + ": " + prefix + "byteorder is '" + o + "', only little-endian is read");
      }
      byte[] pickle = zip.readSmall(zip.entries().get(pickleName), MAX_PICKLE);
      return new Archive(file, ch, zip, prefix, TorchPickle.read(file + ": " + pickleName, pickle));
    }

    /** Checks the tensor against its storage entry; every input error names the file and the tensor. */
    Layout layout(TorchPickle.Tensor t) {
      String where = file + ": tensor " + t.name();
      TorchPickle.Storage s = t.storage();
      ZipIndex.Entry e = zip.entries().get(prefix + "data/" + s.key());
      if (e == null) throw new IllegalArgumentException(where + ": storage entry " + prefix + "data/" + s.key() + " is missing");
      long bytes;
      try {
        bytes = Math.multiplyExact(s.numel(), s.type().width);
      } catch (ArithmeticException x) {
        throw new IllegalArgumentException(where + ": storage numel " + s.numel() + " overflows");
      }
      if (e.size() < bytes) {
        throw new IllegalArgumentException(where + ": storage " + e.name() + " holds " + e.size() + " bytes, but the pickle claims "
            + s.numel() + " elements of torch." + s.type().storageClass + " (" + bytes + " bytes)");
      }
      long[] size = t.size();
      long[] stride = t.stride();
      if (t.offset() < 0) throw new IllegalArgumentException(where + ": negative storage offset " + t.offset());
      long count = 1;
      long last = t.offset();
      try {
        for (int i = 0; i < size.length; i++) {
          if (size[i] < 0) throw new IllegalArgumentException(where + ": negative size " + size[i] + " in dim " + i);
          if (stride[i] < 0) throw new IllegalArgumentException(where + ": negative stride " + stride[i] + " in dim " + i);
          count = Math.multiplyExact(count, size[i]);
        }
        if (count > 0) {
          for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
        }
      } catch (ArithmeticException x) {
        throw new IllegalArgumentException(where + ": size " + new Shape(size) + " with stride " + new Shape(stride) + " overflows");
      }
      // A tensor with more elements than its storage repeats elements (stride 0 or overlap): never in a state dict,
      // and allocating it could far exceed what the file holds.
      if (count > s.numel()) {
        throw new IllegalArgumentException(where + ": " + count + " elements but its storage holds " + s.numel()
            + " (expanded or overlapping strides are not supported)");
      }
      if (count > 0 && last >= s.numel()) {
        throw new IllegalArgumentException(where + ": offset " + t.offset() + ", size " + new Shape(size) + ", stride "
            + new Shape(stride) + " reach element " + last + " of a storage of " + s.numel());
      }
      if (s.type() == Dtype.I64 && count > Integer.MAX_VALUE) throw new IllegalArgumentException(where + ": INT64 tensor too large");
      boolean contiguous = true;
      long expect = 1;
      for (int i = size.length - 1; i >= 0; i--) {
        if (size[i] != 1 && stride[i] != expect) contiguous = false;
        expect *= size[i];
      }
      return new Layout(t, e, count, last, contiguous);
    }

    /** The tensor as FP32 (INT64 for LongStorage), converted chunk by chunk through {@code scratch}. */
    NDArray convert(NDManager manager, Layout l, ByteBuffer scratch) throws IOException {
      TorchPickle.Tensor t = l.tensor;
      Dtype type = t.storage().type();
      Shape shape = new Shape(t.size());
      int w = type.width;
      if (l.count == 0) return type == Dtype.I64 ? manager.zeros(shape, DataType.INT64) : manager.zeros(shape);
      boolean stored = l.entry.method() == ZipIndex.STORED;
      if (!stored && !l.contiguous) {
        throw new IllegalArgumentException(file + ": tensor " + t.name() + ": non-contiguous tensor in a compressed entry is not supported");
      }
      long base = stored ? zip.dataOffset(l.entry) : -1;
      // Strided tensors are read from one mapping of the span they touch; contiguous ones one chunk at a time.
      long spanBytes = (l.last - t.offset() + 1) * w;
      if (!l.contiguous && spanBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(file + ": tensor " + t.name() + ": non-contiguous tensor spanning over 2 GB is not supported");
      }
      ByteBuffer span = l.contiguous ? null : map(base + t.offset() * w, spanBytes);
      InputStream stream = null;
      try {
        if (!stored) {
          stream = zip.open(l.entry);
          skipFully(stream, t.offset() * w, t.name());
        }
        if (type == Dtype.I64) return longs(manager, l, shape, span, base, stream);
        long[] odometer = new long[shape.dimension()];
        NDArray flat = manager.zeros(new Shape(l.count)); // [count]
        byte[] heap = stored ? null : new byte[(int) Math.min(Safetensors.chunkElements, l.count) * w];
        for (long start = 0; start < l.count; start += Safetensors.chunkElements) {
          int n = (int) Math.min(Safetensors.chunkElements, l.count - start);
          scratch.clear();
          FloatBuffer floats = scratch.asFloatBuffer();
          if (l.contiguous) {
            ByteBuffer src;
            if (stored) {
              src = map(base + (t.offset() + start) * w, (long) n * w);
            } else {
              readFully(stream, heap, n * w, t.name());
              src = ByteBuffer.wrap(heap, 0, n * w).order(ByteOrder.LITTLE_ENDIAN);
            }
            widen(type, src, n, floats);
          } else {
            for (int i = 0; i < n; i++) floats.put(element(type, span, next(odometer, t.size(), t.stride()) * w));
          }
          Safetensors.copyChunk(manager, scratch, n, flat, start);
        }
        NDArray out = flat.reshape(shape);
        flat.close();
        return out;
      } catch (ZipException | EOFException z) {
        throw new IllegalArgumentException(file + ": tensor " + t.name() + ": corrupt compressed data: " + z.getMessage(), z);
      } finally {
        if (stream != null) stream.close();
      }
    }

    private NDArray longs(NDManager manager, Layout l, Shape shape, ByteBuffer span, long base, InputStream stream) throws IOException {
      TorchPickle.Tensor t = l.tensor;
      long[] values = new long[(int) l.count];
      if (l.contiguous) {
        ByteBuffer src;
        if (stream == null) {
          src = map(base + t.offset() * 8, l.count * 8);
        } else {
          byte[] heap = new byte[Math.toIntExact(l.count * 8)];
          readFully(stream, heap, heap.length, t.name());
          src = ByteBuffer.wrap(heap).order(ByteOrder.LITTLE_ENDIAN);
        }
        src.asLongBuffer().get(values);
      } else {
        long[] odometer = new long[shape.dimension()];
        for (int i = 0; i < values.length; i++) values[i] = span.getLong(Math.toIntExact(next(odometer, t.size(), t.stride()) * 8));
      }
      return manager.create(values, shape);
    }

    private ByteBuffer map(long pos, long len) throws IOException {
      return ch.map(FileChannel.MapMode.READ_ONLY, pos, len).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void skipFully(InputStream in, long n, String name) throws IOException {
      long left = n;
      while (left > 0) {
        long k = in.skip(left);
        if (k <= 0) {
          if (in.read() < 0) throw new IllegalArgumentException(file + ": tensor " + name + ": storage data ends early");
          k = 1;
        }
        left -= k;
      }
    }

    private void readFully(InputStream in, byte[] into, int n, String name) throws IOException {
      if (in.readNBytes(into, 0, n) != n) throw new IllegalArgumentException(file + ": tensor " + name + ": storage data ends early");
    }
  }


  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code tensors} as one state dict file: FLOAT32 tensors stored as {@code floats} (F32, or BF16 rounded to
   * nearest even), INT64 tensors as I64.
   */
  public static void save(Path file, Map<String, NDArray> tensors, Dtype floats) {
    try (Writer w = writer(file)) {
      for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
        w.add(e.getKey(), e.getValue(), e.getValue().getDataType() == DataType.INT64 ? Dtype.I64 : floats);
      }
      w.finish();
    }
  }

  /** A writer that streams each added tensor into {@code file}; {@link Writer#finish()} publishes it atomically. */
  public static Writer writer(Path file) {
    return new Writer(file);
  }

  /**
   * Streams a state dict into torch.save's zip layout: {@code archive/data/<i>} per tensor (64-byte aligned, stored),
   * then on {@link #finish()} {@code archive/data.pkl} (an OrderedDict of _rebuild_tensor_v2 over the storages, pickle
   * protocol 2, as torch.save writes it), {@code archive/byteorder}, {@code archive/version} and the zip directory
   * (zip64 where sizes or offsets need it). Only one chunk of one tensor is in memory at a time. Closing without
   * finish() deletes the partial file, so an interrupted write never leaves a checkpoint behind.
   */
  public static final class Writer implements AutoCloseable {
    private record Written(String name, long localOffset, long size, int crc) {}

    private record Meta(String name, String key, Dtype dtype, long[] shape) {}

    private final Path file;
    private final Path tmp;
    private final FileChannel ch;
    private long pos;
    private final List<Written> entries = new ArrayList<>();
    private final List<Meta> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private boolean done;
    private boolean failed;

    private Writer(Path file) {
      this.file = file;
      try {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    /** Appends one tensor: FLOAT32 as F32 or BF16, INT64 as I64. */
    public void add(String name, NDArray tensor, Dtype dtype) {
      if (done) throw new IllegalStateException(file + ": writer already finished or closed");
      String where = file + ": tensor " + name;
      if (!names.add(name)) throw new IllegalArgumentException(where + " added twice");
      if (name.getBytes(StandardCharsets.UTF_8).length > TorchPickle.MAX_STRING) throw new IllegalArgumentException(where + ": name too long");
      DataType from = tensor.getDataType();
      boolean ok = from == DataType.FLOAT32 ? dtype == Dtype.F32 || dtype == Dtype.BF16 : from == DataType.INT64 && dtype == Dtype.I64;
      if (!ok) throw new IllegalArgumentException(where + ": cannot store " + from + " as " + dtype + " (FLOAT32 as F32/BF16, INT64 as I64)");
      if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) throw new IllegalStateException("big-endian host");
      if (failed) throw new IllegalStateException(file + ": an earlier tensor failed to write");
      String key = Integer.toString(tensors.size());
      long count = tensor.getShape().size();
      long size = count * dtype.width;
      // From here on a failure leaves a partial entry behind: the writer refuses to go on or to finish.
      failed = true;
      try {
        long local = beginEntry(ARCHIVE + "data/" + key, size);
        CRC32 crc = new CRC32();
        int chunk = Safetensors.chunkElements;
        ByteBuffer half = dtype == Dtype.BF16 ? ByteBuffer.allocate((int) Math.min(chunk, count) * 2).order(ByteOrder.LITTLE_ENDIAN) : null;
        if (count > 0) {
          try (NDArray flat = tensor.reshape(count)) { // [count]
            for (long start = 0; start < count; start += chunk) {
              int n = (int) Math.min(chunk, count - start);
              try (NDArray part = flat.get(new NDIndex(start + ":" + (start + n)))) { // [n]
                // A view of the engine's memory (no copy) that lives as long as part.
                ByteBuffer bytes = part.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
                if (dtype == Dtype.BF16) {
                  half.clear();
                  for (int i = 0; i < n; i++) half.putShort(toBf16(bytes.getFloat(4 * i)));
                  bytes = half.flip();
                }
                crc.update(bytes.duplicate());
                writeFully(bytes);
              }
            }
          }
        }
        endEntry(ARCHIVE + "data/" + key, local, size, crc);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
      failed = false;
      tensors.add(new Meta(name, key, dtype, tensor.getShape().getShape()));
    }

    /** Writes the pickle, the small records and the zip directory, syncs, and moves the file into place. */
    public void finish() {
      if (done) throw new IllegalStateException(file + ": writer already finished or closed");
      if (failed) throw new IllegalStateException(file + ": an earlier tensor failed to write");
      try {
        small(ARCHIVE + "data.pkl", pickle());
        small(ARCHIVE + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        small(ARCHIVE + "version", "3\n".getBytes(StandardCharsets.US_ASCII)); // torch 1.13 writes 3; newer torch reads it
        directory();
        ch.force(true);
        ch.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        done = true;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    /** Discards the partial file unless {@link #finish()} ran. */
    @Override
    public void close() {
      if (done) return;
      done = true;
      try {
        ch.close();
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + tmp, e);
      }
    }

    private void small(String name, byte[] data) throws IOException {
      long local = beginEntry(name, data.length);
      CRC32 crc = new CRC32();
      crc.update(data);
      writeFully(ByteBuffer.wrap(data));
      endEntry(name, local, data.length, crc);
    }

    /** Local header with a CRC placeholder, zip64 sizes if needed, and an 'FB' padding field that aligns the data. */
    private long beginEntry(String name, long size) throws IOException {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      boolean z64 = size >= zip64Threshold;
      long headerEnd = pos + 30 + n.length + (z64 ? 20 : 0) + 4;
      int pad = (int) ((ALIGN - headerEnd % ALIGN) % ALIGN);
      ByteBuffer h = ByteBuffer.allocate(30 + n.length + (z64 ? 20 : 0) + 4 + pad).order(ByteOrder.LITTLE_ENDIAN);
      h.putInt(0x04034b50).putShort((short) (z64 ? 45 : 20)).putShort((short) 0).putShort((short) ZipIndex.STORED);
      h.putShort((short) 0).putShort(DOS_DATE).putInt(0); // fixed time: identical input, identical file
      h.putInt(z64 ? -1 : (int) size).putInt(z64 ? -1 : (int) size);
      h.putShort((short) n.length).putShort((short) ((z64 ? 20 : 0) + 4 + pad)).put(n);
      if (z64) h.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
      h.putShort((short) 0x4246).putShort((short) pad); // 'F','B': torch's own padding field id; zeros follow
      long local = pos;
      writeFully(h.position(h.capacity()).flip());
      return local;
    }

    private void endEntry(String name, long local, long size, CRC32 crc) throws IOException {
      int value = (int) crc.getValue();
      ByteBuffer c = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).flip();
      while (c.hasRemaining()) ch.write(c, local + 14 + c.position());
      entries.add(new Written(name, local, size, value));
    }

    private void directory() throws IOException {
      long start = pos;
      for (Written e : entries) {
        byte[] n = e.name.getBytes(StandardCharsets.UTF_8);
        // Sizes and offset go to the zip64 field together: miniz (torch's reader) checks a 32-bit offset against
        // the file size whenever the sizes are not zip64, so an offset alone in the field reads as corrupt to it.
        boolean z64 = e.size >= zip64Threshold || e.localOffset >= zip64Threshold;
        boolean bigSize = z64;
        boolean bigOffset = z64;
        int extra = z64 ? 24 : 0;
        ByteBuffer h = ByteBuffer.allocate(46 + n.length + (extra > 0 ? 4 + extra : 0)).order(ByteOrder.LITTLE_ENDIAN);
        short version = (short) (extra > 0 ? 45 : 20);
        h.putInt(0x02014b50).putShort(version).putShort(version).putShort((short) 0).putShort((short) ZipIndex.STORED);
        h.putShort((short) 0).putShort(DOS_DATE).putInt(e.crc);
        h.putInt(bigSize ? -1 : (int) e.size).putInt(bigSize ? -1 : (int) e.size);
        h.putShort((short) n.length).putShort((short) (extra > 0 ? 4 + extra : 0)).putShort((short) 0);
        h.putShort((short) 0).putShort((short) 0).putInt(0).putInt(bigOffset ? -1 : (int) e.localOffset).put(n);
        if (extra > 0) {
          h.putShort((short) 1).putShort((short) extra);
          if (bigSize) h.putLong(e.size).putLong(e.size);
          if (bigOffset) h.putLong(e.localOffset);
        }
        writeFully(h.flip());
      }
      long size = pos - start;
      boolean z64 = entries.size() >= 0xFFFF || start >= zip64Threshold || size >= zip64Threshold;
      ByteBuffer end = ByteBuffer.allocate((z64 ? 56 + 20 : 0) + 22).order(ByteOrder.LITTLE_ENDIAN);
      if (z64) {
        long record = pos;
        end.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0);
        end.putLong(entries.size()).putLong(entries.size()).putLong(size).putLong(start);
        end.putInt(0x07064b50).putInt(0).putLong(record).putInt(1);
      }
      short count = (short) (z64 ? 0xFFFF : entries.size());
      end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort(count).putShort(count);
      end.putInt(z64 ? -1 : (int) size).putInt(z64 ? -1 : (int) start).putShort((short) 0);
      writeFully(end.flip());
    }

    private void writeFully(ByteBuffer b) throws IOException {
      while (b.hasRemaining()) pos += ch.write(b, pos);
    }

    /** The state dict as torch.save pickles it (protocol 2), without the _metadata attribute that torch.load does not need. */
    private byte[] pickle() {
      PickleOut p = new PickleOut();
      p.op(0x80).op(2); // PROTO 2
      p.global("collections", "OrderedDict").op(')').op('R'); // OrderedDict()
      for (int i = 0; i < tensors.size(); i++) {
        // Python's pickler batches SETITEMS by 1000 pairs; any batch size reads the same.
        if (i % 1000 == 0) p.op('(');
        Meta m = tensors.get(i);
        p.string(m.name);
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op('('); // args
        long numel = 1;
        for (long d : m.shape) numel *= d;
        p.op('(').memoString("storage").global("torch", m.dtype.storageClass).string(m.key).memoString("cpu").integer(numel).op('t');
        p.op('Q'); // BINPERSID
        p.integer(0); // storage_offset
        long[] stride = new long[m.shape.length];
        long step = 1;
        for (int d = m.shape.length - 1; d >= 0; d--) {
          stride[d] = step;
          step *= m.shape[d];
        }
        p.tuple(m.shape).tuple(stride).op(0x89); // requires_grad False
        p.global("collections", "OrderedDict").op(')').op('R'); // backward_hooks OrderedDict()
        p.op('t').op('R');
        if (i % 1000 == 999 || i == tensors.size() - 1) p.op('u'); // SETITEMS
      }
      p.op('.');
      return p.bytes();
    }
  }

  /** 1980-01-01, the earliest DOS date: a fixed timestamp keeps the output a function of the tensors alone. */
  private static final short DOS_DATE = (1 << 5) | 1;

  /** Round-to-nearest-even F32 -> BF16 (what torch's .to(torch.bfloat16) does); NaN stays a quiet NaN. */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The few pickle opcodes the writer emits, with a memo for repeated globals and strings. */
  private static final class PickleOut {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memo = new LinkedHashMap<>();

    PickleOut op(int code) {
      out.write(code);
      return this;
    }

    PickleOut string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X').le(b.length, 4);
      out.writeBytes(b);
      return this;
    }

    /** A string or global written once, then fetched from the memo (BINPUT / BINGET, LONG_ forms past 255). */
    private boolean fromMemo(String key) {
      Integer i = memo.get(key);
      if (i == null) return false;
      if (i < 256) op('h').op(i);
      else op('j').le(i, 4);
      return true;
    }

    private void remember(String key) {
      int i = memo.size();
      memo.put(key, i);
      if (i < 256) op('q').op(i);
      else op('r').le(i, 4);
    }

    PickleOut memoString(String s) {
      if (!fromMemo("s:" + s)) {
        string(s);
        remember("s:" + s);
      }
      return this;
    }

    PickleOut global(String module, String name) {
      String key = "g:" + module + " " + name;
      if (!fromMemo(key)) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        remember(key);
      }
      return this;
    }

    PickleOut integer(long v) {
      if (v >= 0 && v < 256) return op('K').op((int) v);
      if (v >= 0 && v < 65536) return op('M').le(v, 2);
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').le(v, 4);
      int n = 8; // LONG1: the shortest two's complement little-endian form
      while (n > 1 && ((v >> (8 * (n - 1) - 1)) == 0 || (v >> (8 * (n - 1) - 1)) == -1)) n--;
      return op(0x8a).op(n).le(v, n);
    }

    PickleOut tuple(long[] values) {
      if (values.length == 0) return op(')');
      if (values.length > 3) op('(');
      for (long v : values) integer(v);
      return op(switch (values.length) {
        case 1 -> 0x85;
        case 2 -> 0x86;
        case 3 -> 0x87;
        default -> 't';
      });
    }

    private PickleOut le(long v, int bytes) {
      for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)) & 0xff);
      return this;
    }

    byte[] bytes() { return out.toByteArray(); }
  }

  /** Storage element index (relative to the tensor's offset) of the next element in row-major order; advances the odometer. */
  private static long next(long[] odometer, long[] size, long[] stride) {
    long at = 0;
    for (int d = 0; d < odometer.length; d++) at += odometer[d] * stride[d];
    for (int d = odometer.length - 1; d >= 0; d--) {
      if (++odometer[d] < size[d]) break;
      odometer[d] = 0;
    }
    return at;
  }

  /** n elements from {@code src} (little-endian, starting at 0) widened into {@code dst}. */
  private static void widen(Dtype type, ByteBuffer src, int n, FloatBuffer dst) {
    switch (type) {
      case F32 -> dst.put(src.asFloatBuffer().limit(n));
      // BF16 is the top half of an F32; never create a BF16 NDArray (it aborts the JVM, djl.md).
      case BF16 -> { for (int i = 0; i < n; i++) dst.put(Float.intBitsToFloat((src.getShort(2 * i) & 0xffff) << 16)); }
      case F16 -> { for (int i = 0; i < n; i++) dst.put(Safetensors.halfToFloat(src.getShort(2 * i))); }
      default -> throw new IllegalStateException(type.name());
    }
  }

  private static float element(Dtype type, ByteBuffer src, long byteAt) {
    int at = Math.toIntExact(byteAt);
    return switch (type) {
      case F32 -> src.getFloat(at);
      case BF16 -> Float.intBitsToFloat((src.getShort(at) & 0xffff) << 16);
      case F16 -> Safetensors.halfToFloat(src.getShort(at));
      default -> throw new IllegalStateException(type.name());
    };
  }
}
