package org.mapd.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.PrintWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.mapd.Dirs;
import org.mapd.Json;
import org.mapd.model.AttentionMapper;
import org.mapd.model.DecoderConfig;
import org.mapd.model.Decoding;
import org.mapd.model.FlopModel;
import org.mapd.model.Llava;
import org.mapd.model.MapperConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.TokenizedExample;
import org.mapd.model.VisionConfig;
import org.mapd.pipelines.DataBench;
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
      for (int v : new int[] {matmulSize, repeats, seq, newTokens, prompt, vocab, layers}) {
        if (v <= 0) throw new IllegalArgumentException("bench model: every size and count must be > 0");
      }
      PrintWriter out = spec.commandLine().getOut();
      Path mapperFile = conf.resolve("mapper.json");
      if (!mapperFile.toFile().isFile()) throw new IllegalArgumentException(mapperFile + ": mapper config not found");
      MapperConfig miniMapper = Json.read(mapperFile, MapperConfig.class);
      VisionConfig miniVision = VisionConfig.load(conf.resolve("vision"));
      DecoderConfig miniDecoder = DecoderConfig.load(conf.resolve("llm"));
      if (seq <= miniMapper.prefixLength()) {
        throw new IllegalArgumentException("--seq must exceed the mapper prefix length " + miniMapper.prefixLength());
      }
      // Qwen2.5-0.5B's decoder (tied embeddings) cut to --layers layers, fed by CLIP ViT-L/14-336 features (576 x 1024).
      DecoderConfig qwen = new DecoderConfig(896, 4864, layers, 14, 2, vocab, 32768, 1e-6, 1e6, true);
      VisionConfig clipL = new VisionConfig(1024, 4096, 24, 16, 3, 336, 14, "quick_gelu", 1e-5);
      MapperConfig qwenMapper = new MapperConfig(Math.max(1, seq / 4), 1024, 896);

      out.printf("engine %s, %d cores visible%n", Engine.getInstance().getEngineName(), Runtime.getRuntime().availableProcessors());
      try (NDManager manager = NDManager.newBaseManager()) {
        double peak = matmulPeak(manager, out);
        measure(manager, out, "mini (" + conf + ")", miniVision, miniDecoder, miniMapper, miniMapper.prefixLength(), peak);
        measure(manager, out, "qwen2.5-0.5b-shape (" + layers + " layers)", clipL, qwen, qwenMapper, PAPER_SOFT_TOKENS, peak);
      }
      out.flush();
      return 0;
    }

    private double matmulPeak(NDManager manager, PrintWriter out) {
      int n = matmulSize;
      NDArray a = manager.randomNormal(new Shape(n, n)); // [n,n]
      NDArray b = manager.randomNormal(new Shape(n, n));
      double best = Double.MAX_VALUE;
      for (int r = 0; r <= repeats; r++) {
        long start = System.nanoTime();
        a.matMul(b).close(); // eager engine: the product is computed before matMul returns
        double s = (System.nanoTime() - start) / 1e9;
        if (r > 0) best = Math.min(best, s); // r = 0 warms up
      }
      double gflops = 2.0 * n * n * n / best / 1e9;
      out.printf("matmul %d^3 F32: best %.2f ms of %d -> peak %.1f GFLOP/s%n", n, best * 1e3, repeats, gflops);
      a.close();
      b.close();
      return gflops;
    }

    /** The paper mapper's soft tokens per image (method.md §1): the prefix of every real decoding prompt. */
    private static final int PAPER_SOFT_TOKENS = 256;

    private void measure(NDManager parent, PrintWriter out, String name, VisionConfig vision, DecoderConfig decoder,
        MapperConfig mapper, int softTokens, double peak) {
      try (NDManager manager = parent.newSubManager()) {
        Llava llava = new Llava(vision, decoder, mapper);
        Map<String, NDArray> w = randomDecoder(decoder, manager);
        Map<String, NDArray> theta = AttentionMapper.init(mapper, manager, 1);
        NDArray features = manager.randomNormal(new Shape(1, vision.patches(), vision.hiddenSize())); // [1,patches,dClip]
        Random random = new Random(7);

        // Training step: [image] + text, every text token supervised, so N = text rows go through lm_head.
        int text = seq - mapper.prefixLength();
        int[] ids = new int[1 + text];
        ids[0] = Llava.IMAGE_TOKEN;
        for (int i = 1; i < ids.length; i++) ids[i] = 1 + random.nextInt(decoder.vocabSize() - 1); // 0 is the pad id
        int[] labels = ids.clone();
        labels[0] = Llava.IGNORE;
        List<TokenizedExample> batch = List.of(new TokenizedExample(ids, labels, 1));
        double best = Double.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) {
          long start = System.nanoTime();
          trainStep(llava, w, theta, batch, features);
          double s = (System.nanoTime() - start) / 1e9;
          if (r > 0) best = Math.min(best, s);
        }
        double flops = trainFlops(vision, decoder, mapper, seq, text);
        out.printf("%s train step (seq %d = %d soft + %d text, vocab %d): best %.1f ms of %d, %.2f GFLOP -> %.1f GFLOP/s "
            + "(%.0f%% of matmul peak)%n", name, seq, mapper.prefixLength(), text, decoder.vocabSize(), best * 1e3,
            repeats, flops / 1e9, flops / best / 1e9, 100 * flops / best / 1e9 / peak);

        // Decoding: one image's soft tokens then the text, greedy, no stop token. Random token ids stand in for the
        // soft tokens: the decoder's cost per position is the same for a spliced embedding and a looked-up one.
        int[] promptIds = new int[softTokens + prompt];
        for (int i = 0; i < promptIds.length; i++) promptIds[i] = 1 + random.nextInt(decoder.vocabSize() - 1);
        llava.generate(w, theta, List.of(promptIds), null, Decoding.greedy(Math.min(5, newTokens))); // warm-up
        uncached(llava.decoder(), w, promptIds, Math.min(5, newTokens));
        long start = System.nanoTime();
        int[] cachedTokens = llava.generate(w, theta, List.of(promptIds), null, Decoding.greedy(newTokens)).get(0);
        double cached = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        int[] plainTokens = uncached(llava.decoder(), w, promptIds, newTokens);
        double plain = (System.nanoTime() - start) / 1e9;
        out.printf("%s decode %d tokens after a %d-token prompt (%d soft + %d text): KV cache %.1f tokens/s, full "
            + "recompute %.1f tokens/s (x%.1f); same tokens: %s%n", name, newTokens, promptIds.length, softTokens, prompt,
            newTokens / cached, newTokens / plain, plain / cached,
            Arrays.equals(cachedTokens, plainTokens) ? "yes" : "no (random weights: near-tied logits)");
      }
    }

    private static void trainStep(Llava llava, Map<String, NDArray> w, Map<String, NDArray> theta,
        List<TokenizedExample> batch, NDArray features) {
      try (NDScope scope = new NDScope();
          GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : theta.entrySet()) {
          NDArray leaf = e.getValue().duplicate();
          leaf.setRequiresGradient(true);
          leaves.put(e.getKey(), leaf);
        }
        gc.backward(llava.loss(w, leaves, batch, features, 0));
        float g = leaves.get(AttentionMapper.key(0)).getGradient().abs().sum().getFloat(); // forces the backward
        if (!Float.isFinite(g)) throw new IllegalStateException("bench: non-finite mapper gradient");
      }
    }

    /** Greedy decoding recomputing the whole sequence for every new token (no cache). */
    private static int[] uncached(Qwen2Decoder decoder, Map<String, NDArray> w, int[] prompt, int n) {
      int[] seqIds = Arrays.copyOf(prompt, prompt.length + n);
      for (int i = 0; i < n; i++) {
        int t = prompt.length + i;
        try (NDScope scope = new NDScope()) {
          long[] ids = Arrays.stream(seqIds, 0, t).asLongStream().toArray();
          NDArray idArray = w.get("model.embed_tokens.weight").getManager().create(ids, new Shape(1, t)); // [1,t]
          NDArray hidden = decoder.forward(w, decoder.embed(w, idArray), null, null); // [1,t,H]
          NDArray logits = decoder.logits(w, hidden.get(":, -1:")); // [1,1,V]
          seqIds[t] = (int) logits.argMax(-1).toType(DataType.INT64, false).getLong();
        }
      }
      return Arrays.copyOfRange(seqIds, prompt.length, seqIds.length);
    }

    /** Engine-drawn N(0, 0.02) weights (fast at 136M embeddings), zero biases, unit RMSNorm weights. */
    private static Map<String, NDArray> randomDecoder(DecoderConfig c, NDManager manager) {
      Map<String, NDArray> w = new LinkedHashMap<>();
      Qwen2Decoder.shapes(c).forEach((name, shape) -> w.put(name,
          name.endsWith("layernorm.weight") || name.equals("model.norm.weight") ? manager.ones(shape)
              : name.endsWith(".bias") ? manager.zeros(shape)
              : manager.randomNormal(0, 0.02f, shape, DataType.FLOAT32)));
      return w;
    }

    /** Analytic FLOPs of one training step (see the command description); t = sequence, n = supervised rows. */
    static double trainFlops(VisionConfig v, DecoderConfig c, MapperConfig m, int t, int n) {
      return new FlopModel(v, c, m).trainSequence(t, n, 1, false);
    }
  }

  @Command(name = "data", mixinStandardHelpOptions = true,
      description = {"Generates a synthetic mix665k (LLaVA-1.5 proportions and prompt shapes, with the Instruct-150K "
          + "and OK-VQA side files) in a temporary folder, then prints records/s of a single-threaded Jackson "
          + "streaming split (the baseline), and of PrepareData on each runner (flink: [local], parallelism 2), "
          + "with the issue's targets: the whole 665k split under 60 s on 2 cores, Beam at least half the baseline.",
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
          files = org.mapd.images.ImageBench.synthetic(work, synthetic, 1);
          out.printf("synthetic photo-like %dx%d JPEGs, quality 0.9, in %s%n", org.mapd.images.ImageBench.WIDTH,
              org.mapd.images.ImageBench.HEIGHT, work);
        }
        if (files.isEmpty()) throw new IllegalArgumentException("bench images: no .jpg, .jpeg or .png file under " + paths);
        org.mapd.images.ImageBench.run(files, seconds, out);
      } finally {
        if (work != null) Dirs.deleteTree(work);
        out.flush();
      }
      return 0;
    }
  }
}
