package org.mapd.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  static NDManager manager;
  @TempDir Path dir;

  @BeforeAll
  static void start() { manager = NDManager.newBaseManager(); }

  @AfterAll
  static void stop() { manager.close(); }

  @Test
  void roundTripKeepsValuesShapesTypesAndMetadata() throws IOException {
    Map<String, NDArray> t = new LinkedHashMap<>();
    t.put("a.weight", manager.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, -0.125f}, new Shape(2, 3)));
    t.put("b", manager.create(new long[] {-4, 9_000_000_000L}));
    t.put("scalar", manager.create(new float[] {42f}, new Shape()));
    Path file = dir.resolve("x.safetensors");
    Safetensors.save(file, t, Map.of("format", "pt"));
    Map<String, NDArray> back = Safetensors.load(manager, file);
    assertEquals(t.keySet(), back.keySet());
    assertEquals(new Shape(2, 3), back.get("a.weight").getShape());
    assertArrayEquals(t.get("a.weight").toFloatArray(), back.get("a.weight").toFloatArray());
    assertEquals(DataType.INT64, back.get("b").getDataType());
    assertArrayEquals(new long[] {-4, 9_000_000_000L}, back.get("b").toLongArray());
    assertEquals(42f, back.get("scalar").getFloat());
    String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    assertTrue(header.contains("\"__metadata__\":{\"format\":\"pt\"}"));
    long headerLen = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8, "data start is 8-byte aligned");
    assertEquals(1, Safetensors.load(manager, file, n -> n.startsWith("a.")).size());
  }

  @Test
  void decodesBf16AndF16() throws IOException {
    // bf16 0x3FC0 = 1.5, 0xC040 = -3.0; f16 0x3C00 = 1.0, 0xC500 = -5.0, 0x0001 = 2^-24 (subnormal), 0x7C00 = +inf.
    ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort((short) 0x3FC0).putShort((short) 0xC040);
    data.putShort((short) 0x3C00).putShort((short) 0xC500).putShort((short) 0x0001).putShort((short) 0x7C00);
    Path file = raw("{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"y\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[4,12]}}", data.array());
    Map<String, NDArray> t = Safetensors.load(manager, file);
    assertArrayEquals(new float[] {1.5f, -3f}, t.get("x").toFloatArray());
    assertEquals(DataType.FLOAT32, t.get("y").getDataType());
    assertArrayEquals(new float[] {1f, -5f, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("y").toFloatArray());
  }

  @Test
  void largeTensorsAreAssembledFromChunks() {
    float[] values = new float[35];
    for (int i = 0; i < values.length; i++) values[i] = i * 0.5f - 3f;
    Path file = dir.resolve("big.safetensors");
    float[] other = new float[11];
    for (int i = 0; i < other.length; i++) other[i] = 100 + i;
    Safetensors.save(file, Map.of("w", manager.create(values, new Shape(5, 7)), "v", manager.create(other)), Map.of());
    int saved = Safetensors.chunkElements;
    Safetensors.chunkElements = 8; // 35 elements -> 5 chunks, 11 -> 2, all through one reused buffer
    try {
      Map<String, NDArray> back = Safetensors.load(manager, file);
      assertEquals(new Shape(5, 7), back.get("w").getShape());
      assertArrayEquals(values, back.get("w").toFloatArray()); // not overwritten by v's chunks
      assertArrayEquals(other, back.get("v").toFloatArray());
    } finally {
      Safetensors.chunkElements = saved;
    }
  }

  @Test
  void shardedFolderFollowsTheIndex() throws IOException {
    Safetensors.save(dir.resolve("s1.safetensors"), Map.of("p", manager.create(new float[] {1, 2})), Map.of());
    Safetensors.save(dir.resolve("s2.safetensors"), Map.of("q", manager.create(new float[] {3})), Map.of());
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"metadata\":{},\"weight_map\":{\"p\":\"s1.safetensors\",\"q\":\"s2.safetensors\"}}");
    Map<String, NDArray> t = Safetensors.load(manager, dir);
    assertArrayEquals(new float[] {1, 2}, t.get("p").toFloatArray());
    assertArrayEquals(new float[] {3}, t.get("q").toFloatArray());
    Files.writeString(dir.resolve("model.safetensors.index.json"),
        "{\"weight_map\":{\"p\":\"s1.safetensors\",\"r\":\"s1.safetensors\"}}");
    assertError(dir, "tensor r missing");
  }

  @Test
  void badFilesFailWithNamedErrors() throws IOException {
    byte[] four = new byte[4];
    assertError(Files.write(dir.resolve("short"), new byte[3]), "truncated");
    assertError(rawLen(1L << 40, new byte[0]), "header length");
    assertError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", four), "tensor w: data_offsets");
    assertError(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", four), "tensor w: 4 bytes for shape");
    assertError(raw("{\"w\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", four), "unsupported dtype Q4");
    assertError(raw("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
        + "\"v\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[2,4]}}", four), "overlaps");
    assertError(raw("[1,2]", four), "not a JSON object");
    assertError(raw("{\"w\":{\"shape\":[1]}}", four), "tensor w: needs dtype");
    assertError(Files.createDirectory(dir.resolve("empty")), "neither model.safetensors");
  }

  private void assertError(Path file, String expected) {
    var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.load(manager, file));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
  }

  private int files;

  private Path raw(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return Files.write(dir.resolve("t" + files++ + ".safetensors"), b.array());
  }

  private Path rawLen(long len, byte[] rest) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(len).put(rest);
    return Files.write(dir.resolve("t" + files++ + ".safetensors"), b.array());
  }
}
