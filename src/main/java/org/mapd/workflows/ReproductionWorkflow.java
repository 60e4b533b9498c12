package org.mapd.workflows;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.mapd.conf.Plan;

/**
 * The whole reproduction of one plan: PrepareData, Warmup (mini plan), Pretrain, the reference
 * evaluations, one {@link StrategyWorkflow} per strategy in parallel, and the Report. Its single input is
 * the plan JSON, so the Web UI's "Start Workflow" form can launch a run.
 */
@WorkflowInterface
public interface ReproductionWorkflow {
  String TYPE = "ReproductionWorkflow";

  @WorkflowMethod(name = TYPE)
  RunResult run(Plan plan);
}
