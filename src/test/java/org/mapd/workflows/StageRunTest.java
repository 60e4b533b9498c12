package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mapd.DiskFull;
import org.mapd.train.NonFiniteLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry's log line names what it really continues from: the stage folder on disk, not the heartbeat; errors a
 * retry would only repeat are not retried.
 */
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

  @Test
  void aNanLossAndAFullDiskAreNotRetriedAndSayWhatHappened() {
    NonFiniteLoss nan = new NonFiniteLoss("loss is NaN", 7, 0, 12, "/w/checkpoints/step-0000006");
    ApplicationFailure f = StageRun.notRetryable("Finetune", new IllegalStateException("wrapped", nan));
    assertTrue(f.isNonRetryable());
    assertEquals(StageOptions.NON_FINITE, f.getType());
    assertEquals("Finetune: loss is NaN at step 7 (epoch 0, micro-step 12); last good checkpoint: "
        + "/w/checkpoints/step-0000006", f.getOriginalMessage());

    DiskFull full = new DiskFull(Path.of("/w/stages/x/checkpoints"), 4096, 100, new IOException("No space left on device"));
    ApplicationFailure d = StageRun.notRetryable("Pretrain", full);
    assertTrue(d.isNonRetryable());
    assertEquals(StageOptions.DISK_FULL, d.getType());
    assertEquals("Pretrain: no space left in /w/stages/x/checkpoints: 4096 bytes needed, 100 free", d.getOriginalMessage());

    assertNull(StageRun.notRetryable("Evaluate", new UncheckedIOException(new IOException("connection reset"))));
  }
}
