package org.mapd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mapd.Json;
import org.mapd.conf.Plan;
import org.mapd.eval.Evaluate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluates one mapper on the VL-ICL grid of the plan (tasks x shots x ICL/FT).",
        "Writes OUT/samples.jsonl (one line per query, resumable) and OUT/results.json; prints the summary."})
final class EvalCommand implements Callable<Integer> {
  @Mixin Common common;
  @Mixin StageOptions stage;

  @Option(names = "--mapper", paramLabel = "DIR",
      description = "Finished mapper folder; omit to evaluate the untrained (seeded random) mapper.")
  Path mapper;

  @Option(names = "--row", paramLabel = "NAME",
      description = "Row name in the results (a strategy, pretrain_only or untrained); default: untrained "
          + "without --mapper, else the mapper folder's name.")
  String row;

  @Option(names = "--vl-icl", paramLabel = "DIR",
      description = "VL-ICL folder; default: PREPARED/VL-ICL.")
  Path vlIcl;

  @Override
  public Integer call() {
    Plan p = stage.loadPlan();
    Path tasks = vlIcl != null ? vlIcl.toAbsolutePath() : stage.prepared().resolve("VL-ICL");
    String name = row != null ? row : mapper == null ? "untrained" : mapper.toAbsolutePath().getFileName().toString();
    ConsoleProgress console = ConsoleProgress.onStderr();
    System.out.println(Json.write(Evaluate.run(p, Common.base(), name, mapper == null ? null : mapper.toAbsolutePath(),
        stage.backbones(p), tasks, stage.out, console.forStage(Evaluate.stageName(name)))));
    return 0;
  }
}
