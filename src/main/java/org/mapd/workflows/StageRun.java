package org.mapd.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.mapd.DiskFull;
import org.mapd.HostMemory;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.train.BatchStats;
import org.mapd.eval.Evaluate;
import org.mapd.train.Checkpoints;
import org.mapd.train.NonFiniteLoss;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage activity does around its stage: reuse a finished output, otherwise run the stage into
 * its content-addressed folder while heartbeating, then mark it done. Heartbeats also go out from a side
 * thread every few seconds, because a Beam job or a model load may not report progress for minutes and
 * the heartbeat timeout would otherwise kill a healthy attempt.
 */
final class StageRun {
  private static final Logger LOG = LoggerFactory.getLogger(StageRun.class);
  private static final long TICK_SECONDS = 10;

  private StageRun() {}

  /** A stage's work, given its output folder and a progress sink that heartbeats. */
  interface Body<T> {
    T run(Path out, Progress progress);
  }

  static <T> T run(StageStore store, StageListener listener, String stage, StageKey key, Class<T> type,
      Body<T> body) {
    Path dir = store.dir(key);
    var reused = store.done(dir, type);
    if (reused.isPresent()) {
      LOG.info("{}: reused {}", stage, dir);
      listener.finished(stage, dir, true);
      return reused.get();
    }
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    HeartbeatDetails previous = ctx.getHeartbeatDetails(HeartbeatDetails.class).orElse(null);
    if (previous != null) {
      LOG.info("{}: attempt {} continues in {} {}", stage, ctx.getInfo().getAttempt(), dir, resumePoint(dir));
    } else {
      LOG.debug("{}: running in {}", stage, dir);
    }
    listener.started(stage, dir, previous);
    AtomicReference<HeartbeatDetails> last =
        new AtomicReference<>(previous != null ? previous : new HeartbeatDetails(0, 0, Double.NaN, null));
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "heartbeat-" + stage);
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleAtFixedRate(() -> heartbeat(ctx, last.get()), 0, TICK_SECONDS, TimeUnit.SECONDS);
    Clock clock = new Clock();
    Progress progress = (step, total, loss, checkpoint) -> {
      clock.step();
      HeartbeatDetails now = new HeartbeatDetails(step, total, loss, checkpoint);
      last.set(now);
      ctx.heartbeat(now); // on the stage thread, so a cancellation stops the stage here
      listener.progress(stage, step, total, loss);
    };
    try {
      T result = body.run(dir, progress);
      Json.writeAtomic(dir.resolve(StageMetrics.FILE), clock.metrics(stage, dir));
      store.markDone(dir, result);
      listener.finished(stage, dir, false);
      return result;
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
    }
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

  private static void heartbeat(ActivityExecutionContext ctx, HeartbeatDetails details) {
    try {
      ctx.heartbeat(details);
    } catch (RuntimeException e) {
      // Cancellation or a lost server surfaces at the next heartbeat of the stage thread; log and go on.
      LOG.debug("heartbeat failed: {}", e.toString());
    }
  }
}
