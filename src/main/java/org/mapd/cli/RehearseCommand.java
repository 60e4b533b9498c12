package org.mapd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mapd.conf.Plan;
import org.mapd.sizing.Rehearsal;
import org.mapd.sizing.RehearsalReport;
import org.mapd.train.DataStats;
import org.mapd.workflows.PlanCheck;
import org.mapd.workflows.RunResult;
import org.mapd.workflows.Stages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "rehearse", mixinStandardHelpOptions = true,
    description = {"Runs a plan's real code path on this machine: writes random checkpoints with the plan's backbone "
        + "configs (conf/<plan>/llm, vision) cut to a few layers, generates full-size synthetic data in the authors' "
        + "layouts, caps every stage to a few steps and queries, and runs ReproductionWorkflow on the embedded "
        + "services. Then writes WORK/rehearsal/rehearsal.md (per stage: time, peak resident memory, sequence "
        + "lengths, micro-batches, the memory model here and projected per GPU at full depth) and "
        + "WORK/rehearsal/data-stats.json (input of `mapd plan estimate --stats`).",
        "Inputs are written once under WORK/rehearsal/inputs and reused by later runs; stages are reused like "
            + "`mapd reproduce` reuses them. Run with MAPD_THREADS=2 on a 2-core machine."})
final class RehearseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Common common;

  @Option(names = "--plan", defaultValue = "workflows/paper.json", paramLabel = "FILE",
      description = "The plan to rehearse (default: ${DEFAULT-VALUE}).")
  Path plan;

  @Option(names = "--work", defaultValue = "work-rehearsal", paramLabel = "DIR",
      description = "Work folder: inputs, stages, report (default: ${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--decoder-layers", defaultValue = "1", paramLabel = "L",
      description = "Decoder layers kept (default: ${DEFAULT-VALUE}).")
  int decoderLayers;

  @Option(names = "--vision-layers", defaultValue = "2", paramLabel = "L",
      description = "Vision layers kept, at least 2 (default: ${DEFAULT-VALUE}).")
  int visionLayers;

  @Option(names = "--steps", defaultValue = "1", paramLabel = "N",
      description = "Optimizer steps per training stage (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--batch", defaultValue = "2", paramLabel = "N",
      description = "Most examples per step of example-based stages (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--queries", defaultValue = "1", paramLabel = "N",
      description = "Queries per VL-ICL task and row (default: ${DEFAULT-VALUE}).")
  int queries;

  @Option(names = "--ft-steps", defaultValue = "1", paramLabel = "N",
      description = "Most FT adaptation steps (default: ${DEFAULT-VALUE}).")
  int ftSteps;

  @Option(names = "--new-tokens", defaultValue = "2", paramLabel = "N",
      description = "Most generated tokens (default: ${DEFAULT-VALUE}).")
  int newTokens;

  @Option(names = "--host-gb", defaultValue = "14", paramLabel = "GB",
      description = "Memory budget the micro-batches are cut for here (default: ${DEFAULT-VALUE}).")
  double hostGb;

  @Option(names = "--data-scale", defaultValue = "1", paramLabel = "F",
      description = "Synthetic data size relative to the real datasets; below 1 only for a quick check "
          + "(default: ${DEFAULT-VALUE}, full size).")
  double dataScale;

  @Option(names = "--all-shots",
      description = "Evaluate every shot count of the plan, not only each task's smallest and largest (the counts "
          + "in between run the same code with fewer support examples; about twice the evaluation time).")
  boolean allShots;

  @Option(names = "--id", paramLabel = "WORKFLOW-ID",
      description = "Workflow id (default: <plan name>-rehearsal-<UTC time>-<random>).")
  String id;

  @Override
  public Integer call() {
    Path base = Common.base();
    Plan paper = Inputs.plan(plan);
    java.util.List<String> unfit = Rehearsal.paperFits(paper, base);
    if (!unfit.isEmpty()) throw new IllegalArgumentException("plan '" + paper.name() + "' does not fit its device at full depth: "
        + String.join("; ", unfit));
    Rehearsal.Caps caps = new Rehearsal.Caps(decoderLayers, visionLayers, steps, batch, queries, ftSteps, newTokens, hostGb, dataScale, allShots);
    System.err.println("rehearsal of " + plan + " in " + work.toAbsolutePath() + ": writing inputs (once) ...");
    Plan rehearsal = Rehearsal.prepare(paper, base, work, caps, 7);
    PlanCheck.check(rehearsal, base);
    String runId = id != null ? id : RunIds.next(rehearsal.name());
    System.err.println("run " + runId + ": plan " + Rehearsal.dir(work).resolve("plan.json"));
    RunResult result = ReproduceCommand.embedded(Stages.REAL, rehearsal, work, runId, ConsoleProgress.onStderr());
    Path dir = Rehearsal.dir(work).toAbsolutePath();
    org.mapd.Json.writeAtomic(dir.resolve("data-stats.json"), DataStats.measure(rehearsal, base, Rehearsal.prepared(work),
        Path.of(rehearsal.models().llm()).resolve("tokenizer.json"), dir.resolve("stats-index"), 2000));
    Path md = RehearsalReport.write(work, rehearsal, base.resolve(paper.conf()), caps);
    spec.commandLine().getOut().println(md);
    spec.commandLine().getOut().println(result.report());
    return 0;
  }
}
