package org.mapd.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.conf.EvalConfig;
import org.mapd.conf.Fidelity;
import org.mapd.conf.MemoryBudget;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.model.AttentionMapper;
import org.mapd.model.Backbones;
import org.mapd.model.ChatTemplate;
import org.mapd.model.Decoding;
import org.mapd.model.LoadedModel;
import org.mapd.model.MapperConfig;
import org.mapd.model.ModelPool;
import org.mapd.model.Safetensors;
import org.mapd.train.FeatureCache;
import org.mapd.train.InnerLoop;
import org.mapd.train.MapperGradient;
import org.mapd.train.Sequence;

/**
 * VL-ICL evaluation of one mapper (method.md §5): every (task, shots, mode) cell of the plan's grid,
 * one query at a time, each query appended to samples.jsonl so that a rerun continues where a killed
 * one stopped; results.json is rewritten from all samples at the end.
 */
public final class Evaluate {
  static final String MAPPER_FILE = "mm_projector.safetensors";
  /** One line per evaluated query; a rerun skips the queries it already holds. */
  public static final String SAMPLES_FILE = "samples.jsonl";
  static final String RATES_PREFIX = "inner_loop_optimizer.names_learning_rates_dict.";
  /** Mapper tensors model.mm_projector.vars.0..12 (method.md §1). */
  static final int MAPPER_TENSORS = 13;
  /** Token budget of a support conversation; VL-ICL examples are far shorter (the script truncates at 512). */
  public static final int SUPPORT_MAX_LEN = 4096;
  /** repetition_penalty of Qwen2.5-7B-Instruct's generation_config.json, which the authors' generate inherits. */
  static final double QWEN_REPETITION_PENALTY = 1.05;

  private Evaluate() {}

  /**
   * The stage name of one row's evaluation. Its progress value (Progress's loss argument, the heartbeat's
   * loss field) is the accuracy so far, so the console labels it by this name.
   */
  public static String stageName(String row) {
    return "Evaluate " + row;
  }

  public static boolean isStageName(String stage) {
    return stage.startsWith("Evaluate ");
  }

  /** A query still to evaluate. */
  private record Unit(VlIclTask task, int shots, Mode mode, int query) {
    Sample.Key key() {
      return new Sample.Key(task.name(), mode, shots, query);
    }
  }

  /**
   * @param row result row name: a strategy (mapd, ...) or a reference (pretrain_only, untrained)
   * @param mapper finished mapper folder, or null for a randomly initialised one (seeded by the plan)
   */
  public static EvalSummary run(Plan plan, Path base, String row, Path mapper, Backbones backbones, Path vlIcl, Path out, Progress progress) {
    EvalConfig config = plan.training(base).eval();
    MapperConfig mapperConfig = Json.read(plan.mapperConfig(base), MapperConfig.class);
    List<VlIclTask> tasks = new ArrayList<>();
    for (String t : plan.eval().tasks()) tasks.add(VlIclTask.load(vlIcl, t));
    List<Unit> units = new ArrayList<>();
    for (VlIclTask task : tasks) {
      for (int shots : plan.eval().shots(task.name())) {
        for (Mode mode : plan.eval().modes()) {
          for (int q : task.selectedQueries(config.queriesPerTask(), plan.seed())) units.add(new Unit(task, shots, mode, q));
        }
      }
    }
    Set<Sample.Key> grid = new HashSet<>();
    for (Unit u : units) grid.add(u.key());
    Path samplesFile = out.resolve(SAMPLES_FILE);
    Path resultsFile = out.resolve("results.json");
    List<Sample> samples;
    try (SampleLog log = SampleLog.open(samplesFile)) {
      List<Unit> pending = units.stream().filter(u -> !log.done(u.key())).toList();
      if (!pending.isEmpty()) {
        MemoryBudget memory = plan.training(base).memory();
        try (NDManager manager = NDManager.newBaseManager();
            ModelPool.Lease lease = ModelPool.acquire(backbones, mapperConfig);
            FeatureCache cache = new FeatureCache(lease.model(), false, memory.featureCacheBytes())) {
          LoadedModel model = lease.model();
          Map<String, NDArray> theta = new LinkedHashMap<>();
          Map<String, double[]> lrs = new HashMap<>();
          loadMapper(mapper, mapperConfig, manager, plan.seed(), config, theta, lrs);
          // The evaluation tokenizer pads with <|endoftext|> (method.md §4).
          MapperGradient gradient = new MapperGradient(model, cache, model.tokenizer().id("<|endoftext|>"), memory, 0);
          Runner runner = new Runner(plan, config, model, cache, gradient, vlIcl, theta, lrs, mapperConfig.prefixLength());
          long done = units.size() - pending.size();
          long right = log.samples().stream().filter(s -> grid.contains(s.key()) && s.correctAtEnd()).count();
          for (Unit u : pending) {
            Sample s;
            try (NDScope scope = new NDScope()) {
              s = runner.evaluate(u.task(), u.mode(), u.shots(), u.query());
            }
            log.append(s);
            if (s.correctAtEnd()) right++;
            // Not a loss: the fraction correct so far (see stageName).
            progress.report(++done, units.size(), (double) right / done, null);
          }
          gradient.stats().write(out);
        }
      }
      samples = log.samples();
    }
    // Samples of an earlier, different grid (e.g. another queriesPerTask) stay in the file but not in results.
    List<Sample> inGrid = samples.stream().filter(s -> grid.contains(s.key())).toList();
    Json.writeAtomic(resultsFile, new Results.File(
        Results.rows(row, inGrid, plan.eval().tasks(), plan.eval().modes(), plan.eval().allShots())));
    return new EvalSummary(row, resultsFile.toString(), samplesFile.toString(), inGrid.size());
  }

  /**
   * Fills theta with the mapper tensors and lrs with each tensor's per-step FT rates: the checkpoint's
   * learned rates extrapolated to ftSteps, or ftDefaultLr everywhere when it has none (baselines and the
   * untrained reference, whose mapper is a seeded fresh init).
   */
  static void loadMapper(Path mapper, MapperConfig config, NDManager manager, long seed, EvalConfig eval, Map<String, NDArray> theta, Map<String, double[]> lrs) {
    Map<String, NDArray> stored;
    if (mapper == null) {
      stored = AttentionMapper.init(config, manager, seed);
    } else {
      Path file = mapper.resolve(MAPPER_FILE);
      if (!Files.exists(file)) throw new IllegalArgumentException("mapper folder " + mapper + " has no " + MAPPER_FILE);
      stored = Safetensors.load(manager, file);
    }
    for (int i = 0; i < MAPPER_TENSORS; i++) {
      String key = AttentionMapper.key(i);
      NDArray v = stored.get(key);
      if (v == null) throw new IllegalArgumentException("mapper " + (mapper == null ? "init" : mapper) + " has no tensor " + key);
      theta.put(key, v);
      NDArray rates = stored.get(rateKey(key));
      lrs.put(key, rates == null
          ? LslrSchedule.constant(eval.ftSteps(), eval.ftDefaultLr())
          : LslrSchedule.extrapolate(toDoubles(rates), eval.ftSteps(), eval.ftDefaultLr()));
    }
  }

  /**
   * The script's generate: greedy, min_new_tokens=1, stopping at <|im_end|> or <|endoftext|>; under
   * {@code authors} also Qwen2.5-Instruct's repetition_penalty.
   */
  static Decoding decoding(EvalConfig config, Fidelity fidelity, int[] endIds) {
    return new Decoding(config.maxNewTokens(), 1, endIds, fidelity.qwenRepetitionPenalty() ? QWEN_REPETITION_PENALTY : 1.0);
  }

  /** Where the authors' checkpoint keeps a tensor's learned rates ('.' in names becomes '-'). */
  static String rateKey(String tensor) {
    return RATES_PREFIX + tensor.replace('.', '-');
  }

  private static double[] toDoubles(NDArray a) {
    float[] f = a.toType(DataType.FLOAT32, false).toFloatArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }

  /** Evaluates single queries with one loaded model and mapper. */
  private static final class Runner {
    private final Plan plan;
    private final EvalConfig config;
    private final LoadedModel model;
    private final FeatureCache cache;
    private final MapperGradient gradient;
    private final Path vlIcl;
    private final Map<String, NDArray> theta;
    private final Map<String, double[]> lrs;
    private final ChatTemplate template;
    private final Decoding decoding;
    private final int[] special;

    Runner(Plan plan, EvalConfig config, LoadedModel model, FeatureCache cache, MapperGradient gradient, Path vlIcl,
        Map<String, NDArray> theta, Map<String, double[]> lrs, int prefix) {
      this.plan = plan;
      this.config = config;
      this.model = model;
      this.cache = cache;
      this.gradient = gradient;
      this.vlIcl = vlIcl;
      this.theta = theta;
      this.lrs = lrs;
      this.template = new ChatTemplate(model.tokenizer(), plan.fidelity().unmaskSpecialTokens(), prefix);
      this.decoding = decoding(config, plan.fidelity(), template.endIds());
      // The script decodes with skip_special_tokens.
      this.special = new int[] {
        model.tokenizer().id("<|endoftext|>"), model.tokenizer().id("<|im_start|>"), model.tokenizer().id("<|im_end|>")
      };
    }

    Sample evaluate(VlIclTask task, Mode mode, int shots, int query) {
      long start = System.nanoTime();
      VlIclTask.Episode episode = task.episode(query, shots, config.nWay(),
          VlIclTask.episodeRandom(plan.seed(), task.name(), shots, query));
      VlIclTask.Query q = episode.query();
      List<String> predictions = new ArrayList<>();
      if (mode == Mode.ICL) {
        List<Path> images = new ArrayList<>();
        for (Shot s : episode.shots()) images.add(vlIcl.resolve(s.image()));
        images.add(vlIcl.resolve(q.image()));
        String user = Prompts.icl(episode.shots(), q.question(), plan.fidelity().charsetLstrip());
        NDArray features = cache.features(images); // [shots + 1, patches, dClip]
        predictions.add(generate(theta, template.prompt(user), features));
      } else {
        int[] prompt = template.prompt(Prompts.query(q.question()));
        NDArray queryFeatures = cache.features(List.of(vlIcl.resolve(q.image()))); // [1, patches, dClip]
        if (episode.shots().isEmpty()) {
          predictions.add(generate(theta, prompt, queryFeatures));
        } else {
          List<Sequence> support = new ArrayList<>();
          for (Shot s : episode.shots()) {
            support.add(new Sequence(template.conversation(Prompts.supportConversation(s), SUPPORT_MAX_LEN),
                List.of(vlIcl.resolve(s.image()))));
          }
          InnerLoop.adapt(gradient, theta, support, lrs, config.ftSteps(),
              (step, weights) -> predictions.add(generate(weights, prompt, queryFeatures)));
        }
      }
      List<Boolean> correct = new ArrayList<>();
      boolean dropSign = plan.fidelity().digitsDropSign();
      for (String p : predictions) correct.add(Scoring.exactMatch(p, q.answer(), task.name(), dropSign));
      long millis = (System.nanoTime() - start) / 1_000_000;
      return new Sample(task.name(), mode, shots, query, q.id(), q.answer(), predictions, correct, millis);
    }

    private String generate(Map<String, NDArray> mapperVars, int[] prompt, NDArray features) {
      int[] ids = model.llava()
          .generate(model.decoderWeights(), mapperVars, List.of(prompt), features, decoding)
          .get(0);
      int[] kept = Arrays.stream(ids).filter(id -> Arrays.stream(special).noneMatch(x -> x == id)).toArray();
      return Scoring.cleanGeneration(model.tokenizer().decode(kept));
    }
  }
}
