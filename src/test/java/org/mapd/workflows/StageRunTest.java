package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A retry's log line names what it really continues from: the stage folder on disk, not the heartbeat. */
class StageRunTest {
  @TempDir Path dir;

  @Test
  void resumePointIsTheNewestCompleteCheckpointOnDisk() throws Exception {
    assertEquals("from the start (nothing to resume from on disk)", StageRun.resumePoint(dir));

    for (String step : new String[] {"step-0000100", "step-0000200"}) {
      Files.createDirectories(dir.resolve("checkpoints/" + step));
      Files.writeString(dir.resolve("checkpoints/" + step + "/state.json"), "{}");
    }
    // A half-written checkpoint of a killed attempt: no state.json, or still in its temporary folder.
    Files.createDirectories(dir.resolve("checkpoints/step-0000300"));
    Files.createDirectories(dir.resolve("checkpoints/.tmp-step-0000400123"));
    assertEquals("from its newest checkpoint on disk, step-0000200", StageRun.resumePoint(dir));
  }

  @Test
  void evaluationResumesAfterItsSamples() throws Exception {
    Files.writeString(dir.resolve("samples.jsonl"), "{}\n");
    assertEquals("after the queries already in samples.jsonl", StageRun.resumePoint(dir));
  }
}
