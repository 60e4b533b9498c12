package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hostile and broken checkpoints: each must fail with one IllegalArgumentException naming the file and what is wrong,
 * never run anything, read out of bounds, allocate what the file does not hold, or hang. The zips here are built with
 * java.util.zip, independently of TorchCheckpoint's writer.
 */
class TorchCheckpointSafetyTest {
  static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  @ParameterizedTest
  @CsvSource({"posix, system", "builtins, eval", "builtins, exec", "nt, system", "os, system", "subprocess, Popen",
      "torch, load", "torch._utils, _rebuild_device_tensor_from_numpy", "collections, defaultdict", "__builtin__, eval"})
  void globalsOutsideTheWhitelistAreRefusedBeforeAnythingIsCalled(String module, String name) throws IOException {
    // pickle.dumps of os.system("echo pwned") in the form protocol 2 uses: GLOBAL, argument tuple, REDUCE.
    Pickle p = new Pickle().proto().global(module, name).string("echo pwned").op(0x85).op('R').op('.');
    assertRefused(zip(p.bytes(), Map.of()), "offset 2: GLOBAL " + module + "." + name + " is not allowed");
  }

  @Test
  void stackGlobalIsCheckedAsGlobalIs() throws IOException {
    Pickle p = new Pickle().proto().shortString("builtins").shortString("eval").op(0x93).string("1").op(0x85).op('R').op('.');
    assertRefused(zip(p.bytes(), Map.of()), "GLOBAL builtins.eval is not allowed");
  }

  @ParameterizedTest
  @CsvSource({"105, opcode 0x69 ('i')", "111, opcode 0x6f ('o')", "129, opcode 0x81", "130, opcode 0x82", "66, opcode 0x42 ('B')",
      "93, opcode 0x5d (']')", "80, opcode 0x50 ('P')", "99, GLOBAL zipfile.ZipFile", "0, opcode 0x00"})
  void opcodesAStateDictDoesNotUseAreRefused(int opcode, String expected) throws IOException {
    // INST, OBJ, NEWOBJ, EXT1, BINBYTES, EMPTY_LIST, PERSID; 'c' with an unknown global; a zero byte.
    Pickle p = new Pickle().proto().op('}').op(opcode);
    if (opcode == 'c') p.raw("zipfile\nZipFile\n".getBytes(StandardCharsets.US_ASCII));
    assertRefused(zip(p.op('.').bytes(), Map.of()), "offset 3: " + expected);
  }

  @Test
  void aStorageClassIsNotCallableAndHooksMustBeEmpty() throws IOException {
    assertRefused(zip(new Pickle().proto().global("torch", "FloatStorage").string("x").op(0x85).op('R').op('.').bytes(), Map.of()),
        "REDUCE of torch.FloatStorage");
    Pickle hooks = tensorPickle("FloatStorage", 6, 0, new long[] {6}, new long[] {1}, p -> p.string("k").op('K').op(1).op('s'));
    assertRefused(zip(hooks.bytes(), Map.of("0", new byte[24])), "backward_hooks must be an empty dict");
  }

  @Test
  void aValidHandMadeCheckpointLoads() throws IOException {
    ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) data.putFloat(i + 0.5f);
    Path file = zip(tensorPickle("FloatStorage", 6, 2, new long[] {2, 2}, new long[] {1, 2}, null).bytes(), Map.of("0", data.array()));
    NDArray t = TorchCheckpoint.load(manager, file).get("t");
    assertEquals(new Shape(2, 2), t.getShape());
    // offset 2, stride (1, 2): rows read storage 2,4 and 3,5.
    assertEquals(Arrays.toString(new float[] {2.5f, 4.5f, 3.5f, 5.5f}), Arrays.toString(t.toFloatArray()));
  }

  @Test
  void storagesAndViewsThatDoNotFitAreRefused() throws IOException {
    Map<String, byte[]> six = Map.of("0", new byte[24]);
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {6}, new long[] {1}, null).bytes(), Map.of("0", new byte[20])),
        "storage archive/data/0 holds 20 bytes, but the pickle claims 6 elements of torch.FloatStorage (24 bytes)");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {3, 4}, new long[] {4, 1}, null).bytes(), six),
        "12 elements but its storage holds 6");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 5, new long[] {2}, new long[] {1}, null).bytes(), six),
        "reach element 6 of a storage of 6");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {2, 3}, new long[] {-3, 1}, null).bytes(), six),
        "negative stride -3 in dim 0");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {2, 3}, new long[] {1L << 62, 1}, null).bytes(), six),
        "reach element 4611686018427387906 of a storage of 6");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {3, 1}, new long[] {Long.MAX_VALUE, 1}, null).bytes(), six),
        "overflows");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {1L << 40, 1L << 40}, new long[] {1, 1}, null).bytes(), six),
        "overflows");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {1L << 40}, new long[] {0}, null).bytes(), six),
        "elements but its storage holds 6"); // an expanded view: never allocated
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {-2, -3}, new long[] {3, 1}, null).bytes(), six),
        "negative size -2 in dim 0");
    assertRefused(zip(tensorPickle("FloatStorage", 6, -1, new long[] {2}, new long[] {1}, null).bytes(), six),
        "negative storage offset -1");
    assertRefused(zip(tensorPickle("FloatStorage", 1L << 62, 0, new long[] {2}, new long[] {1}, null).bytes(), six),
        "storage numel 4611686018427387904 overflows");
    assertRefused(zip(tensorPickle("FloatStorage", 6, 0, new long[] {6}, new long[] {1}, null).bytes(), Map.of("1", new byte[24])),
        "storage entry archive/data/0 is missing");
    assertRefused(zip(tensorPickle("DoubleStorage", 6, 0, new long[] {6}, new long[] {1}, null).bytes(), six),
        "GLOBAL torch.DoubleStorage is not allowed");
  }

  @Test
  void picklesThatWouldExhaustMemoryOrStackAreRefused() throws IOException {
    byte[] marks = new byte[1_000_000];
    Arrays.fill(marks, (byte) '(');
    assertRefused(zip(new Pickle().proto().raw(marks).bytes(), Map.of()), "MARK nesting deeper than 64");
    assertRefused(zip(new Pickle().proto().op('X').raw(new byte[] {-1, -1, -1, 0x7f}).bytes(), Map.of()),
        "offset 2: string of 2147483647 bytes (limit 65536)");
    assertRefused(zip(new Pickle().proto().op('X').raw(new byte[] {-1, -1, -1, -1}).bytes(), Map.of()), "string of 4294967295 bytes");
    assertRefused(zip(new Pickle().proto().op('X').raw(new byte[] {100, 0, 0, 0}).raw(new byte[10]).bytes(), Map.of()),
        "truncated pickle: wants 100 more bytes, 10 left");
    byte[] tuples = new byte[200_000];
    Arrays.fill(tuples, (byte) ')');
    assertRefused(zip(new Pickle().proto().raw(tuples).bytes(), Map.of()), "stack deeper than 100000");
    assertRefused(zip(new Pickle().proto().op('h').op(7).bytes(), Map.of()), "memo index 7 was never set");
    assertRefused(zip(new Pickle().proto().op('R').bytes(), Map.of()), "stack underflow");
    assertRefused(zip(new Pickle().proto().op(0x8a).op(9).raw(new byte[9]).bytes(), Map.of()), "LONG1 of 9 bytes");
    assertRefused(zip(new Pickle().proto().op('}').bytes(), Map.of()), "truncated pickle"); // no STOP
    assertRefused(zip(new Pickle().proto().string("x").op('.').bytes(), Map.of()), "holds a string, not a state dict");
    // A dict that holds itself (d["k"] = (d,), through the memo) as a storage class: named, never printed.
    Pickle cyclic = new Pickle().proto().op('(').string("storage").op('}').op('q').op(0).string("k").op('h').op(0).op(0x85).op('s');
    assertRefused(zip(cyclic.string("0").string("cpu").op('K').op(6).op('t').op('Q').bytes(), Map.of()),
        "persistent id storage class a dict is not a torch storage class");
    assertRefused(zip(new Pickle().proto().op('}').string("x").op('K').op(3).op('s').op('.').bytes(), Map.of()),
        "state dict entry x is an int, not a tensor");
  }

  @Test
  void everyCutOfAValidFileIsRefusedCleanly() throws IOException {
    byte[] whole = Files.readAllBytes(valid());
    for (int len = 0; len < whole.length; len++) {
      Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(whole, len));
      var e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.load(manager, cut), "cut at " + len);
      assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }
  }

  @Test
  void lyingZipDirectoriesAreRefused() throws IOException {
    byte[] whole = Files.readAllBytes(valid());
    ByteBuffer b = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = whole.length - 22;
    int dirStart = b.getInt(eocd + 16);
    byte[] copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(eocd + 16, dirStart + 1_000_000);
    assertRefused(Files.write(dir.resolve("dir.bin"), copy), "does not fit before offset");
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(eocd + 10, (short) 0xfffe);
    assertRefused(Files.write(dir.resolve("count.bin"), copy), "central directory [");
    // data.pkl's central record claims 1 TB uncompressed.
    int pkl = indexOf(whole, "archive/data.pkl".getBytes(StandardCharsets.US_ASCII), dirStart) - 46;
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(pkl + 24, -1).putInt(pkl + 20, -1);
    assertRefused(Files.write(dir.resolve("pkl.bin"), copy), "needs a zip64 extra field");
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(pkl + 24, 1 << 30);
    assertRefused(Files.write(dir.resolve("pkl2.bin"), copy), "stored entry archive/data.pkl claims 1073741824 bytes but stores");
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(pkl + 10, (short) 8).putInt(pkl + 24, 1 << 30); // a "zip bomb"
    assertRefused(Files.write(dir.resolve("pkl3.bin"), copy), "entry archive/data.pkl has 1073741824 bytes (limit 67108864)");
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(pkl + 10, (short) 12); // bzip2
    assertRefused(Files.write(dir.resolve("bz.bin"), copy), "compression method 12");
    int storage = indexOf(whole, "archive/data/0".getBytes(StandardCharsets.US_ASCII), dirStart) - 46;
    copy = whole.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(storage + 24, 1000); // reads past its data if believed
    assertRefused(Files.write(dir.resolve("size.bin"), copy), "stored entry archive/data/0 claims 1000 bytes but stores 12");
    assertRefused(Files.write(dir.resolve("text.bin"), "not a zip at all, but long enough to hold an end record".getBytes()),
        "no end of central directory record");
  }

  /**
   * Seeded random corruption of a small valid checkpoint (bytes of the zip structure and of the pickle, flipped or
   * overwritten): every outcome is a clean load or an IllegalArgumentException naming the file, nothing else.
   */
  @Test
  void randomCorruptionsLoadOrFailCleanly() throws IOException {
    byte[] whole = Files.readAllBytes(valid());
    Random random = new Random(2026);
    int refused = 0;
    for (int trial = 0; trial < 1500; trial++) {
      byte[] bad = whole.clone();
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        int at = random.nextInt(bad.length);
        bad[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (bad[at] ^ (1 << random.nextInt(8)));
      }
      Path file = Files.write(dir.resolve("fuzz.bin"), bad);
      try (NDManager m = manager.newSubManager()) {
        TorchCheckpoint.load(m, file);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        refused++;
      } catch (RuntimeException | Error e) {
        fail("trial " + trial + ": " + e, e);
      }
    }
    assertTrue(refused > 50, "most corruptions of structure are caught: " + refused);
  }

  // ---- helpers

  private Path valid() {
    Map<String, NDArray> t = new LinkedHashMap<>();
    t.put("w", manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
    t.put("ids", manager.create(new long[] {0, 1, 2}));
    t.put("s", manager.create(new float[] {7}, new Shape()));
    Path file = dir.resolve("valid.bin");
    TorchCheckpoint.save(file, t, TorchCheckpoint.Dtype.BF16);
    return file;
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    throw new IllegalStateException("not found");
  }

  private void assertRefused(Path file, String expected) {
    var e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.load(manager, file));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
    assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
  }

  private int files;

  /** A torch.save-shaped zip (archive/data.pkl, archive/data/KEY) written by java.util.zip, stored like torch's. */
  private Path zip(byte[] pickle, Map<String, byte[]> storages) throws IOException {
    Path file = dir.resolve("c" + files++ + ".bin");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
      stored(out, "archive/data.pkl", pickle);
      for (Map.Entry<String, byte[]> e : storages.entrySet()) stored(out, "archive/data/" + e.getKey(), e.getValue());
      stored(out, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return file;
  }

  private static void stored(ZipOutputStream out, String name, byte[] data) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    e.setCrc(crc.getValue());
    out.putNextEntry(e);
    out.write(data);
    out.closeEntry();
  }

  /** {"t": _rebuild_tensor_v2(('storage', torch.CLASS, '0', 'cpu', numel), offset, size, stride, False, hooks)}. */
  private static Pickle tensorPickle(String storageClass, long numel, long offset, long[] size, long[] stride,
      java.util.function.Consumer<Pickle> hooks) {
    Pickle p = new Pickle().proto().op('}').string("t").global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').string("storage").global("torch", storageClass).string("0").string("cpu").integer(numel).op('t').op('Q');
    p.integer(offset).tuple(size).tuple(stride).op(0x89);
    p.global("collections", "OrderedDict").op(')').op('R');
    if (hooks != null) hooks.accept(p);
    return p.op('t').op('R').op('s').op('.');
  }

  /** Pickle bytes by hand. */
  private static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int code) {
      out.write(code);
      return this;
    }

    Pickle raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Pickle proto() { return op(0x80).op(2); }

    Pickle string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op('X');
      for (int i = 0; i < 4; i++) out.write(b.length >>> (8 * i));
      return raw(b);
    }

    Pickle shortString(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op(0x8c).op(b.length).raw(b);
    }

    Pickle global(String module, String name) {
      return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** LONG1 with 8 bytes: any long, negative ones included. */
    Pickle integer(long v) {
      op(0x8a).op(8);
      for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
      return this;
    }

    Pickle tuple(long[] values) {
      op('(');
      for (long v : values) integer(v);
      return op('t');
    }

    byte[] bytes() { return out.toByteArray(); }
  }
}
