package org.mapd.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.mapd.conf.Plan;
import org.mapd.data.PaperScaleData;
import org.mapd.data.SynthData;
import org.mapd.pipelines.PrepareData;
import org.mapd.pipelines.PrepareOptions;
import org.mapd.pipelines.PrepareSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "data", mixinStandardHelpOptions = true,
    description = "Data stages, runnable alone: generate synthetic data, prepare datasets with Beam.",
    subcommands = {DataCommand.Synth.class, DataCommand.PaperScale.class, DataCommand.Prepare.class})
final class DataCommand {

  @Command(name = "synth", mixinStandardHelpOptions = true,
      description = "Writes synthetic datasets in the real formats (LLaVA-Pretrain, LLaVA-Instruct mix, "
          + "OneVision subsets, VL-ICL tasks) under --out; the same seed gives byte-identical files.")
  static final class Synth implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
      Map<String, Integer> counts = SynthData.generate(out, seed);
      new TreeMap<>(counts).forEach((file, n) -> System.out.printf("%8d  %s%n", n, file));
      return 0;
    }
  }

  @Command(name = "paper-scale", mixinStandardHelpOptions = true,
      description = {"Writes synthetic inputs of the paper plan at the real sizes under --out, in the layout "
          + "`data prepare` reads: LCS-558K (558,128 captions), mix665k (665,298 records) with its Instruct-150K "
          + "and OK-VQA side files, the three LLaVA-OneVision subsets (converted JSON + images) and the four "
          + "VL-ICL tasks. Real record counts, text lengths and image sizes; filler words and a few dozen "
          + "images per folder shared by all records. The same seed gives byte-identical files.",
          "About 1.6 GB and a minute or two on 2 cores (see README)."})
  static final class PaperScale implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
        description = "Multiply every record count by F (VL-ICL keeps at least 8 support and 2 query records; "
            + "default: ${DEFAULT-VALUE}, the real sizes).")
    double scale;

    @Override
    public Integer call() throws java.io.IOException {
      if (!(scale > 0)) throw new IllegalArgumentException("--scale must be > 0, got " + scale);
      PaperScaleData.Sizes sizes = scale == 1 ? PaperScaleData.Sizes.PAPER : PaperScaleData.Sizes.PAPER.scaled(scale);
      long start = System.nanoTime();
      Map<String, Long> counts = PaperScaleData.generate(out, seed, sizes);
      double seconds = (System.nanoTime() - start) / 1e9;
      counts.forEach((file, n) -> System.out.printf("%10d  %s%n", n, file));
      long[] bytes = {0, 0};
      try (var files = java.nio.file.Files.walk(out)) {
        files.filter(java.nio.file.Files::isRegularFile).forEach(f -> {
          bytes[0] += f.toFile().length();
          bytes[1]++;
        });
      }
      System.out.printf("%d files, %.1f MB under %s in %.1f s%n", bytes[1], bytes[0] / 1e6, out, seconds);
      return 0;
    }
  }

  @Command(name = "prepare", mixinStandardHelpOptions = true,
      description = {"Runs the Beam preparation: splits the conversation mix into the 15 training datasets, "
          + "validates images, writes rejects with reasons and the meta-task manifests; prints the counts.",
          "Output: OUT/LLaVA-Instruct/Image_data/<ds>/<ds>_dataset.json, OUT/LLaVA-Pretrain, OUT/VL-ICL, "
              + "OUT/LLaVA-OneVision (parquet subsets converted to JSON + image files), OUT/tasks, OUT/rejects.jsonl, "
              + "OUT/summary.json."})
  static final class Prepare implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--datasets", required = true, paramLabel = "DIR",
        description = "Downloaded (or synthetic) datasets in the authors' README layout: LLaVA-Pretrain/, "
            + "LLaVA-Instruct/ (mix665k + Instruct-150K files + images), optional OK-VQA/ questions, "
            + "LLaVA-OneVision/<subset>/*.parquet as downloaded from HF (or already converted <subset>.json + images), "
            + "VL-ICL/<task>/. Every part is optional; the summary says what was found.")
    Path datasets;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--runner", defaultValue = "direct", paramLabel = "direct|flink",
        description = "Beam runner (default: ${DEFAULT-VALUE}).")
    String runner;

    @Option(names = "--flink-master", paramLabel = "HOST:PORT|[local]",
        description = "Flink master with --runner flink; [local] starts an embedded Flink.")
    String flinkMaster;

    @Option(names = "--full-image-check",
        description = "Decode every image as training will (default: the structure check, which reads each file once "
            + "and refuses truncated or damaged files and formats PIL or our decoder cannot read, without decoding "
            + "pixels: about 30x cheaper on 640x480 JPEGs, measured with ./mapd bench images).")
    boolean fullImageCheck;

    @Option(names = "--plan", defaultValue = "workflows/mini.json", paramLabel = "FILE",
        description = "Plan whose seed and training.json size the meta-task manifests (default: ${DEFAULT-VALUE}).")
    Path plan;

    @Override
    public Integer call() {
      if (!runner.equals("direct") && !runner.equals("flink")) {
        throw new IllegalArgumentException("--runner must be direct or flink, got '" + runner + "'");
      }
      if (runner.equals("flink") && flinkMaster == null) {
        throw new IllegalArgumentException("--runner flink needs --flink-master HOST:PORT or [local]");
      }
      Plan p = Inputs.plan(plan);
      PrepareOptions options = PrepareOptions.forRunner(runner);
      options.setFlinkMaster(flinkMaster);
      options.setDatasets(datasets.toString());
      options.setOut(out.toString());
      options.setFullImageCheck(fullImageCheck);
      options.setSeed(p.seed());
      options.setFidelity(p.fidelity());
      options.setTraining(p.training(Common.base()));
      PrepareSummary s = PrepareData.run(options);
      System.out.printf("%10s  %s%n", "records", "dataset");
      new TreeMap<>(s.datasets()).forEach((ds, n) -> System.out.printf("%10d  %s%n", n, ds));
      System.out.printf("%10d  removed text-only%n", s.removedTextOnly());
      new TreeMap<>(s.rejected()).forEach((r, n) -> System.out.printf("%10d  rejected: %s%n", n, r));
      System.out.printf("%10d  read from the mix%n", s.read());
      System.out.printf("%10d  pretrain captions (%d rejected)%n", s.pretrain(), s.pretrainRejected());
      new TreeMap<>(s.vlIcl()).forEach((t, n) -> System.out.printf("%10d  VL-ICL %s queries%n", n, t));
      System.out.println(PrepareSummary.datasetsLine(s.datasets()));
      s.notes().forEach(n -> System.out.println("note: " + n));
      return 0;
    }
  }
}
