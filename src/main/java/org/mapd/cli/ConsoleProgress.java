package org.mapd.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.mapd.Progress;
import org.mapd.workflows.HeartbeatDetails;
import org.mapd.workflows.StageListener;

/**
 * The terminal view of running stages: one line when a stage starts and when it finishes, and a
 * progress bar (step/total, loss) while it reports progress. Everything goes to stderr; stdout is kept
 * for what a command prints as its answer.
 */
final class ConsoleProgress implements StageListener {
  private final PrintStream out;
  private final Map<String, ProgressBar> bars = new ConcurrentHashMap<>();
  private final Map<String, Long> started = new ConcurrentHashMap<>();

  ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  /** A Progress for one stage run directly from the CLI. */
  Progress forStage(String stage) {
    return (step, total, loss, checkpoint) -> progress(stage, step, total, loss);
  }

  @Override
  public void started(String stage, Path dir, HeartbeatDetails resumedFrom) {
    // Reuse and retries are logged by the activity itself (StageRun); this is the start/finish line.
    started.put(stage, System.nanoTime());
    out.println("start  " + stage + " -> " + dir);
  }

  @Override
  public void progress(String stage, long step, long total, double loss) {
    ProgressBar bar = bars.computeIfAbsent(stage, s -> new ProgressBarBuilder()
        .setTaskName(s)
        .setInitialMax(Math.max(total, 1))
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
        .build());
    if (total > 0) bar.maxHint(total);
    bar.stepTo(step);
    bar.setExtraMessage(Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "loss %.4f", loss));
  }

  @Override
  public void finished(String stage, Path dir, boolean reused) {
    closeBar(stage);
    Long t0 = started.remove(stage);
    if (!reused && t0 != null) {
      out.println(String.format(Locale.ROOT, "done   %s in %.1f s", stage, (System.nanoTime() - t0) / 1e9));
    }
  }

  @Override
  public void failed(String stage, Throwable error) {
    closeBar(stage);
    out.println("failed " + stage + ": " + error.getMessage());
  }

  private void closeBar(String stage) {
    ProgressBar bar = bars.remove(stage);
    if (bar != null) bar.close();
  }
}
