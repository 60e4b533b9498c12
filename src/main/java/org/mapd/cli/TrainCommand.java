package org.mapd.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.train.Finetune;
import org.mapd.train.ModelAverage;
import org.mapd.train.Pretrain;
import org.mapd.train.Warmup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Training stages, runnable alone on explicit inputs and outputs; each prints its result as JSON.",
    subcommands = {TrainCommand.WarmupCmd.class, TrainCommand.PretrainCmd.class, TrainCommand.FinetuneCmd.class,
        TrainCommand.AverageCmd.class})
final class TrainCommand {

  @Command(name = "warmup", mixinStandardHelpOptions = true,
      description = "Mini plan only: trains tiny vision and language backbones on the prepared data, then "
          + "writes them in HuggingFace layout under OUT/vision and OUT/llm.")
  static final class WarmupCmd implements Callable<Integer> {
    @Mixin Common common;
    @Mixin StageOptions stage;

    @Override
    public Integer call() {
      Plan p = stage.loadPlan();
      ConsoleProgress console = ConsoleProgress.onStderr();
      System.out.println(Json.write(
          Warmup.run(p, Common.base(), stage.prepared(), stage.out, console.forStage("Warmup"))));
      return 0;
    }
  }

  @Command(name = "pretrain", mixinStandardHelpOptions = true,
      description = "Pretrains the attention mapper on the captions (LLaVA-Pretrain) with frozen backbones.")
  static final class PretrainCmd implements Callable<Integer> {
    @Mixin Common common;
    @Mixin StageOptions stage;

    @Override
    public Integer call() {
      Plan p = stage.loadPlan();
      ConsoleProgress console = ConsoleProgress.onStderr();
      System.out.println(Json.write(Pretrain.run(p, Common.base(), stage.prepared(), stage.backbones(p), stage.out,
          console.forStage("Pretrain"))));
      return 0;
    }
  }

  @Command(name = "finetune", mixinStandardHelpOptions = true,
      description = "Finetunes the pretrained mapper with one strategy.")
  static final class FinetuneCmd implements Callable<Integer> {
    @Mixin Common common;
    @Mixin StageOptions stage;

    @Option(names = "--strategy", required = true, paramLabel = "NAME",
        description = "mapd, multitask, nometatask, ict or modelavg (modelavg needs --dataset: one member run).")
    String strategy;

    @Option(names = "--dataset", paramLabel = "DS",
        description = "Train on this dataset only (a ModelAvg member run); default: the whole mixture.")
    String dataset;

    @Option(names = "--init", required = true, paramLabel = "DIR", description = "The pretrained mapper folder.")
    Path init;

    @Override
    public Integer call() {
      Strategy s = Strategy.parse(strategy);
      if (s == Strategy.MODELAVG && dataset == null) {
        throw new IllegalArgumentException("--strategy modelavg trains one dataset per run: pass --dataset, then "
            + "`mapd train average` the members");
      }
      Plan p = stage.loadPlan();
      ConsoleProgress console = ConsoleProgress.onStderr();
      System.out.println(Json.write(Finetune.run(p, Common.base(), s, dataset, stage.prepared(), stage.backbones(p),
          init.toAbsolutePath(), stage.out, console.forStage("Finetune " + s.json()))));
      return 0;
    }
  }

  @Command(name = "average", mixinStandardHelpOptions = true,
      description = "ModelAvg: the weighted parameter average of per-dataset mappers.")
  static final class AverageCmd implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--mapper", required = true, paramLabel = "DIR", description = "A member mapper folder (repeat).")
    List<Path> mappers;

    @Option(names = "--weight", required = true, paramLabel = "W",
        description = "Weight of the mapper at the same position, e.g. its dataset's record count (repeat).")
    List<Double> weights;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Override
    public Integer call() {
      if (mappers.size() != weights.size()) {
        throw new IllegalArgumentException(mappers.size() + " --mapper but " + weights.size() + " --weight");
      }
      System.out.println(Json.write(ModelAverage.run(mappers, weights, out)));
      return 0;
    }
  }
}
