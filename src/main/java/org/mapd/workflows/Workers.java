package org.mapd.workflows;

import io.temporal.common.converter.DataConverterException;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkflowImplementationOptions;
import java.nio.file.Path;
import java.util.Set;

/** Task queues and what each worker registers. Workflows run on the cpu queue with the data stages. */
public final class Workers {
  public static final String CPU = "mapd-cpu";
  public static final String GPU = "mapd-gpu";

  private Workers() {}

  /**
   * DJL allows one GradientCollector per JVM, so a gpu worker process runs one stage at a time; more
   * devices means more worker processes.
   */
  public static WorkerOptions gpuOptions() {
    return WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(1).build();
  }

  public static void registerCpu(Worker worker, DataActivities activities) {
    worker.registerWorkflowImplementationTypes(
        WorkflowImplementationOptions.newBuilder()
            // A plan that does not deserialize fails the run with the reason, instead of retrying forever.
            .setFailWorkflowExceptionTypes(IllegalArgumentException.class, DataConverterException.class)
            .build(),
        ReproductionWorkflowImpl.class,
        StrategyWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
  }

  public static void registerGpu(Worker worker, TrainingActivities activities) {
    worker.registerActivitiesImplementations(activities);
  }

  /** Where workers come from: an in-process test environment or a factory connected to a server. */
  @FunctionalInterface
  public interface Source {
    Worker newWorker(String taskQueue, WorkerOptions options);
  }

  /**
   * Creates and registers the workers of the given queues.
   *
   * @param stages the stage implementations ({@link Stages#REAL} outside tests)
   * @param base folder relative plan paths resolve against (the repository root)
   * @param work the work folder (stage outputs, run reports)
   */
  public static void create(Source source, Set<String> queues, Stages stages, Path base, Path work,
      StageListener listener) {
    StageStore store = new StageStore(work);
    for (String queue : queues) {
      switch (queue) {
        case CPU -> registerCpu(source.newWorker(CPU, WorkerOptions.getDefaultInstance()),
            new DataActivitiesImpl(base, store, stages, listener));
        case GPU -> registerGpu(source.newWorker(GPU, gpuOptions()),
            new TrainingActivitiesImpl(base, store, stages, listener));
        default -> throw new IllegalArgumentException(
            "unknown task queue '" + queue + "' (known: " + CPU + ", " + GPU + ")");
      }
    }
  }
}
