package org.mapd.cli;

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

  @Mixin Connection connection;

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
    connection.require("worker");
    requireSearchAttributes(connection);
    Connection.Connected server = connection.open();
    WorkerFactory factory = WorkerFactory.newInstance(server.client());
    Workers.create(factory::newWorker, new LinkedHashSet<>(queues), Stages.REAL, Common.base(), work,
        ConsoleProgress.onStderr());
    factory.start();
    System.err.println("worker polling " + queues + " on " + connection.address + " (namespace "
        + connection.namespace + "), work " + work.toAbsolutePath());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      factory.shutdown();
      server.close();
    }));
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Refuses to start workers on a namespace without mapd's search attributes: its workflows would fail every
   * workflow task. Servers that cannot list them (the SDK's test server) are not checked.
   */
  static void requireSearchAttributes(Connection connection) {
    var operator = connection.operator();
    try {
      List<String> missing = SearchAttributeSetup.missing(operator, connection.namespace);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException("namespace " + connection.namespace + " lacks the search attributes "
            + String.join(", ", missing) + ": run `./mapd temporal setup --temporal " + connection.address
            + " --namespace " + connection.namespace + "` once");
      }
    } finally {
      operator.shutdown();
    }
  }
}
