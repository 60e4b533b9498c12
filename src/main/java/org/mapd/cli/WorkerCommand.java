package org.mapd.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.mapd.workflows.Stages;
import org.mapd.workflows.Workers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
        "Polls a Temporal server and runs stages until stopped (Ctrl-C).",
        "mapd-cpu runs the workflows, PrepareData and Report; mapd-gpu runs Warmup, Pretrain, Finetune, "
            + "AverageParameters and Evaluate, one at a time per process (start one process per device).",
        "All workers of a run must see the same --work folder (a shared file system) and the same repository "
            + "checkout as working directory."})
final class WorkerCommand implements Callable<Integer> {
  @Mixin Common common;

  @Option(names = "--temporal", required = true, paramLabel = "HOST:PORT",
      description = "Temporal server gRPC address, e.g. localhost:7233.")
  String temporal;

  @Option(names = "--namespace", defaultValue = "default", paramLabel = "NS", description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--queue", required = true, split = ",", paramLabel = "QUEUE",
      description = "Task queue(s) to serve: mapd-cpu, mapd-gpu (repeat or comma-separate for both).")
  List<String> queues;

  @Option(names = "--work", defaultValue = "work", paramLabel = "DIR",
      description = "Work folder for stage outputs (default: ${DEFAULT-VALUE}).")
  Path work;

  @Override
  public Integer call() throws InterruptedException {
    for (String q : queues) {
      if (!q.equals(Workers.CPU) && !q.equals(Workers.GPU)) {
        throw new IllegalArgumentException("unknown task queue '" + q + "' (known: " + Workers.CPU + ", " + Workers.GPU + ")");
      }
    }
    WorkflowServiceStubs service = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(temporal).build());
    WorkflowClient client = WorkflowClient.newInstance(service,
        WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    Workers.create(factory::newWorker, new LinkedHashSet<>(queues), Stages.REAL, Common.base(), work,
        ConsoleProgress.onStderr());
    factory.start();
    System.err.println("worker polling " + queues + " on " + temporal + " (namespace " + namespace + "), work "
        + work.toAbsolutePath());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      factory.shutdown();
      service.shutdown();
    }));
    Thread.currentThread().join();
    return 0;
  }
}
