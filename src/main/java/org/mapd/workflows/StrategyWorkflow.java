package org.mapd.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/** One finetuning strategy: Finetune (ModelAvg: one per dataset, then AverageParameters), then Evaluate. */
@WorkflowInterface
public interface StrategyWorkflow {
  @WorkflowMethod(name = "StrategyWorkflow")
  StrategyResult run(StrategyInput input);

  /** The child's stages and numbers so far (the same as its current details, as JSON). */
  @QueryMethod(name = "progress")
  RunProgress progress();
}
