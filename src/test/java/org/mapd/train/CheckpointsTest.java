package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.DiskFull;
import org.mapd.Progress;
import org.mapd.conf.TrainConfig;

/**
 * Checkpoints that can be trusted: a damaged one is skipped for the newest that verifies, a NaN stops training
 * before anything non-finite is written, and a full disk fails cleanly and resumes once space is back.
 */
class CheckpointsTest {
  private static final TrainConfig CFG = TrainLoopTest.config(2, 2, 0); // 6 steps, a checkpoint every 2

  @TempDir Path dir;

  /** An uninterrupted run's parameters and a run cut after step 5, which leaves step-2 and step-4. */
  private Map<String, float[]> full(NDManager manager) {
    return TrainLoopTest.values(TrainLoop.run(CFG, TrainLoopTest.init(manager, false), false,
        new TrainLoopTest.Toy(false), dir.resolve("full"), 1, Progress.NONE, manager).params());
  }

  private Path cutAfterStep5(NDManager manager) {
    Path out = dir.resolve("cut");
    Progress killAt6 = (s, t, l, c) -> {
      if (s == 5) throw new IllegalStateException("killed");
    };
    assertThrows(IllegalStateException.class, () -> TrainLoop.run(CFG, TrainLoopTest.init(manager, false), false,
        new TrainLoopTest.Toy(false), out, 1, killAt6, manager));
    assertEquals(List.of("step-0000002", "step-0000004"), names(out));
    return out;
  }

  private static List<String> names(Path out) {
    return new Checkpoints(out).complete().stream().map(p -> p.getFileName().toString()).toList();
  }

  private static TrainLoop.Result resume(Path out, NDManager manager) {
    return TrainLoop.run(CFG, TrainLoopTest.init(manager, false), false, new TrainLoopTest.Toy(false), out, 1,
        Progress.NONE, manager);
  }

  private static void assertSame(Map<String, float[]> a, Map<String, float[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), 1e-7f, k);
  }

  @Test
  void everyFileIsRecordedWithItsSizeAndHash() {
    try (NDManager manager = NDManager.newBaseManager()) {
      full(manager);
      for (Path c : new Checkpoints(dir.resolve("full")).complete()) {
        assertTrue(Files.exists(c.resolve(Checkpoints.CHECKSUMS)), c.toString());
        assertTrue(Checkpoints.verify(c, true).isEmpty(), c.toString());
      }
    }
  }

  @Test
  void aCheckpointDamagedInPlaceIsSkippedForTheNewestThatVerifies() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, float[]> full = full(manager);
      Path out = cutAfterStep5(manager);
      Path step4 = out.resolve("checkpoints/step-0000004");
      // One flipped bit in the last tensor byte: same size, so only the hash sees it.
      try (RandomAccessFile f = new RandomAccessFile(step4.resolve(Checkpoints.PARAMS).toFile(), "rw")) {
        f.seek(f.length() - 1);
        int b = f.read();
        f.seek(f.length() - 1);
        f.write(b ^ 1);
      }
      assertTrue(Checkpoints.verify(step4, true).orElseThrow().startsWith("params.safetensors has sha256 "));
      assertEquals(step4, Checkpoints.newest(out).orElseThrow()); // the cheap size check cannot see a flipped bit
      assertSame(full, TrainLoopTest.values(resume(out, manager).params()));
    }
  }

  @Test
  void aTornCheckpointIsSkippedAndTheLogLineNamesIt() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, float[]> full = full(manager);
      Path out = cutAfterStep5(manager);
      Path step4 = out.resolve("checkpoints/step-0000004");
      Path optim = step4.resolve(Checkpoints.OPTIM);
      long size = Files.size(optim);
      try (RandomAccessFile f = new RandomAccessFile(optim.toFile(), "rw")) {
        f.setLength(size / 2);
      }
      assertEquals("optim.safetensors has " + size / 2 + " bytes, checksums.json says " + size,
          Checkpoints.verify(step4, false).orElseThrow());
      assertEquals(out.resolve("checkpoints/step-0000002"), Checkpoints.newest(out).orElseThrow());
      assertSame(full, TrainLoopTest.values(resume(out, manager).params()));
      assertEquals(List.of("step-0000004", "step-0000006"), names(out)); // the torn one was rewritten
    }
  }

  /** The toy data with one micro-step whose loss, or only whose gradient, is NaN. */
  private record Poisoned(int epoch, int micro, boolean gradientOnly) implements TrainLoop.Data {
    @Override
    public int epochs() {
      return 2;
    }

    @Override
    public int micros(int e) {
      return 5;
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int e, int m) {
      TrainLoop.Loss loss = new TrainLoopTest.Toy(false).loss(w, gc, e, m);
      if (e != epoch || m != micro) return loss;
      NDArray poisoned = loss.objective().mul(Float.NaN);
      return new TrainLoop.Loss(gradientOnly ? loss.value() : Double.NaN, poisoned);
    }
  }

  @Test
  void aNanLossStopsAtItsStepAndNamesTheLastGoodCheckpoint() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Path out = dir.resolve("nan");
      // epoch 1, micro-steps 2-3 are the fifth optimizer step (3 per epoch).
      NonFiniteLoss e = assertThrows(NonFiniteLoss.class, () -> TrainLoop.run(CFG,
          TrainLoopTest.init(manager, false), false, new Poisoned(1, 3, false), out, 1, Progress.NONE, manager));
      assertEquals(5, e.step());
      assertEquals("loss is NaN at step 5 (epoch 1, micro-step 2); last good checkpoint: "
          + out.resolve("checkpoints/step-0000004"), e.getMessage());
      assertEquals(List.of("step-0000002", "step-0000004"), names(out));
    }
  }

  @Test
  void aNanGradientIsCaughtBeforeItsCheckpointIsWritten() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Path out = dir.resolve("nan-grad");
      NonFiniteLoss e = assertThrows(NonFiniteLoss.class, () -> TrainLoop.run(CFG,
          TrainLoopTest.init(manager, false), false, new Poisoned(0, 2, true), out, 1, Progress.NONE, manager));
      assertEquals("parameter t is not finite at step 2 (epoch 0, micro-step 4); last good checkpoint: none written yet",
          e.getMessage());
      assertEquals(List.of(), names(out));
      assertFalse(Files.exists(out.resolve("checkpoints")) && leftovers(out.resolve("checkpoints")) > 0);
    }
  }

  private static long leftovers(Path checkpoints) {
    try (Stream<Path> s = Files.list(checkpoints)) {
      return s.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aFullDiskFailsInOneLineLeavesNothingAndTheRerunResumes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, float[]> full = full(manager);
      Path out = dir.resolve("disk");
      long[] free = {Long.MAX_VALUE};
      Checkpoints filling = new Checkpoints(out, d -> free[0]);
      Progress fillAfterStep2 = (s, t, l, c) -> {
        if (s == 2) free[0] = 1000;
      };
      DiskFull e = assertThrows(DiskFull.class, () -> TrainLoop.run(CFG, TrainLoopTest.init(manager, false), false,
          new TrainLoopTest.Toy(false), filling, 1, fillAfterStep2, manager));
      assertTrue(e.getMessage().matches("no space left in " + java.util.regex.Pattern.quote(out.resolve("checkpoints").toString())
          + ": \\d+ bytes needed, 1000 free"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
      assertEquals(List.of("step-0000002"), names(out));
      assertEquals(1, leftovers(out.resolve("checkpoints"))); // no temporary folder left behind
      // space is back: the rerun resumes from step 2 and ends where the uninterrupted run ends
      assertSame(full, TrainLoopTest.values(resume(out, manager).params()));
    }
  }

  /**
   * A real full file system: a 1 MB tmpfs, where the checkpoint's files hit ENOSPC while being written (the
   * free-space check is told there is room). Runs where mounting works (root on Linux); skipped elsewhere.
   */
  @Test
  void aRealTmpfsRunsOutMidWriteAndWorksOnceEnlarged() throws Exception {
    Path mnt = Files.createDirectories(dir.resolve("tmpfs"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt.toString()), "cannot mount a tmpfs here");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> params = Map.of("w", manager.randomNormal(new ai.djl.ndarray.types.Shape(128, 1024)));
      AdamW adam = new AdamW(0.0);
      adam.restore(1, Map.of("w", manager.zeros(params.get("w").getShape())), Map.of("w", manager.zeros(params.get("w").getShape())));
      Checkpoints checkpoints = new Checkpoints(mnt, d -> Long.MAX_VALUE);
      TrainState state = new TrainState(1, 0, 1, 1, false, 1, List.of(1.0));
      DiskFull e = assertThrows(DiskFull.class, () -> checkpoints.save(state, params, adam));
      assertTrue(e.getMessage().startsWith("no space left in " + mnt.resolve("checkpoints") + ": "), e.getMessage());
      assertEquals(0, leftovers(mnt.resolve("checkpoints")));
      assertTrue(run("mount", "-o", "remount,size=8m", mnt.toString()));
      Path saved = checkpoints.save(state, params, adam);
      assertTrue(Checkpoints.verify(saved, true).isEmpty());
    } finally {
      run("umount", mnt.toString());
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
