package org.mapd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mapd.Dirs;
import org.mapd.bench.DataBench;
import org.mapd.bench.ImageBench;
import org.mapd.bench.ModelBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Throughput measurements on this machine.", subcommands = {BenchCommand.Model.class, BenchCommand.Data.class, BenchCommand.Images.class})
final class BenchCommand {

  @Command(name = "model", mixinStandardHelpOptions = true,
      description = {"Measures, in one run: the engine's F32 matmul peak; the achieved GFLOP/s of a mapper training "
          + "step (forward + backward of the LLaVA loss w.r.t. the mapper only, decoder frozen) for the --conf "
          + "config and for a Qwen2.5-0.5B-shaped decoder cut to --layers layers (random weights); and greedy decoding "
          + "tokens/s with and without the KV cache.",
          "FLOPs are counted analytically: 2*m*n*k per matmul, elementwise work ignored. Backward through the "
              + "frozen decoder needs input gradients only: 1x forward for every linear layer and lm_head, 2x for "
              + "the two attention matmuls (both operands are activations); the mapper's backward counts 2x."})
  static final class Model implements Callable<Integer> {
    @Mixin Common common;

    @Spec CommandSpec spec;

    @Option(names = "--conf", defaultValue = "conf/mini", paramLabel = "DIR",
        description = "Config folder with llm/config.json, vision/config.json and mapper.json (default: ${DEFAULT-VALUE}).")
    Path conf;

    @Option(names = "--matmul-size", defaultValue = "1024", paramLabel = "N",
        description = "Side of the square F32 matmuls of the peak measurement (default: ${DEFAULT-VALUE}).")
    int matmulSize;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N",
        description = "Timed repetitions of each matmul and training step, after one warm-up; the best is kept "
            + "(default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seq", defaultValue = "256", paramLabel = "T",
        description = "Training sequence length: one image's soft tokens plus text, every text token supervised "
            + "(default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--new-tokens", defaultValue = "100", paramLabel = "N",
        description = "Tokens decoded greedily in the decoding measurement (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--prompt", defaultValue = "40", paramLabel = "T",
        description = "Text tokens of the decoding prompt, after one image's soft tokens (the mapper's prefix: 256 for "
            + "the paper's mapper, as in every MAPD query; mapper.json's for --conf) (default: ${DEFAULT-VALUE}).")
    int prompt;

    @Option(names = "--layers", defaultValue = "4", paramLabel = "L",
        description = "Decoder layers of the Qwen2.5-0.5B-shaped config (the real model has 24) (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--vocab", defaultValue = "151936", paramLabel = "V",
        description = "Vocabulary of the Qwen2.5-0.5B-shaped config; smaller only for smoke runs (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Override
    public Integer call() {
      new ModelBench(conf, matmulSize, repeats, seq, newTokens, prompt, layers, vocab).run(spec.commandLine().getOut());
      return 0;
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true,
      description = {"Generates a synthetic mix665k (LLaVA-1.5 proportions and prompt shapes, with the Instruct-150K "
          + "and OK-VQA side files) in a temporary folder, then prints records/s of a single-threaded Jackson "
          + "streaming split (the baseline), and of PrepareData on each runner (flink: [local], parallelism 2), "
          + "with issue 12's targets: the whole 665k split under 30 s on 2 cores, Beam at least the baseline's records/s.",
          "No image is written: the image check reads an index of the generated paths instead."})
  static final class Data implements Callable<Integer> {
    @Mixin Common common;

    @Spec CommandSpec spec;

    @Option(names = "--records", defaultValue = "665298", paramLabel = "N",
        description = "Records of the synthetic mix (default: ${DEFAULT-VALUE}, mix665k's size).")
    int records;

    @Option(names = "--runners", defaultValue = "direct,flink", split = ",", paramLabel = "direct|flink",
        description = "Beam runners to measure after the baseline (default: ${DEFAULT-VALUE}).")
    List<String> runners;

    @Option(names = "--keep", description = "Keep the temporary folder (inputs, index, outputs).")
    boolean keep;

    @Option(names = "--plan", defaultValue = "workflows/mini.json", paramLabel = "FILE",
        description = "Plan whose training.json sizes the meta-task manifests (default: ${DEFAULT-VALUE}).")
    Path plan;

    @Override
    public Integer call() throws IOException {
      if (records <= 0) throw new IllegalArgumentException("bench data: --records must be > 0");
      for (String r : runners) {
        if (!r.equals("direct") && !r.equals("flink")) throw new IllegalArgumentException("--runners: direct or flink, not " + r);
      }
      PrintWriter out = spec.commandLine().getOut();
      Path work = Files.createTempDirectory("mapd-bench-data");
      try {
        DataBench.run(work, records, runners, Inputs.plan(plan).training(Common.base()), out);
      } finally {
        if (keep) {
          out.println("kept " + work);
        } else {
          Dirs.deleteTree(work);
        }
        out.flush();
      }
      return 0;
    }
  }

  @Command(name = "images", mixinStandardHelpOptions = true,
      description = {"Images per second of the preparation's image checks: the structure check (the default) and the "
          + "full decode (--full-image-check), on the given files and folders (searched for .jpg, .jpeg and .png) or, "
          + "without any, on synthetic photo-like 640x480 JPEGs (the size of a COCO image).",
          "Files are read once before timing, so the figures are CPU cost with the files in the page cache."})
  static final class Images implements Callable<Integer> {
    @Mixin Common common;

    @Spec CommandSpec spec;

    @picocli.CommandLine.Parameters(paramLabel = "PATH", arity = "0..*", description = "Image files or folders.")
    List<Path> paths = List.of();

    @Option(names = "--synthetic", defaultValue = "200", paramLabel = "N",
        description = "Synthetic JPEGs to make when no PATH is given (default: ${DEFAULT-VALUE}).")
    int synthetic;

    @Option(names = "--seconds", defaultValue = "5", paramLabel = "S",
        description = "Minimum timed seconds per check (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      Path work = null;
      try {
        List<Path> files = new java.util.ArrayList<>();
        for (Path p : paths) {
          if (!Files.exists(p)) throw new IllegalArgumentException(p + ": no such file or folder");
          try (var s = Files.walk(p)) {
            s.filter(Files::isRegularFile).filter(f -> f.toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                .sorted().forEach(files::add);
          }
        }
        if (paths.isEmpty()) {
          if (synthetic <= 0) throw new IllegalArgumentException("bench images: --synthetic must be > 0");
          work = Files.createTempDirectory("mapd-bench-images");
          files = ImageBench.synthetic(work, synthetic, 1);
          out.printf("synthetic photo-like %dx%d JPEGs, quality 0.9, in %s%n", ImageBench.WIDTH,
              ImageBench.HEIGHT, work);
        }
        if (files.isEmpty()) throw new IllegalArgumentException("bench images: no .jpg, .jpeg or .png file under " + paths);
        ImageBench.run(files, seconds, out);
      } finally {
        if (work != null) Dirs.deleteTree(work);
        out.flush();
      }
      return 0;
    }
  }
}
