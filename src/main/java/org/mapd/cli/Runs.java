package org.mapd.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.report.RunHistory;
import org.mapd.workflows.ReproductionWorkflow;
import org.mapd.workflows.RunAttributes;
import org.mapd.workflows.RunLabels;
import org.mapd.workflows.RunProgress;
import org.mapd.workflows.RunResult;
import org.mapd.workflows.StageListener;
import org.mapd.workflows.StageStore;
import org.mapd.workflows.Stages;
import org.mapd.workflows.Workers;

/**
 * Starting runs, waiting for them and keeping their histories, the same for reproduce, resume and rehearse,
 * embedded or on a server. Each run's history is written to WORK/runs/RUN-ID/history.json when it ends, so
 * runs of the embedded service can be compared and resumed after it is gone.
 */
final class Runs {
  private Runs() {}

  /** A run to start: the plan and its workflow id. */
  record Start(Plan plan, String id) {}

  /** How a run ended: its result, or why it failed, and where its history was saved. */
  record Outcome(Start start, RunResult result, RuntimeException failure, Path history) {}

  /** Runs on an in-process service (search attributes registered, both workers in this JVM). */
  static List<Outcome> embedded(Stages stages, List<Start> starts, Path work, StageListener listener,
      PrintWriter err) {
    // Time skipping off: the stages take real time, and skipping would fire their timeouts.
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build())) {
      RunAttributes.registerIn(env);
      Workers.create(env::newWorker, Set.of(Workers.CPU, Workers.GPU), stages, Common.base(), work, listener);
      env.start();
      return run(env.getWorkflowClient(), starts, work, true, err);
    }
  }

  /**
   * Runs each start and waits for it. On a server all start at once (its workers may have many devices);
   * embedded, one after the other, since one JVM runs one training stage at a time anyway and the console's
   * stage lines then belong to one run. A run that waits for failed strategies is finished at once when
   * embedded (nobody can send it an update; rerun the command to retry, finished stages are reused), and on a
   * server the user is told how to retry or finish it.
   */
  static List<Outcome> run(WorkflowClient client, List<Start> starts, Path work, boolean embedded,
      PrintWriter err) {
    if (!embedded) for (Start s : starts) start(client, s);
    List<Outcome> outcomes = new ArrayList<>();
    for (Start s : starts) {
      if (embedded) start(client, s);
      RunResult result = null;
      RuntimeException failure = null;
      try {
        result = await(client, s.id(), embedded, err);
      } catch (RuntimeException e) {
        failure = e;
      }
      outcomes.add(new Outcome(s, result, failure, saveHistory(client, s.id(), work)));
    }
    return outcomes;
  }

  static void start(WorkflowClient client, Start s) {
    client.newUntypedWorkflowStub(ReproductionWorkflow.TYPE, WorkflowOptions.newBuilder()
            .setTaskQueue(Workers.CPU)
            .setWorkflowId(s.id())
            .setMemo(Map.of("plan", s.plan().name()))
            .setStaticSummary(RunLabels.runSummary(s.plan()))
            .setStaticDetails(RunLabels.runDetails(s.plan()))
            .build())
        .start(s.plan());
  }

  static RunResult await(WorkflowClient client, String id, boolean embedded, PrintWriter err) {
    WorkflowStub run = client.newUntypedWorkflowStub(id);
    boolean told = false;
    while (true) {
      try {
        return run.getResult(5, TimeUnit.SECONDS, RunResult.class);
      } catch (TimeoutException e) {
        RunProgress progress;
        try {
          progress = run.query("progress", RunProgress.class);
        } catch (WorkflowQueryException notYet) {
          continue;
        }
        boolean waiting = progress != null && progress.waiting();
        if (waiting && !told) tell(run, id, progress, embedded, err);
        told = waiting;
      }
    }
  }

  private static void tell(WorkflowStub run, String id, RunProgress progress, boolean embedded, PrintWriter err) {
    progress.failed().forEach((s, why) -> err.println("strategy " + s + " failed: " + why));
    if (embedded) {
      err.println("run " + id + ": the embedded service cannot wait for a retry, so the report is written without "
          + String.join(", ", progress.failed().keySet()) + " (marked incomplete). Fix the cause and run the same "
          + "command again: finished stages are reused.");
      run.signal("finish");
    } else {
      String first = progress.failed().keySet().iterator().next();
      err.println("run " + id + " waits. Fix the cause, then retry from the Web UI (Update: retryStrategy, input \""
          + first + "\") or with `temporal workflow update execute --workflow-id " + id + " --name retryStrategy "
          + "--input '\"" + first + "\"'`; or finish without it: `temporal workflow signal --workflow-id " + id
          + " --name finish`.");
    }
    err.flush();
  }

  /** Writes the run's history (as `temporal workflow show --output json` would) into its run folder. */
  static Path saveHistory(WorkflowClient client, String id, Path work) {
    Path file = new StageStore(work).runDir(id).resolve(RunHistory.FILE);
    Json.writeAtomic(file, client.fetchHistory(id).toJson(true).getBytes(StandardCharsets.UTF_8));
    return file;
  }
}
