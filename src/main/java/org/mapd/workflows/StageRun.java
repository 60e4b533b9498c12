package org.mapd.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mapd.Dirs;
import org.mapd.DiskFull;
import org.mapd.HostMemory;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.eval.Evaluate;
import org.mapd.train.BatchStats;
import org.mapd.train.Checkpoints;
import org.mapd.train.NonFiniteLoss;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage activity does around its stage: reuse a finished output; otherwise take the stage's lease
 * (one writer per stage: a second attempt waits for a live one and takes over a dead one), run the stage in a
 * private attempt folder that starts from the files of the previous attempt, heartbeating, and publish it by
 * renaming it to its content-addressed folder with its DONE.json inside. Heartbeats and lease renewals also go
 * out from a side thread every few seconds, because a Beam job or a model load may not report progress for
 * minutes and the heartbeat timeout would otherwise kill a healthy attempt.
 *
 * <p>Limit: paths inside the stage's result and symbolic links into the attempt folder are moved to the published
 * one; other files the stage wrote that name its own folder (rejects details) keep the attempt's path.
 */
final class StageRun {
  private static final Logger LOG = LoggerFactory.getLogger(StageRun.class);

  private StageRun() {}

  /** A stage's work, given its output folder and a progress sink that heartbeats. */
  interface Body<T> {
    T run(Path out, Progress progress);
  }

  /** What a stage needs from its activity: the last heartbeat of a failed attempt, and sending new ones. */
  interface Beat {
    Optional<HeartbeatDetails> previous();

    int attempt();

    /** Sends a heartbeat; throws when the activity was cancelled. */
    void send(HeartbeatDetails details);
  }

  /**
   * How often the side thread heartbeats and renews the lease, how long a lease lives without renewal, and how
   * often a waiting attempt looks again.
   */
  record Timing(long tickMillis, long ttlMillis, long pollMillis) {
    static final Timing DEFAULT = new Timing(10_000, 60_000, 2_000);
  }

  /** This attempt lost the stage's lease (it was taken for dead): it stops and publishes nothing. */
  static final class LeaseLost extends RuntimeException {
    LeaseLost(String message) {
      super(message);
    }
  }

  static <T> T run(StageStore store, StageListener listener, String stage, StageKey key, Class<T> type,
      Body<T> body) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Beat beat = new Beat() {
      @Override
      public Optional<HeartbeatDetails> previous() {
        return ctx.getHeartbeatDetails(HeartbeatDetails.class);
      }

      @Override
      public int attempt() {
        return ctx.getInfo().getAttempt();
      }

      @Override
      public void send(HeartbeatDetails details) {
        ctx.heartbeat(details);
      }
    };
    return run(store, listener, stage, key, type, body, beat, Timing.DEFAULT);
  }

  static <T> T run(StageStore store, StageListener listener, String stage, StageKey key, Class<T> type,
      Body<T> body, Beat beat, Timing timing) {
    Path dir = store.dir(key);
    var reused = store.done(dir, type);
    if (reused.isPresent()) {
      LOG.info("{}: reused {}", stage, dir);
      listener.finished(stage, dir, true);
      return reused.get();
    }
    HeartbeatDetails previous = beat.previous().orElse(null);
    AtomicReference<HeartbeatDetails> last =
        new AtomicReference<>(previous != null ? previous : new HeartbeatDetails(0, 0, Double.NaN, null));
    AtomicReference<StageLease> held = new AtomicReference<>();
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat-" + stage);
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> {
      heartbeat(beat, last.get());
      StageLease lease = held.get();
      if (lease != null) lease.renew();
    }, 0, timing.tickMillis(), TimeUnit.MILLISECONDS);
    Path attempts = store.attempts(dir);
    boolean published = false;
    try {
      StageLease lease = acquire(stage, store, dir, attempts, type, timing, beat, last);
      if (lease == null) {
        LOG.info("{}: reused {}, which another attempt published meanwhile", stage, dir);
        listener.finished(stage, dir, true);
        return store.done(dir, type).orElseThrow();
      }
      held.set(lease);
      Path work = Attempts.folder(attempts, lease.generation());
      Optional<Path> from = Attempts.inherit(attempts, lease.generation(), dir, work);
      if (previous != null || from.isPresent()) {
        LOG.info("{}: attempt {} continues in {}{} {}", stage, beat.attempt(), work,
            from.map(f -> " (files of " + f.getFileName() + ")").orElse(""), resumePoint(work));
      } else {
        LOG.debug("{}: running in {}", stage, work);
      }
      listener.started(stage, work, previous);
      Clock clock = new Clock();
      Progress progress = (step, total, loss, checkpoint) -> {
        if (lease.lost()) throw new LeaseLost(stage + ": another attempt took over " + dir + "; this one stops");
        clock.step();
        HeartbeatDetails now = new HeartbeatDetails(step, total, loss, checkpoint);
        last.set(now);
        beat.send(now); // on the stage thread, so a cancellation stops the stage here
        listener.progress(stage, step, total, loss);
      };
      T result = body.run(work, progress);
      Json.writeAtomic(work.resolve(StageMetrics.FILE), clock.metrics(stage, work));
      stop(ticker); // no renewal may write the lease file while the attempts folder is removed
      T out = publish(stage, store, lease, work, dir, attempts, type, result);
      published = true;
      listener.finished(stage, dir, false);
      return out;
    } catch (IllegalArgumentException e) {
      // A retry cannot fix a bad input: fail once, with the reason.
      listener.failed(stage, e);
      throw ApplicationFailure.newNonRetryableFailureWithCause(stage + ": " + e.getMessage(), StageOptions.INVALID_INPUT, e);
    } catch (RuntimeException | Error e) {
      listener.failed(stage, e);
      ApplicationFailure noRetry = notRetryable(stage, e);
      if (noRetry != null) throw noRetry;
      throw e;
    } finally {
      stop(ticker);
      StageLease lease = held.get();
      if (lease != null && !published) lease.release();
    }
  }

  /**
   * The stage's lease, after waiting while another live attempt holds it; null when that attempt published
   * the stage meanwhile.
   */
  private static StageLease acquire(String stage, StageStore store, Path dir, Path attempts, Class<?> type,
      Timing timing, Beat beat, AtomicReference<HeartbeatDetails> last) {
    String waitingFor = null;
    while (true) {
      if (store.done(dir, type).isPresent()) {
        Attempts.remove(attempts); // what a look of ours may have created after the publisher cleaned up
        return null;
      }
      StageLease.Try t = StageLease.tryAcquire(attempts, timing.ttlMillis());
      if (t.lease() != null) {
        if (store.done(dir, type).isPresent()) { // published between the look and the lease
          t.lease().forget();
          Attempts.remove(attempts);
          return null;
        }
        return t.lease();
      }
      if (t.holder() != null && !t.holder().owner().equals(waitingFor)) {
        waitingFor = t.holder().owner();
        LOG.info("{}: attempt {} of {} holds the lease on {}; waiting for it to publish or to die", stage,
            waitingFor, t.holder().host(), dir);
      }
      beat.send(last.get()); // a cancelled activity stops waiting here
      try {
        Thread.sleep(timing.pollMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(stage + ": interrupted while waiting for the lease on " + dir, e);
      }
    }
  }

  /**
   * Renames the attempt folder to the stage's folder with its DONE.json inside; paths in the result move with
   * it. If another attempt published first (it was taken for dead but finished), its output is kept.
   */
  private static <T> T publish(String stage, StageStore store, StageLease lease, Path work, Path dir,
      Path attempts, Class<T> type, T result) {
    if (!lease.held()) {
      throw new LeaseLost(stage + ": another attempt took over " + dir + "; the output in " + work + " is dropped");
    }
    T moved = Attempts.relocate(result, work, dir, type);
    Attempts.relocateLinks(work, dir);
    store.markDone(work, moved);
    try {
      if (Files.isDirectory(dir) && store.done(dir, type).isEmpty()) Dirs.deleteTree(dir); // unfinished, older layout
      Files.createDirectories(dir.getParent());
      Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      Optional<T> theirs = store.done(dir, type);
      if (theirs.isEmpty()) throw new UncheckedIOException("cannot publish " + work + " as " + dir, e);
      LOG.warn("{}: another attempt published {} first; keeping its output", stage, dir);
      lease.forget();
      Attempts.remove(attempts);
      return theirs.get();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + work + " as " + dir, e);
    }
    lease.forget();
    Attempts.remove(attempts);
    return moved;
  }

  /**
   * The failure of an error that a retry on the same inputs and disk would only repeat: a NaN or infinite loss
   * (the same numbers come again) and a full disk (a rerun after space is freed resumes). Null for the others.
   */
  static ApplicationFailure notRetryable(String stage, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NonFiniteLoss n) {
        return ApplicationFailure.newNonRetryableFailureWithCause(stage + ": " + n.getMessage(), StageOptions.NON_FINITE, e);
      }
      if (t instanceof DiskFull d) {
        return ApplicationFailure.newNonRetryableFailureWithCause(stage + ": " + d.getMessage(), StageOptions.DISK_FULL, e);
      }
    }
    return null;
  }

  /**
   * Where a retry really continues: from what the failed attempt left on disk. The heartbeat the server
   * kept is no guide, because the SDK throttles heartbeats and a worker that dies loses the pending one:
   * it may say step 0 while checkpoints of step 200 are on disk.
   */
  static String resumePoint(Path dir) {
    Optional<Path> checkpoint = Checkpoints.newest(dir);
    if (checkpoint.isPresent()) return "from its newest checkpoint on disk, " + checkpoint.get().getFileName();
    if (Files.exists(dir.resolve(Evaluate.SAMPLES_FILE))) {
      return "after the queries already in " + Evaluate.SAMPLES_FILE;
    }
    return "from the start (nothing to resume from on disk)";
  }

  /** Times one attempt of a stage and its steps; the peak resident memory starts anew with it. */
  private static final class Clock {
    private final long start = System.nanoTime();
    private long first = -1;
    private long last = -1;
    private long steps;

    Clock() {
      HostMemory.resetPeak();
    }

    void step() {
      last = System.nanoTime();
      if (first < 0) first = last;
      steps++;
    }

    StageMetrics metrics(String stage, Path dir) {
      double seconds = (System.nanoTime() - start) / 1e9;
      double firstStep = first < 0 ? seconds : (first - start) / 1e9;
      double perStep = steps > 1 ? (last - first) / 1e9 / (steps - 1) : firstStep;
      Path batches = dir.resolve(BatchStats.FILE);
      BatchStats.Summary shapes = Files.exists(batches) ? Json.read(batches, BatchStats.Summary.class) : null;
      return new StageMetrics(stage, seconds, firstStep, steps, perStep, HostMemory.peakBytes(), shapes);
    }
  }

  /** Lets a heartbeat in flight finish: interrupting it mid-call only produces a gRPC warning. */
  private static void stop(ScheduledExecutorService ticker) {
    ticker.shutdown();
    try {
      ticker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void heartbeat(Beat beat, HeartbeatDetails details) {
    try {
      beat.send(details);
    } catch (RuntimeException e) {
      // Cancellation or a lost server surfaces at the next heartbeat of the stage thread; log and go on.
      LOG.debug("heartbeat failed: {}", e.toString());
    }
  }
}
