package org.mapd.workflows;

import io.temporal.common.converter.DataConverterException;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import io.temporal.worker.WorkflowImplementationOptions;

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
}
