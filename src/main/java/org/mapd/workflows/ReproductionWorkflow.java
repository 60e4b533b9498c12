package org.mapd.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.mapd.conf.Plan;

/**
 * The whole reproduction of one plan: PrepareData, Warmup (mini plan), Pretrain, the reference
 * evaluations, one {@link StrategyWorkflow} per strategy in parallel, and the Report. Its single input is
 * the plan JSON, so the Web UI's "Start Workflow" form can launch a run.
 *
 * <p>A strategy that fails does not stop the others. When all have ended and some failed, the run waits,
 * showing which and why, for {@link #retryStrategy} or {@link #finish}; both can be sent from the Web UI.
 */
@WorkflowInterface
public interface ReproductionWorkflow {
  String TYPE = "ReproductionWorkflow";

  @WorkflowMethod(name = TYPE)
  RunResult run(Plan plan);

  /** The stages and numbers so far (the same as the current details, as JSON). */
  @QueryMethod(name = "progress")
  RunProgress progress();

  /** Runs a failed strategy again; its finished stages are reused from the stage store. */
  @UpdateMethod(name = "retryStrategy")
  String retryStrategy(String strategy);

  /** Rejects a name that is not a failed strategy of this run, before anything is recorded. */
  @UpdateValidatorMethod(updateName = "retryStrategy")
  void validateRetryStrategy(String strategy);

  /** Stops waiting for failed strategies: the report is written without them and marked incomplete. */
  @SignalMethod(name = "finish")
  void finish();
}
