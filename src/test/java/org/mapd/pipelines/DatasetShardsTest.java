package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetShardsTest {
  private static void shard(Path dir, String name, int order, long first, String... records) throws Exception {
    DatasetShards.Writer w = new DatasetShards.Writer(order, "mix");
    for (int i = 0; i < records.length; i++) {
      byte[] b = records[i].getBytes(StandardCharsets.UTF_8);
      w.add(first + i, b, 0, b.length);
    }
    w.write(dir.resolve(name + ".shard"));
  }

  /** The file as the old merge wrote it: "[" then the records joined by ",\n" between newlines, then "]". */
  private static String expected(String... records) {
    return records.length == 0 ? "[\n]\n" : "[\n" + String.join(",\n", records) + "\n]\n";
  }

  @Test
  void concatenatesInOrderAndDropsLaterCopiesAnywhere(@TempDir Path dir) throws Exception {
    String a = "{\"id\":\"a\"}", b = "{\"id\":\"b\"}", c = "{\"id\":\"ç\"}", d = "{\"id\":\"d\"}";
    // the first record of a shard, one in the middle and the very last one are copies
    shard(dir, "00-000000000000", 0, 0, a, b, a, c);
    shard(dir, "00-000000000004", 0, 4, a, d, b);
    List<String> dropped = new ArrayList<>();
    Path out = dir.resolve("out/x_dataset.json");
    long n = DatasetShards.merge(dir, out, (key, json) -> dropped.add(key + "=" + new String(json, StandardCharsets.UTF_8)));
    assertEquals(4, n);
    assertEquals(expected(a, b, c, d), Files.readString(out));
    assertEquals(List.of("00|000000000002|mix=" + a, "00|000000000004|mix=" + a, "00|000000000006|mix=" + b), dropped);
  }

  @Test
  void equalHashesOfDifferentRecordsKeepBoth(@TempDir Path dir) throws Exception {
    String a = "{\"id\":\"a\"}", b = "{\"id\":\"b\"}";
    shard(dir, "00-000000000000", 0, 0, a, b);
    // give b the hash of a: only the bytes may decide
    Path index = dir.resolve("00-000000000000.index");
    DataInputStream in = new DataInputStream(Files.newInputStream(index));
    int order = in.readInt();
    String source = in.readUTF();
    long[][] rows = new long[2][];
    int[] len = new int[2];
    for (int i = 0; i < 2; i++) {
      rows[i] = new long[] {in.readLong(), in.readLong(), in.readLong()};
      len[i] = in.readInt();
    }
    in.close();
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(index))) {
      o.writeInt(order);
      o.writeUTF(source);
      for (int i = 0; i < 2; i++) {
        o.writeLong(rows[i][0]);
        o.writeLong(rows[0][1]);
        o.writeLong(rows[i][2]);
        o.writeInt(len[i]);
      }
    }
    List<String> dropped = new ArrayList<>();
    Path out = dir.resolve("x.json");
    assertEquals(2, DatasetShards.merge(dir, out, (key, json) -> dropped.add(key)));
    assertEquals(expected(a, b), Files.readString(out));
    assertEquals(List.of(), dropped);
  }

  @Test
  void noShardsIsAnEmptyArray(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("x.json");
    assertEquals(0, DatasetShards.merge(dir, out, (key, json) -> { throw new AssertionError(key); }));
    assertEquals(expected(), Files.readString(out));
    // the summary's file for a dataset no range reached is the same
    Path empty = dir.resolve("y.json");
    DatasetShards.writeEmpty(empty);
    assertEquals(expected(), Files.readString(empty));
  }
}
