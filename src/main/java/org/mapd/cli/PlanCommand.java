package org.mapd.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.sizing.PlanEstimate;
import org.mapd.train.DataStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "plan", mixinStandardHelpOptions = true, description = "What a plan costs before it runs.",
    subcommands = {PlanCommand.Estimate.class})
final class PlanCommand {

  @Command(name = "estimate", mixinStandardHelpOptions = true,
      description = {"Per stage: examples, optimizer steps, tokens, FLOPs, per-GPU memory (weights, optimizer state, "
          + "feature cache and the activations of the micro-batch the device allows, with activation checkpointing "
          + "as the plan's memory.recompute says) and GPU hours; in total GPU hours and the wall time of the stages "
          + "scheduled on --gpus GPUs (one stage per GPU, strategies, ModelAvg runs and evaluations side by side). "
          + "Prints a table and writes --out as JSON. Exit code 2 when a stage does not fit --gpu-memory.",
          "Shapes come from the plan's model folders, or from llm/ and vision/ in its conf folder when those are absent; "
              + "sequence lengths from --stats (written by `mapd rehearse`, or the conf folder's data-stats.json)."})
  static final class Estimate implements Callable<Integer> {
    /** A100 80 GB with TF32 allowed: 156 dense TFLOP/s peak, ~35% sustained by eager FP32/TF32 ops (an assumption). */
    static final double DEFAULT_TFLOPS = 55;

    @Spec CommandSpec spec;
    @Mixin Common common;

    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "The plan, e.g. workflows/paper.json.")
    Path plan;

    @Option(names = "--gpus", defaultValue = "4", paramLabel = "N", description = "GPUs (default: ${DEFAULT-VALUE}).")
    int gpus;

    @Option(names = "--gpu-memory", defaultValue = "80", paramLabel = "GB",
        description = "Memory of each GPU in GiB (default: ${DEFAULT-VALUE}).")
    double gpuMemory;

    @Option(names = "--tflops", defaultValue = "" + DEFAULT_TFLOPS, paramLabel = "R",
        description = "Sustained TFLOP/s of one GPU on this work (default: ${DEFAULT-VALUE}: an A100 80 GB with TF32 "
            + "allowed, 156 dense peak at about 35%; without TF32 its FP32 peak is 19.5).")
    double tflops;

    @Option(names = "--stats", paramLabel = "FILE",
        description = "Measured sequence lengths (DataStats JSON; default: <plan conf>/data-stats.json).")
    Path stats;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the estimate as JSON here.")
    Path out;

    @Override
    public Integer call() {
      if (gpus <= 0 || gpuMemory <= 0 || tflops <= 0) throw new IllegalArgumentException("--gpus, --gpu-memory and --tflops must be > 0");
      Path base = Common.base();
      Plan p = Inputs.plan(plan);
      Path conf = base.resolve(p.conf());
      Path statsFile = stats != null ? stats : conf.resolve("data-stats.json");
      if (!Files.isRegularFile(statsFile)) {
        throw new IllegalArgumentException(statsFile + ": no sequence-length statistics (run `mapd rehearse`, or pass --stats)");
      }
      DataStats s = Json.read(statsFile, DataStats.class);
      Path vision = base.resolve(p.models().vision());
      Path llm = base.resolve(p.models().llm());
      if (!Files.isRegularFile(vision.resolve("config.json")) || !Files.isRegularFile(llm.resolve("config.json"))) {
        vision = conf.resolve("vision"); // the published configs kept with the conf
        llm = conf.resolve("llm");
      }
      PlanEstimate.Estimate e = PlanEstimate.of(p, base, vision, llm, s, gpus, gpuMemory, tflops, rate());
      if (out != null) Json.writeAtomic(out, e);
      print(e, spec.commandLine().getOut());
      return e.stages().stream().allMatch(PlanEstimate.Stage::fits) ? 0 : Main.BAD_INPUT;
    }

    private String rate() {
      return tflops == DEFAULT_TFLOPS ? "assumed: A100 80 GB, TF32 allowed, ~35% of 156 TFLOP/s" : "--tflops " + tflops;
    }

    static void print(PlanEstimate.Estimate e, PrintWriter w) {
      w.printf(Locale.ROOT, "plan %s on %d GPU(s) of %.0f GB at %.1f TFLOP/s sustained (%s)%n", e.plan(), e.gpus(),
          e.gpuMemoryGB(), e.tflops(), e.rate());
      w.printf(Locale.ROOT, "%-34s %10s %9s %14s %11s %9s %6s %9s %10s%n", "stage", "examples", "steps", "tokens",
          "PFLOP", "GPU GB", "micro", "worst GB", "GPU hours");
      for (PlanEstimate.Stage s : e.stages()) {
        w.printf(Locale.ROOT, "%-34s %10d %9d %14d %11.1f %9.1f %6d %9.1f %10.1f%s%n", s.stage(), s.examples(), s.steps(),
            s.tokens(), s.flops() / 1e15, s.gpuMemoryGB(), s.microBatch(), s.worstGpuMemoryGB(), s.gpuHours(),
            s.fits() ? "" : "  DOES NOT FIT");
      }
      w.printf(Locale.ROOT, "total %.1f PFLOP, %.0f GPU hours, %.0f hours (%.1f days) on %d GPU(s)%n", e.total().flops() / 1e15,
          e.total().gpuHours(), e.total().wallHours(), e.total().wallHours() / 24, e.gpus());
      for (String n : e.notes()) w.println("note: " + n);
      w.flush();
    }
  }
}
