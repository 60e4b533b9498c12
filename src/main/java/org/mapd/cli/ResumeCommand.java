package org.mapd.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.mapd.report.RunHistory;
import org.mapd.workflows.PlanCheck;
import org.mapd.workflows.StageStore;
import org.mapd.workflows.Stages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "resume", mixinStandardHelpOptions = true,
    description = {"Starts an ended run again under the same workflow id, with the plan from its history: every "
        + "stage that finished is reused from the stage store (WORK/stages, which the workers must share), an "
        + "interrupted one continues from its newest checkpoint, and the report is written anew.",
        "With --temporal the history comes from the server (the run must have ended: failed, terminated, timed "
            + "out, or finished); without, from WORK/runs/RUN-ID/history.json of the embedded mode, and the run "
            + "goes on the in-process service."})
final class ResumeCommand implements Callable<Integer> {
  private final Stages stages;

  @Spec CommandSpec spec;
  @Mixin Common common;
  @Mixin Connection connection;

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "Workflow id of the run to resume.")
  String runId;

  @Mixin RunOptions runOptions;

  ResumeCommand() {
    this(Stages.REAL);
  }

  /** Tests run the whole command around fake stages. */
  ResumeCommand(Stages stages) {
    this.stages = stages;
  }

  @Override
  public Integer call() {
    RunHistory history;
    if (connection.remote()) {
      try (Connection.Connected server = connection.open()) {
        history = RunHistory.parse(server.client().fetchHistory(runId).toJson(false), runId);
      }
    } else {
      history = CompareCommand.read(new StageStore(runOptions.work).runDir(runId));
    }
    if (history.status().equals("running")) {
      throw new IllegalArgumentException("run " + runId + " is still running: if it waits for failed strategies, "
          + "send it retryStrategy or finish; to start it over, terminate it first");
    }
    PlanCheck.check(history.plan(), Common.base());
    PrintWriter err = spec.commandLine().getErr();
    err.println("resume " + runId + " (" + history.status() + ") with the plan from its history ("
        + history.plan().name() + ", seed " + history.plan().seed() + "), work " + runOptions.work.toAbsolutePath()
        + ": finished stages are reused");
    err.flush();
    List<Runs.Outcome> outcomes = ReproduceCommand.run(stages, List.of(new Runs.Start(history.plan(), runId)),
        runOptions.work, connection, runOptions.noWorker, err);
    return ReproduceCommand.finish(outcomes, spec.commandLine().getOut(), err);
  }
}
