package org.mapd.cli;

import io.temporal.worker.WorkerFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mapd.conf.Plan;
import org.mapd.report.Compare;
import org.mapd.report.RunHistory;
import org.mapd.workflows.PlanCheck;
import org.mapd.workflows.RunResult;
import org.mapd.workflows.StageListener;
import org.mapd.workflows.Stages;
import org.mapd.workflows.Workers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the whole reproduction of a plan as the ReproductionWorkflow and prints the path of report.md.",
        "Writes WORK/stages/<stage>-<hash>/ (reused by later runs when their inputs are unchanged) and "
            + "WORK/runs/<run-id>/report/{report.md,results.json,accuracy_vs_shots.png}, and keeps the run's "
            + "workflow history in WORK/runs/<run-id>/history.json (input of `mapd compare` and `mapd resume`).",
        "Without --temporal it starts an in-process Temporal service and both workers in this JVM; that service "
            + "keeps nothing after exit, so durability comes from the work folder: run the same command again "
            + "to continue an interrupted run. A strategy that fails there does not stop the others; the report "
            + "is then written without it, marked incomplete, and the command exits with 1.",
        "With --seeds it runs the plan once per seed and ends with `mapd compare` of those runs in "
            + "WORK/compare/<run-id>/."})
final class ReproduceCommand implements Callable<Integer> {
  private final Stages stages;

  @Spec CommandSpec spec;
  @Mixin Common common;
  @Mixin Connection connection;

  @Option(names = "--plan", required = true, paramLabel = "FILE",
      description = "Plan JSON, e.g. workflows/mini.json (paths in it resolve against the current directory).")
  Path plan;

  @Mixin RunOptions runOptions;

  @Option(names = "--id", paramLabel = "WORKFLOW-ID",
      description = "Workflow id and run id (default: <plan name>-<UTC time to the millisecond>-<4 random hex "
          + "digits>, unique even for runs started together). Child ids are <id>/<strategy>; with --seeds the "
          + "runs are <id>-s<seed>.")
  String id;

  @Option(names = "--seeds", split = ",", paramLabel = "SEED",
      description = "Run the plan once per seed (e.g. 222,223,224) instead of with its own seed, then compare "
          + "the runs.")
  List<Long> seeds;

  ReproduceCommand() {
    this(Stages.REAL);
  }

  /** Tests run the whole command around fake stages. */
  ReproduceCommand(Stages stages) {
    this.stages = stages;
  }

  @Override
  public Integer call() {
    Plan p = Inputs.plan(plan);
    PlanCheck.check(p, Common.base());
    String runId = id != null ? id : RunIds.next(p.name());
    List<Runs.Start> starts = new ArrayList<>();
    if (seeds == null || seeds.isEmpty()) {
      starts.add(new Runs.Start(p, runId));
    } else {
      for (long seed : seeds) starts.add(new Runs.Start(p.withSeed(seed), runId + "-s" + seed));
    }
    PrintWriter err = spec.commandLine().getErr();
    for (Runs.Start s : starts) {
      err.println("run " + s.id() + ": plan " + plan + " (seed " + s.plan().seed() + "), work "
          + runOptions.work.toAbsolutePath());
    }
    err.flush();
    List<Runs.Outcome> outcomes = run(stages, starts, runOptions.work, connection, runOptions.noWorker, err);
    if (starts.size() > 1) {
      List<RunHistory> histories = new ArrayList<>();
      for (Runs.Outcome o : outcomes) histories.add(CompareCommand.read(o.history()));
      Path md = Compare.write(histories, null, runOptions.work.resolve("compare").resolve(runId));
      spec.commandLine().getOut().println(md.toAbsolutePath());
    }
    return finish(outcomes, spec.commandLine().getOut(), err);
  }

  /** Runs embedded, or on the server of {@code connection} with this process's workers unless noWorker. */
  static List<Runs.Outcome> run(Stages stages, List<Runs.Start> starts, Path work, Connection connection,
      boolean noWorker, PrintWriter err) {
    ConsoleProgress console = ConsoleProgress.onStderr();
    if (!connection.remote()) return Runs.embedded(stages, starts, work, console, err);
    try (Connection.Connected server = connection.open()) {
      WorkerFactory factory = WorkerFactory.newInstance(server.client());
      if (!noWorker) {
        WorkerCommand.requireSearchAttributes(connection);
        Workers.create(factory::newWorker, Set.of(Workers.CPU, Workers.GPU), stages, Common.base(), work, console);
        factory.start();
      }
      try {
        return Runs.run(server.client(), starts, work, false, err);
      } finally {
        factory.shutdown();
      }
    }
  }

  /**
   * Prints each report's path; a failed run's failure is rethrown (exit 1, or 2 for a bad input), an
   * incomplete run exits with 1.
   */
  static int finish(List<Runs.Outcome> outcomes, PrintWriter out, PrintWriter err) {
    int code = 0;
    for (Runs.Outcome o : outcomes) {
      if (o.result() == null) continue;
      out.println(o.result().report());
      if (!o.result().complete()) {
        err.println("mapd: run " + o.start().id() + " is incomplete: " + String.join(", ", o.result().failed().keySet())
            + " failed; its report says why");
        code = Main.FAILED;
      }
    }
    for (Runs.Outcome o : outcomes) if (o.failure() != null) throw o.failure();
    return code;
  }

  /** Runs one plan on an in-process service with both workers in this JVM (`mapd rehearse` uses it too). */
  static RunResult embedded(Stages stages, Plan plan, Path work, String runId, StageListener listener) {
    Runs.Outcome o = Runs.embedded(stages, List.of(new Runs.Start(plan, runId)), work, listener,
        new PrintWriter(System.err, true)).get(0);
    if (o.failure() != null) throw o.failure();
    return o.result();
  }
}
