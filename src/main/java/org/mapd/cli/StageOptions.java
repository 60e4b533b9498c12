package org.mapd.cli;

import java.nio.file.Path;
import org.mapd.conf.Plan;
import org.mapd.model.Backbones;
import picocli.CommandLine.Option;

/** Inputs shared by the model stages run alone (train ..., eval). */
final class StageOptions {
  @Option(names = "--plan", required = true, paramLabel = "FILE",
      description = "Plan JSON: seed, fidelity, conf folder and (by default) the backbone folders.")
  Path plan;

  @Option(names = "--prepared", paramLabel = "DIR", description = "Output folder of `mapd data prepare`.")
  Path prepared;

  @Option(names = "--vision", paramLabel = "DIR",
      description = "Vision tower folder (config.json + model.safetensors); default: the plan's models.vision.")
  Path vision;

  @Option(names = "--llm", paramLabel = "DIR",
      description = "Decoder folder (config.json, weights, tokenizer.json); default: the plan's models.llm.")
  Path llm;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder. The stage resumes from the newest checkpoint found there.")
  Path out;

  @Option(names = "--resume",
      description = "Continue from the checkpoints in --out. Without it, a --out holding checkpoints is refused, "
          + "so that nothing is overwritten by accident.")
  boolean resume;

  Plan loadPlan() {
    Plan p = Inputs.plan(plan);
    Inputs.requireFreshOrResume(out, resume);
    return p;
  }

  Path prepared() {
    if (prepared == null) throw new IllegalArgumentException("--prepared DIR is required for this stage");
    return prepared.toAbsolutePath();
  }

  Backbones backbones(Plan p) {
    Path base = Common.base();
    return new Backbones(
        (vision != null ? vision.toAbsolutePath() : base.resolve(p.models().vision())).toString(),
        (llm != null ? llm.toAbsolutePath() : base.resolve(p.models().llm())).toString());
  }
}
