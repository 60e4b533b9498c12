package org.mapd.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.mapd.Progress;
import org.mapd.eval.Evaluate;
import org.mapd.workflows.HeartbeatDetails;
import org.mapd.workflows.StageListener;

/**
 * The terminal view of running stages: one line when a stage starts and when it finishes, and a
 * progress bar (step/total, and the loss, or an evaluation's accuracy so far) while it reports progress.
 * Everything goes to stderr; stdout is kept for what a command prints as its answer.
 *
 * <p>A bar redraws itself with carriage returns, which a log file (CI, nohup, systemd) keeps as one
 * endless line; so when stderr is not a terminal, each stage prints a plain progress line instead, at most
 * every {@link #LINE_INTERVAL_SECONDS} seconds, plus one at its last step.
 */
final class ConsoleProgress implements StageListener {
  static final long LINE_INTERVAL_SECONDS = 30;
  /** Set by the ./mapd launcher from `[ -t 2 ]`, or by the user: "bars" or "lines". */
  static final String MODE_ENV = "MAPD_PROGRESS";

  private final PrintStream out;
  private final boolean bars;
  private final LongSupplier nanoClock;
  private final Map<String, ProgressBar> open = new ConcurrentHashMap<>();
  private final Map<String, Long> started = new ConcurrentHashMap<>();
  /** Line mode: when each stage started (or first reported progress), and when it last printed a line. */
  private final Map<String, LineState> lines = new ConcurrentHashMap<>();

  private record LineState(long first, long printed) {}

  /**
   * @param bars true for redrawn bars (a terminal), false for plain lines (a log file)
   * @param nanoClock System::nanoTime, or a test's clock
   */
  ConsoleProgress(PrintStream out, boolean bars, LongSupplier nanoClock) {
    this.out = out;
    this.bars = bars;
    this.nanoClock = nanoClock;
  }

  /** The view on System.err: bars only when it is a terminal. */
  static ConsoleProgress onStderr() {
    return new ConsoleProgress(System.err, barsOnStderr(System.getenv(MODE_ENV)), System::nanoTime);
  }

  /**
   * Java cannot ask whether stderr alone is a terminal: System.console() answers for stdin and stdout. The
   * launcher therefore tests stderr itself and passes the answer in MAPD_PROGRESS; System.console() is the
   * fallback when the JVM is started some other way.
   */
  static boolean barsOnStderr(String mode) {
    if (mode == null || mode.isBlank()) return System.console() != null;
    return switch (mode.strip().toLowerCase(Locale.ROOT)) {
      case "bars" -> true;
      case "lines" -> false;
      default -> throw new IllegalArgumentException(MODE_ENV + " is '" + mode + "': use bars or lines");
    };
  }

  /** A Progress for one stage run directly from the CLI. */
  Progress forStage(String stage) {
    return (step, total, loss, checkpoint) -> progress(stage, step, total, loss);
  }

  @Override
  public void started(String stage, Path dir, HeartbeatDetails resumedFrom) {
    // Reuse and retries are logged by the activity itself (StageRun); this is the start/finish line.
    started.put(stage, nanoClock.getAsLong());
    out.println("start  " + stage + " -> " + dir);
  }

  @Override
  public void progress(String stage, long step, long total, double loss) {
    if (bars) {
      bar(stage, step, total, loss);
    } else {
      line(stage, step, total, loss);
    }
  }

  private void bar(String stage, long step, long total, double loss) {
    ProgressBar bar = open.computeIfAbsent(stage, s -> new ProgressBarBuilder()
        .setTaskName(s)
        .setInitialMax(Math.max(total, 1))
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
        .build());
    if (total > 0) bar.maxHint(total);
    bar.stepTo(step);
    bar.setExtraMessage(value(stage, loss));
  }

  private void line(String stage, long step, long total, double loss) {
    long now = nanoClock.getAsLong();
    LineState state = lines.get(stage);
    if (state == null) {
      // The interval starts with the stage (or with its first report when the CLI runs it without a
      // start line): a stage that ends within it prints only its last step.
      long t0 = started.getOrDefault(stage, now);
      state = new LineState(t0, t0);
      lines.put(stage, state);
    }
    boolean last = total > 0 && step >= total;
    if (!last && now - state.printed() < TimeUnit.SECONDS.toNanos(LINE_INTERVAL_SECONDS)) return;
    lines.put(stage, new LineState(state.first(), now));
    StringBuilder s = new StringBuilder(stage);
    if (total > 0) s.append(String.format(Locale.ROOT, " %3d%%", 100 * step / total));
    s.append(' ').append(step).append('/').append(total > 0 ? String.valueOf(total) : "?");
    s.append(String.format(Locale.ROOT, " after %.0f s", (now - state.first()) / 1e9));
    String v = value(stage, loss);
    if (!v.isEmpty()) s.append(", ").append(v);
    out.println(s);
  }

  /** The progress value under its name: training stages report a loss, Evaluate its accuracy so far. */
  static String value(String stage, double value) {
    if (Double.isNaN(value)) return "";
    if (Evaluate.isStageName(stage)) return String.format(Locale.ROOT, "accuracy so far %.1f%%", 100 * value);
    return String.format(Locale.ROOT, "loss %.4f", value);
  }

  @Override
  public void finished(String stage, Path dir, boolean reused) {
    close(stage);
    Long t0 = started.remove(stage);
    if (!reused && t0 != null) {
      out.println(String.format(Locale.ROOT, "done   %s in %.1f s", stage, (nanoClock.getAsLong() - t0) / 1e9));
    }
  }

  @Override
  public void failed(String stage, Throwable error) {
    close(stage);
    out.println("failed " + stage + ": " + error.getMessage());
  }

  private void close(String stage) {
    lines.remove(stage);
    ProgressBar bar = open.remove(stage);
    if (bar != null) bar.close();
  }
}
