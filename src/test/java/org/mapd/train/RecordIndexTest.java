package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.data.LlavaRecord;

class RecordIndexTest {
  @TempDir Path dir;

  @Test
  void arrayRecordsAreReadByPositionThroughTheIndex() throws Exception {
    Path file = dir.resolve("d.json");
    Files.writeString(file, "[\n {\"id\": \"a\", \"image\": \"x/1.jpg\", \"conversations\": [{\"from\": \"human\", \"value\": \"]}[{\\\"\"}]},\n"
        + "{\"id\": \"b\", \"conversations\": []} ,{\"id\":\"é\",\"conversations\":[]}]");
    try (RecordIndex index = RecordIndex.open(file, dir.resolve("idx/d.idx"), RecordIndex.Layout.JSON_ARRAY)) {
      assertEquals(3, index.size());
      assertEquals("]}[{\"", index.read(0, LlavaRecord.class).conversations().get(0).value());
      assertEquals("b", index.read(1, LlavaRecord.class).id());
      assertEquals("é", index.read(2, LlavaRecord.class).id()); // byte offsets, not characters
      assertThrows(IllegalArgumentException.class, () -> index.bytes(3));
    }
    long built = Files.getLastModifiedTime(dir.resolve("idx/d.idx")).toMillis();
    Thread.sleep(20);
    try (RecordIndex again = RecordIndex.open(file, dir.resolve("idx/d.idx"), RecordIndex.Layout.JSON_ARRAY)) {
      assertEquals(built, Files.getLastModifiedTime(dir.resolve("idx/d.idx")).toMillis(), "an index that matches is reused");
    }
    Files.writeString(file, "[{\"id\": \"only\", \"conversations\": []}]");
    try (RecordIndex changed = RecordIndex.open(file, dir.resolve("idx/d.idx"), RecordIndex.Layout.JSON_ARRAY)) {
      assertEquals(1, changed.size(), "a data file of another size gets a new index");
      assertEquals("only", changed.read(0, LlavaRecord.class).id());
    }
  }

  @Test
  void linesSkipBlanksAndBadInputIsNamed() throws Exception {
    Path file = dir.resolve("m.jsonl");
    Files.write(file, "{\"a\":1}\n\n  \n{\"a\":2}\n{\"a\":3}".getBytes(StandardCharsets.UTF_8));
    try (RecordIndex index = RecordIndex.open(file, dir.resolve("m.idx"), RecordIndex.Layout.JSON_LINES)) {
      assertEquals(3, index.size());
      assertEquals("{\"a\":3}", new String(index.bytes(2), StandardCharsets.UTF_8));
    }
    Path cut = dir.resolve("cut.json");
    Files.writeString(cut, "[{\"id\": \"a\"}, {\"id\": ");
    Exception e = assertThrows(Exception.class, () -> RecordIndex.open(cut, dir.resolve("cut.idx"), RecordIndex.Layout.JSON_ARRAY));
    assertTrue(e.getMessage().contains("cut.json"), e.getMessage());
    Path wrong = dir.resolve("w.json");
    Files.writeString(wrong, "[{\"id\": 5, \"conversations\": 3}]");
    try (RecordIndex index = RecordIndex.open(wrong, dir.resolve("w.idx"), RecordIndex.Layout.JSON_ARRAY)) {
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> index.read(0, LlavaRecord.class));
      assertTrue(bad.getMessage().startsWith(wrong + ": record 0: "), bad.getMessage());
    }
  }
}
