package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.train.MapperCheckpoint;

class StageKeyTest {
  @TempDir Path dir;

  StageKey key(Object section, Path conf) {
    return new StageKey("finetune", "modelavg", "gqa").value("section", section).file("conf", conf);
  }

  @Test
  void sameInputsSameFolderAnyChangeAnotherFolder() throws Exception {
    Path conf = dir.resolve("mapper.json");
    Files.writeString(conf, "{\"prefixLength\": 8}");
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("lr", 0.001);
    a.put("epochs", 2);
    Map<String, Object> reordered = new LinkedHashMap<>();
    reordered.put("epochs", 2);
    reordered.put("lr", 0.001);

    String name = key(a, conf).folderName();
    assertTrue(name.matches("finetune-modelavg-gqa-[0-9a-f]{12}"), name);
    assertEquals(name, key(reordered, conf).folderName(), "canonical JSON: key order does not matter");
    assertNotEquals(name, key(Map.of("lr", 0.002, "epochs", 2), conf).folderName());
    Files.writeString(conf, "{\"prefixLength\": 16}");
    assertNotEquals(name, key(a, conf).folderName(), "conf file contents are part of the address");
    assertNotEquals(new StageKey("a").value("x", "bc").folderName(),
        new StageKey("a").value("xb", "c").folderName());
  }

  @Test
  void doneFileIsTheStoredResult() {
    StageStore store = new StageStore(dir);
    Path stage = store.dir(new StageKey("pretrain").value("seed", 1));
    assertEquals(dir.resolve("stages"), stage.getParent());
    assertTrue(store.done(stage, MapperCheckpoint.class).isEmpty());
    store.markDone(stage, new MapperCheckpoint("x", 3, 0.25));
    assertEquals(new MapperCheckpoint("x", 3, 0.25), store.done(stage, MapperCheckpoint.class).orElseThrow());
  }
}
