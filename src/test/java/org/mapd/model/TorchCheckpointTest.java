package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TorchCheckpoint on files real torch.save wrote (parity/torch-formats, by tools/make_parity_fixtures.py), and its
 * writer: round trips, streaming, zip64, and a file that real torch.load was shown to read.
 */
class TorchCheckpointTest {
  static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  static Path formats() {
    try {
      var url = TorchCheckpointTest.class.getResource("/parity/torch-formats");
      assertNotNull(url, "fixture folder parity/torch-formats is missing (run tools/make_parity_fixtures.py)");
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Every tensor torch.save wrote equals torch's own view of it: OrderedDict with _metadata (BUILD), plain dict,
   * protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL), deflated entries, strided views, offsets, shared storages, BF16/F16/I64,
   * 0-d, empty, nn.Parameter.
   */
  @ParameterizedTest
  @CsvSource({"state_dict.bin, state_dict.bin", "views.bin, views.bin", "protocol4.bin, views.bin", "deflated.bin, state_dict.bin"})
  void readsWhatTorchSaveWrote(String file, String expectedPrefix) {
    Map<String, NDArray> expected = Safetensors.load(manager, formats().resolve("expected.safetensors"));
    Map<String, NDArray> got = TorchCheckpoint.load(manager, formats().resolve(file));
    int compared = 0;
    for (Map.Entry<String, NDArray> e : expected.entrySet()) {
      if (!e.getKey().startsWith(expectedPrefix + ":")) continue;
      String name = e.getKey().substring(expectedPrefix.length() + 1);
      NDArray a = got.get(name);
      assertNotNull(a, file + " lacks " + name);
      assertEquals(e.getValue().getShape(), a.getShape(), name);
      assertEquals(e.getValue().getDataType(), a.getDataType(), name);
      if (a.getDataType() == DataType.INT64) assertArrayEquals(e.getValue().toLongArray(), a.toLongArray(), name);
      else assertArrayEquals(e.getValue().toFloatArray(), a.toFloatArray(), name); // exact: widening loses nothing
      compared++;
    }
    assertEquals(got.size(), compared, "every tensor of " + file + " compared");
    assertTrue(compared >= 5, file);
  }

  @Test
  void describeGivesStoredTypesAndShapesWithoutReadingData() {
    Map<String, TorchCheckpoint.TensorInfo> info = new LinkedHashMap<>();
    for (var t : TorchCheckpoint.describe(formats().resolve("views.bin"))) info.put(t.name(), t);
    assertEquals(List.of("base", "row", "transposed", "corner", "every_other", "bf16_t", "f16", "f16_col", "ints_t", "scalar",
        "empty", "param"), List.copyOf(info.keySet()), "pickle order is kept");
    assertEquals(TorchCheckpoint.Dtype.BF16, info.get("bf16_t").dtype());
    assertEquals(new Shape(3, 2), info.get("bf16_t").shape());
    assertEquals(TorchCheckpoint.Dtype.F16, info.get("f16_col").dtype());
    assertEquals(TorchCheckpoint.Dtype.I64, info.get("ints_t").dtype());
    assertEquals(new Shape(), info.get("scalar").shape());
    assertEquals(new Shape(0, 3), info.get("empty").shape());
  }

  @Test
  void keepConvertsOnlyTheWantedTensors() {
    Map<String, NDArray> got = TorchCheckpoint.load(manager, formats().resolve("views.bin"), n -> n.startsWith("f16"));
    assertEquals(List.of("f16", "f16_col"), List.copyOf(got.keySet()));
    assertEquals(DataType.FLOAT32, got.get("f16").getDataType());
  }

  @Test
  void legacyFormatIsRefusedWithAHint() {
    Path legacy = formats().resolve("legacy.bin");
    var e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.load(manager, legacy));
    assertTrue(e.getMessage().startsWith(legacy + ": legacy torch.save format"), e.getMessage());
  }

  @Test
  void writerRoundTripsF32Bf16AndI64() {
    Map<String, NDArray> t = new LinkedHashMap<>();
    t.put("w", manager.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -0.125f}, new Shape(2, 3)));
    t.put("ids", manager.create(new long[] {-4, 9_000_000_000L, 7}, new Shape(1, 3)));
    t.put("scalar", manager.create(new float[] {42f}, new Shape()));
    t.put("empty", manager.zeros(new Shape(0, 4)));
    t.put("cube", manager.arange(24f).reshape(2, 3, 4).transpose(2, 0, 1)); // non-contiguous input is fine
    Path f32 = dir.resolve("f32.bin");
    TorchCheckpoint.save(f32, t, TorchCheckpoint.Dtype.F32);
    Map<String, NDArray> back = TorchCheckpoint.load(manager, f32);
    assertEquals(List.copyOf(t.keySet()), List.copyOf(back.keySet()));
    for (String k : t.keySet()) {
      assertEquals(t.get(k).getShape(), back.get(k).getShape(), k);
      assertEquals(t.get(k).getDataType(), back.get(k).getDataType(), k);
    }
    assertArrayEquals(t.get("w").toFloatArray(), back.get("w").toFloatArray());
    assertArrayEquals(new long[] {-4, 9_000_000_000L, 7}, back.get("ids").toLongArray());
    assertEquals(42f, back.get("scalar").getFloat());
    assertArrayEquals(t.get("cube").toFloatArray(), back.get("cube").toFloatArray());

    // BF16: round to nearest even. 1 + 2^-8 is a tie between 1 and 1 + 2^-7 (goes to the even 1); 1 + 3*2^-8 goes up;
    // 1 + 2^-8 + 2^-20 is above the tie (goes up); -0 and infinities survive.
    float[] v = {1f + 0x1p-8f, 1f + 3 * 0x1p-8f, 1f + 0x1p-8f + 0x1p-20f, -0f, Float.NEGATIVE_INFINITY, 3.3895314e38f};
    float[] rounded = {1f, 1f + 0x1p-6f, 1f + 0x1p-7f, -0f, Float.NEGATIVE_INFINITY, 3.3895314e38f};
    Path bf16 = dir.resolve("bf16.bin");
    TorchCheckpoint.save(bf16, Map.of("v", manager.create(v), "ids", manager.create(new long[] {3})), TorchCheckpoint.Dtype.BF16);
    assertEquals(TorchCheckpoint.Dtype.BF16, TorchCheckpoint.describe(bf16).stream().filter(i -> i.name().equals("v")).findFirst().orElseThrow().dtype());
    assertArrayEquals(rounded, TorchCheckpoint.load(manager, bf16).get("v").toFloatArray());
    assertEquals(TorchCheckpoint.Dtype.I64, TorchCheckpoint.describe(bf16).stream().filter(i -> i.name().equals("ids")).findFirst().orElseThrow().dtype());
  }

  @Test
  void writerStreamsInChunksAlignsStoragesAndWritesAValidZip() throws IOException {
    float[] values = new float[35];
    for (int i = 0; i < values.length; i++) values[i] = i * 0.5f - 3f;
    Path file = dir.resolve("chunks.bin");
    int saved = Safetensors.chunkElements;
    Safetensors.chunkElements = 8; // 35 elements: 5 chunks written, 5 read, through one reused buffer each way
    try {
      TorchCheckpoint.save(file, Map.of("w", manager.create(values, new Shape(5, 7))), TorchCheckpoint.Dtype.F32);
      assertArrayEquals(values, TorchCheckpoint.load(manager, file).get("w").toFloatArray());
      TorchCheckpoint.save(file, Map.of("w", manager.create(values, new Shape(5, 7))), TorchCheckpoint.Dtype.BF16);
      assertArrayEquals(values, TorchCheckpoint.load(manager, file).get("w").toFloatArray()); // all exact in BF16
    } finally {
      Safetensors.chunkElements = saved;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ZipIndex zip = ZipIndex.read(file, ch);
      assertEquals(List.of("archive/data/0", "archive/data.pkl", "archive/byteorder", "archive/version"), List.copyOf(zip.entries().keySet()));
      for (ZipIndex.Entry e : zip.entries().values()) assertEquals(0, zip.dataOffset(e) % 64, e.name() + " is 64-byte aligned");
    }
    assertEquals(4, entriesThroughJdkZip(file), "java.util.zip reads every entry and its CRC");
  }

  @Test
  void zip64FieldsAreWrittenAndReadBack() throws IOException {
    long saved = TorchCheckpoint.zip64Threshold;
    TorchCheckpoint.zip64Threshold = 64; // every storage over 64 bytes and every offset past 64: zip64 fields
    Path file = dir.resolve("z64.bin");
    try {
      TorchCheckpoint.save(file, writerSample(), TorchCheckpoint.Dtype.F32);
    } finally {
      TorchCheckpoint.zip64Threshold = saved;
    }
    Map<String, NDArray> back = TorchCheckpoint.load(manager, file);
    assertArrayEquals(writerSample().get("b.weight").toFloatArray(), back.get("b.weight").toFloatArray());
    assertEquals(writerSample().size(), entriesThroughJdkZip(file) - 3, "java.util.zip reads the zip64 file too");
  }

  @Test
  void closingWithoutFinishLeavesNoFile() throws IOException {
    Path file = dir.resolve("partial.bin");
    try (TorchCheckpoint.Writer w = TorchCheckpoint.writer(file)) {
      w.add("a", manager.ones(new Shape(3)), TorchCheckpoint.Dtype.F32);
      var e = assertThrows(IllegalArgumentException.class, () -> w.add("a", manager.ones(new Shape(1)), TorchCheckpoint.Dtype.F32));
      assertTrue(e.getMessage().contains("tensor a added twice"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> w.add("h", manager.ones(new Shape(1)), TorchCheckpoint.Dtype.F16));
    }
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.toList(), "no checkpoint and no temp file remain");
    }
  }

  /**
   * The writer's bytes are those that real torch.load (Debian's torch 1.13, weights_only=True) was shown to read:
   * tools/make_parity_fixtures.py loaded java-written*.bin with torch.load and saved what it read beside them. A
   * writer change that alters the bytes fails here until the fixture is rewritten and re-checked with torch
   * (-Dmapd.torchFixtures=DIR writes the new files, tools/README.md).
   */
  @ParameterizedTest
  @CsvSource({"java-written.bin, 0", "java-written-zip64.bin, 64"})
  void writerOutputIsWhatTorchLoadRead(String name, long zip64Threshold) throws IOException {
    Path file = dir.resolve(name);
    long saved = TorchCheckpoint.zip64Threshold;
    if (zip64Threshold > 0) TorchCheckpoint.zip64Threshold = zip64Threshold;
    try (TorchCheckpoint.Writer w = TorchCheckpoint.writer(file)) {
      writerSample().forEach((k, a) -> w.add(k, a, k.startsWith("bf16.") ? TorchCheckpoint.Dtype.BF16
          : a.getDataType() == DataType.INT64 ? TorchCheckpoint.Dtype.I64 : TorchCheckpoint.Dtype.F32));
      w.finish();
    } finally {
      TorchCheckpoint.zip64Threshold = saved;
    }
    String regenerate = System.getProperty("mapd.torchFixtures");
    if (regenerate != null) Files.copy(file, Path.of(regenerate).resolve(name), StandardCopyOption.REPLACE_EXISTING);
    assertArrayEquals(Files.readAllBytes(formats().resolve(name)), Files.readAllBytes(file),
        "writer output changed: re-check it with torch.load (tools/README.md)");
    Map<String, NDArray> torchRead = Safetensors.load(manager, formats().resolve(name.replace(".bin", ".torch-load.safetensors")));
    Map<String, NDArray> ours = TorchCheckpoint.load(manager, file);
    JsonNode seen = HfConfig.LENIENT.readTree(formats().resolve(name.replace(".bin", ".torch-load.json")).toFile()).get("tensors");
    List<String> order = new ArrayList<>();
    seen.forEach(n -> order.add(n.get(0).asText() + " " + n.get(1).asText()));
    assertEquals(List.of("a.weight torch.float32", "b.weight torch.float32", "bf16.weight torch.bfloat16", "position_ids torch.int64",
        "scalar torch.float32", "empty torch.float32"), order, "torch.load saw every tensor, in order, with the dtype written");
    assertEquals(writerSample().keySet(), torchRead.keySet());
    for (String k : torchRead.keySet()) {
      assertEquals(torchRead.get(k).getShape(), ours.get(k).getShape(), k);
      if (ours.get(k).getDataType() == DataType.INT64) assertArrayEquals(torchRead.get(k).toLongArray(), ours.get(k).toLongArray(), k);
      else assertArrayEquals(torchRead.get(k).toFloatArray(), ours.get(k).toFloatArray(), k);
    }
  }

  /** Deterministic tensors of every kind the writer handles (no RNG, so the bytes never depend on the engine). */
  static Map<String, NDArray> writerSample() {
    Map<String, NDArray> t = new LinkedHashMap<>();
    float[] w = new float[4 * 6];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i * 0.7) * 3;
    t.put("a.weight", manager.create(w, new Shape(4, 6)));
    float[] b = new float[6];
    for (int i = 0; i < b.length; i++) b[i] = 1f / (i + 1);
    t.put("b.weight", manager.create(b));
    t.put("bf16.weight", manager.create(w, new Shape(2, 3, 4)));
    t.put("position_ids", manager.create(new long[] {0, 1, 2, 3, 4, 1L << 40}, new Shape(1, 6)));
    t.put("scalar", manager.create(new float[] {2.5f}, new Shape()));
    t.put("empty", manager.zeros(new Shape(0, 3)));
    return t;
  }

  private static int entriesThroughJdkZip(Path file) throws IOException {
    int n = 0;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        assertFalse(e.isDirectory());
        in.readAllBytes(); // ZipInputStream checks each entry's CRC and size at its end
        n++;
      }
    }
    return n;
  }
}
