package org.mapd.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.mapd.conf.Plan;
import org.mapd.workflows.PlanCheck;
import org.mapd.workflows.ReproductionWorkflow;
import org.mapd.workflows.RunResult;
import org.mapd.workflows.StageListener;
import org.mapd.workflows.Stages;
import org.mapd.workflows.Workers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
        "Runs the whole reproduction of a plan as the ReproductionWorkflow and prints the path of report.md.",
        "Writes WORK/stages/<stage>-<hash>/ (reused by later runs when their inputs are unchanged) and "
            + "WORK/runs/<run-id>/report/{report.md,results.json,accuracy_vs_shots.png}.",
        "Without --temporal it starts an in-process Temporal service and both workers in this JVM; that service "
            + "keeps nothing after exit, so durability comes from the work folder: run the same command again "
            + "to continue an interrupted run."})
final class ReproduceCommand implements Callable<Integer> {
  private final Stages stages;

  @Spec CommandSpec spec;
  @Mixin Common common;

  @Option(names = "--plan", required = true, paramLabel = "FILE",
      description = "Plan JSON, e.g. workflows/mini.json (paths in it resolve against the current directory).")
  Path plan;

  @Option(names = "--work", defaultValue = "work", paramLabel = "DIR",
      description = "Work folder for stage outputs and reports (default: ${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--temporal", paramLabel = "HOST:PORT",
      description = "Use this Temporal server (e.g. localhost:7233 of `temporal server start-dev`) instead of "
          + "the in-process one.")
  String temporal;

  @Option(names = "--namespace", defaultValue = "default", paramLabel = "NS",
      description = "Temporal namespace, with --temporal (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--no-worker",
      description = "With --temporal: start no workers here; `mapd worker` processes run the stages.")
  boolean noWorker;

  @Option(names = "--id", paramLabel = "WORKFLOW-ID",
      description = "Workflow id and run id (default: <plan name>-<UTC time to the millisecond>-<4 random hex "
          + "digits>, unique even for runs started together). Child ids are <id>/<strategy>.")
  String id;

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
    ConsoleProgress console = ConsoleProgress.onStderr();
    System.err.println("run " + runId + ": plan " + plan + ", work " + work.toAbsolutePath());
    RunResult result;
    if (temporal == null) {
      result = embedded(stages, p, work, runId, console);
    } else {
      WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
          WorkflowServiceStubsOptions.newBuilder().setTarget(temporal).build());
      try {
        WorkflowClient client = WorkflowClient.newInstance(service,
            io.temporal.client.WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
        WorkerFactory factory = WorkerFactory.newInstance(client);
        if (!noWorker) {
          Workers.create(factory::newWorker, Set.of(Workers.CPU, Workers.GPU), stages, Common.base(), work,
              console);
          factory.start();
        }
        try {
          result = start(client, p, runId);
        } finally {
          factory.shutdown();
        }
      } finally {
        service.shutdown();
      }
    }
    spec.commandLine().getOut().println(result.report());
    return 0;
  }

  /** Runs a plan on an in-process Temporal service with both workers in this JVM. */
  static RunResult embedded(Stages stages, Plan plan, Path work, String runId, StageListener listener) {
    // Time skipping off: the stages take real time, and skipping would fire their timeouts.
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build())) {
      Workers.create(env::newWorker, Set.of(Workers.CPU, Workers.GPU), stages, Common.base(), work, listener);
      env.start();
      return start(env.getWorkflowClient(), plan, runId);
    }
  }

  private static RunResult start(WorkflowClient client, Plan plan, String runId) {
    ReproductionWorkflow workflow = client.newWorkflowStub(ReproductionWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(Workers.CPU)
            .setWorkflowId(runId)
            .setMemo(Map.of("plan", plan.name()))
            .build());
    return workflow.run(plan);
  }
}
