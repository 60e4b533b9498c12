package org.mapd.workflows;

import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;

/**
 * Workflow-side bookkeeping of a run or a strategy child: times each stage, keeps the rows' states and numbers,
 * and after every change publishes {@link RunProgress#markdown()} as the current details and, when the
 * workflow sets search attributes, the current stage. Deterministic: workflow time only, insertion order.
 */
final class RunStatus {
  private final String workflow;
  private final Plan plan;
  private final boolean attributes;
  private final Map<String, RunProgress.Stage> stages = new LinkedHashMap<>();
  private final Map<String, Long> started = new LinkedHashMap<>();
  private final Map<String, RunProgress.Row> rows = new LinkedHashMap<>();
  private final Map<String, String> failed = new LinkedHashMap<>();
  private String phase;
  private String published;
  private boolean waiting;

  /** @param attributes whether to upsert MapdStage (false when replaying histories recorded before it) */
  RunStatus(String workflow, Plan plan, boolean attributes) {
    this.workflow = workflow;
    this.plan = plan;
    this.attributes = attributes;
  }

  /** Runs one stage, recording its start, its wall time or its failure. */
  <T> T run(String stage, Supplier<T> call) {
    begin(stage);
    try {
      T result = call.get();
      end(stage);
      return result;
    } catch (RuntimeException e) {
      fail(stage, e);
      throw e;
    }
  }

  /** The same for a stage started asynchronously. */
  <T> Promise<T> runAsync(String stage, Supplier<Promise<T>> call) {
    begin(stage);
    return call.get().handle((result, e) -> {
      if (e != null) {
        fail(stage, e);
        throw e;
      }
      end(stage);
      return result;
    });
  }

  private void begin(String stage) {
    started.put(stage, Workflow.currentTimeMillis());
    stages.put(stage, new RunProgress.Stage(stage, "running", null));
    publish();
  }

  private void end(String stage) {
    double seconds = (Workflow.currentTimeMillis() - started.get(stage)) / 1000.0;
    stages.put(stage, new RunProgress.Stage(stage, "done", seconds));
    publish();
  }

  private void fail(String stage, RuntimeException e) {
    stages.put(stage, new RunProgress.Stage(stage, "failed: " + Failures.reason(e), null));
    phase = "failed: " + stage;
    publish();
  }

  /** Wall time of every finished stage, in start order. */
  Map<String, Double> seconds() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (RunProgress.Stage s : stages.values()) if (s.seconds() != null) out.put(s.name(), s.seconds());
    return out;
  }

  void row(String name, String state) {
    RunProgress.Row old = rows.get(name);
    rows.put(name, new RunProgress.Row(name, state, old == null ? null : old.ft(), old == null ? null : old.icl()));
    publish();
  }

  void scored(Evaluation evaluation) {
    var scores = evaluation.scores();
    rows.put(evaluation.row(), new RunProgress.Row(evaluation.row(), "done",
        scores == null ? null : scores.average(Mode.FT).orElse(null),
        scores == null ? null : scores.average(Mode.ICL).orElse(null)));
    publish();
  }

  /** A strategy child failed: its row, and the reason the run waits on. */
  void strategyFailed(String name, String why) {
    failed.put(name, why);
    row(name, "failed");
  }

  void strategyRetried(String name) {
    failed.remove(name);
    waiting = false;
    phase = "strategies";
    row(name, "retrying");
  }

  Map<String, String> failed() {
    return failed;
  }

  /** Overrides the derived current stage ("strategies", "waiting", "done", ...). */
  void phase(String phase) {
    this.phase = phase;
    publish();
  }

  /** Every strategy has ended and some failed: the run waits for retryStrategy or finish. */
  void waiting() {
    waiting = true;
    phase("waiting");
  }

  RunProgress progress() {
    return new RunProgress(workflow, plan.name(), plan.seed(), plan.fidelity().json(), stage(),
        List.copyOf(stages.values()), List.copyOf(rows.values()), new LinkedHashMap<>(failed), waiting);
  }

  /** The running stages, else the phase. */
  private String stage() {
    List<String> running = new ArrayList<>();
    for (RunProgress.Stage s : stages.values()) if (s.state().equals("running")) running.add(s.name());
    if (!running.isEmpty()) return String.join(", ", running);
    return phase == null ? "starting" : phase;
  }

  private void publish() {
    RunProgress now = progress();
    Workflow.setCurrentDetails(now.markdown());
    if (attributes && !now.stage().equals(published)) {
      published = now.stage();
      Workflow.upsertTypedSearchAttributes(RunAttributes.STAGE.valueSet(published));
    }
  }
}
