package org.mapd.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;

/**
 * One writer per stage: concurrent attempts of one stage compute it once and agree on one output; a dead
 * attempt is taken over at once and its files kept; a live one is waited for; one that lost its lease
 * publishes nothing.
 */
class OneWriterTest {
  /** Heartbeat and renew every 50 ms, leases live 1.5 s, waiters look every 20 ms. */
  static final StageRun.Timing FAST = new StageRun.Timing(50, 1500, 20);

  /** What the test stage returns: its folder (moved on publish) and what it found there when it started. */
  record Out(String dir, List<String> found) {}

  @TempDir Path work;
  final AtomicInteger computed = new AtomicInteger();

  StageStore store() {
    return new StageStore(work);
  }

  static StageKey key() {
    return new StageKey("finetune", "mapd").value("seed", 1);
  }

  static final StageRun.Beat BEAT = new StageRun.Beat() {
    @Override
    public Optional<HeartbeatDetails> previous() {
      return Optional.empty();
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public void send(HeartbeatDetails details) {}
  };

  /** A stage of {@code steps} steps of {@code millis} each that writes a checkpoint-like file per step. */
  StageRun.Body<Out> stage(int steps, long millis) {
    return (out, progress) -> {
      computed.incrementAndGet();
      List<String> found = new ArrayList<>();
      try {
        if (Files.isDirectory(out.resolve("checkpoints"))) {
          try (var s = Files.list(out.resolve("checkpoints"))) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(found::add);
          }
        }
        for (int i = 1; i <= steps; i++) {
          Thread.sleep(millis);
          Json.writeAtomic(out.resolve("checkpoints/step-" + i + "/state.json"), List.of(i));
          progress.report(i, steps, 1.0 / i, null);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return new Out(out.toString(), found);
    };
  }

  Out run(StageRun.Body<Out> body) {
    return StageRun.run(store(), StageListener.NONE, "Finetune mapd", key(), Out.class, body, BEAT, FAST);
  }

  @Test
  void twoConcurrentAttemptsGiveOneOutputComputedOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Out>> both = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        both.add(pool.submit(() -> {
          go.await();
          return run(stage(10, 30));
        }));
      }
      go.countDown();
      Out a = both.get(0).get(30, TimeUnit.SECONDS);
      Out b = both.get(1).get(30, TimeUnit.SECONDS);
      assertEquals(1, computed.get(), "the stage ran once");
      assertEquals(a, b);
      Path dir = store().dir(key());
      assertEquals(dir.toString(), a.dir(), "the result names the published folder, not the attempt's");
      assertEquals(a, Json.read(dir.resolve(StageStore.DONE), Out.class));
      assertTrue(Files.exists(dir.resolve("checkpoints/step-10/state.json")));
      assertTrue(Files.exists(dir.resolve(StageMetrics.FILE)));
      assertFalse(Files.exists(store().attempts(dir)), "nothing of the attempts is left");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void linksIntoTheAttemptFolderAreMovedWithIt() throws Exception {
    Out out = run((dir, progress) -> {
      try {
        Files.createDirectories(dir.resolve("source/images"));
        Files.writeString(dir.resolve("source/images/1.png"), "png");
        Files.createDirectories(dir.resolve("prepared"));
        Files.createSymbolicLink(dir.resolve("prepared/images"), dir.resolve("source/images"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Out(dir.toString(), List.of());
    });
    Path published = Path.of(out.dir());
    assertEquals(published.resolve("source/images"), Files.readSymbolicLink(published.resolve("prepared/images")));
    assertEquals("png", Files.readString(published.resolve("prepared/images/1.png")));
  }

  /** A lease of generation 1 held by {@code holder}, with an attempt folder holding step-1 and samples. */
  Path leftBehindBy(StageLease.Holder holder) throws IOException {
    Path attempts = store().attempts(store().dir(key()));
    Files.createDirectories(attempts);
    Files.writeString(StageLease.file(attempts, 1), Json.write(holder));
    Path first = Attempts.folder(attempts, 1);
    Json.writeAtomic(first.resolve("checkpoints/step-1/state.json"), List.of(1));
    Files.createDirectories(first.resolve("checkpoints/.tmp-step-2123"));
    Files.writeString(first.resolve("samples.jsonl"), "{}\n");
    return first;
  }

  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void aDeadAttemptOnThisHostIsTakenOverAtOnceAndItsFilesKept() throws Exception {
    long far = System.currentTimeMillis() + 3_600_000;
    Path first = leftBehindBy(new StageLease.Holder("dead", StageLease.HOST, deadPid(), far));
    List<Path> seen = new ArrayList<>();
    long start = System.nanoTime();
    Out out = run((dir, progress) -> {
      try {
        seen.add(dir);
        assertTrue(Files.isSameFile(dir.resolve("checkpoints/step-1/state.json"),
            first.resolve("checkpoints/step-1/state.json")), "checkpoints are hard-linked");
        assertFalse(Files.isSameFile(dir.resolve("samples.jsonl"), first.resolve("samples.jsonl")),
            "the file appended in place is copied");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return stage(2, 1).run(dir, progress);
    });
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "no waiting for the expiry, an hour away");
    assertEquals(List.of("step-1"), out.found(), "the unfinished .tmp folder is not inherited");
    assertEquals("attempt-000002", seen.get(0).getFileName().toString());
  }

  @Test
  void aLiveAttemptOfAnotherHostIsWaitedForUntilItsLeaseExpires() throws Exception {
    long soon = System.currentTimeMillis() + 1000;
    leftBehindBy(new StageLease.Holder("elsewhere/1/x", "another-host", 1, soon));
    long start = System.nanoTime();
    Out out = run(stage(1, 1));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(800), "it waited for the expiry");
    assertEquals(List.of("step-1"), out.found());
  }

  @Test
  void aFailedAttemptReleasesItsLeaseSoTheRetryStartsAtOnceFromItsFiles() {
    StageRun.Body<Out> failing = (out, progress) -> {
      stage(2, 1).run(out, progress);
      throw new IllegalStateException("worker lost its device");
    };
    assertThrows(IllegalStateException.class, () -> run(failing));
    long start = System.nanoTime();
    Out out = run(stage(3, 1));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    assertEquals(List.of("step-1", "step-2"), out.found());
    assertEquals(2, computed.get());
  }

  @Test
  void anAttemptTakenForDeadStopsAtItsNextStepAndPublishesNothing() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch running = new CountDownLatch(1);
      Future<Out> slow = pool.submit(() -> run((out, progress) -> {
        running.countDown();
        return stage(200, 20).run(out, progress);
      }));
      assertTrue(running.await(10, TimeUnit.SECONDS));
      // Another worker decided it was dead and took generation 2.
      Path attempts = store().attempts(store().dir(key()));
      Files.writeString(StageLease.file(attempts, 2), Json.write(
          new StageLease.Holder("other", "another-host", 1, System.currentTimeMillis() + 60_000)));
      var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> slow.get(20, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof StageRun.LeaseLost, String.valueOf(e.getCause()));
      assertFalse(Files.exists(store().dir(key())), "nothing published");
    } finally {
      pool.shutdownNow();
    }
  }
}
