package org.mapd.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.conf.Strategy;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.Backbones;
import org.mapd.model.LoadedModel;
import org.mapd.model.MemoryModel;
import org.mapd.model.Ops;
import org.mapd.model.Ref;
import org.mapd.model.Safetensors;
import org.mapd.model.TokenizedExample;
import org.mapd.pipelines.DatasetFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every stage end to end on a tiny fixture: warm-up, pretraining, the strategies, resume, inner loop. */
class StagesTest {
  @TempDir static Path base;
  static Plan plan;
  static Path prep;
  static Backbones backbones;
  static MapperCheckpoint pretrained;

  static final String[] COLOURS = {"red", "green", "blue", "white"};

  static void image(Path file, int colour, Random r) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    int[] rgb = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff};
    for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, (x / 8 + y / 8) % 2 == 0 ? rgb[colour] : r.nextInt(64));
    ImageIO.write(img, "png", file.toFile());
  }

  static void lines(Path file, List<?> values) throws IOException {
    Files.createDirectories(file.getParent());
    StringBuilder sb = new StringBuilder();
    for (Object v : values) sb.append(Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(v)).append('\n');
    Files.writeString(file, sb);
  }

  @BeforeAll
  static void fixture() throws IOException {
    Path conf = base.resolve("conf");
    Files.createDirectories(conf.resolve("vision"));
    Files.createDirectories(conf.resolve("llm"));
    Files.writeString(conf.resolve("mapper.json"), "{\"prefixLength\": 2, \"dimClip\": 16, \"dimLlm\": 32}");
    Files.writeString(conf.resolve("vision/config.json"), "{\"hidden_size\":16,\"intermediate_size\":32,\"num_hidden_layers\":2,"
        + "\"num_attention_heads\":2,\"num_channels\":3,\"image_size\":16,\"patch_size\":8,\"hidden_act\":\"quick_gelu\",\"layer_norm_eps\":1e-5}");
    Files.writeString(conf.resolve("llm/config.json"), "{\"hidden_size\":32,\"intermediate_size\":48,\"num_hidden_layers\":1,"
        + "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":16,\"max_position_embeddings\":256,"
        + "\"rms_norm_eps\":1e-6,\"rope_theta\":10000.0,\"tie_word_embeddings\":false}");
    String s = "{\"epochs\": 1, \"lr\": 1e-2, \"batchSize\": %d, \"gradAccum\": %d, \"warmupRatio\": 0.1, \"weightDecay\": 0.0,"
        + " \"maxLen\": 64, \"kSupport\": 2, \"kQuery\": 2, \"innerSteps\": 2, \"innerLr\": 0.1, \"innerChunks\": 2,"
        + " \"ictContext\": 2, \"maxSteps\": 0, \"checkpointEvery\": 1}";
    Files.writeString(conf.resolve("training.json"), "{\"warmup\": " + String.format(s, 8, 1).replace("}", ", \"corpus\": 8}") + ", \"pretrain\": " + String.format(s, 4, 1)
        + ", \"strategies\": {\"mapd\": " + String.format(s, 1, 2) + ", \"multitask\": " + String.format(s, 1, 1)
        + ", \"nometatask\": " + String.format(s, 4, 1) + ", \"ict\": " + String.format(s, 2, 1) + ", \"modelavg\": " + String.format(s, 4, 1)
        + "}, \"eval\": {\"ftSteps\": 2, \"ftDefaultLr\": 1.0, \"maxNewTokens\": 4, \"queriesPerTask\": 2, \"nWay\": 2}, "
        + TinyMemory.JSON + "}");
    plan = new Plan("t", 7, Fidelity.AUTHORS, "conf", new Plan.Models("conf/vision", "conf/llm", true),
        new Plan.DataPlan(1L, null, null, null), List.of(Strategy.MAPD), List.of(),
        new Plan.EvalPlan(List.of("colours"), List.of(0), null, List.of(Mode.FT)));
    prep = base.resolve("prep");
    Random r = new Random(3);
    List<LlavaRecord> captions = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      image(prep.resolve("LLaVA-Pretrain/images/00/c" + i + ".png"), i % 4, r);
      captions.add(new LlavaRecord("c" + i, "00/c" + i + ".png", List.of(new Turn("human", "<image>\nDescribe."),
          new Turn("gpt", "a " + COLOURS[i % 4] + " board"))));
    }
    Json.writeAtomic(prep.resolve("LLaVA-Pretrain/blip_laion_cc_sbu_558k.json"), captions);
    for (String ds : List.of("gqa", "basic_qa_geo170k")) {
      List<LlavaRecord> records = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        image(prep.resolve("LLaVA-Instruct/Image_data/" + ds + "/images/" + i + ".png"), i % 4, r);
        String q = ds.equals("gqa") ? "<image>\nWhat colour is it?\nAnswer the question using a single word or phrase."
            : "<image>\nPlease answer directly.\nWhich colour?";
        records.add(new LlavaRecord(ds + i, ds + "/images/" + i + ".png", List.of(new Turn("human", q), new Turn("gpt", COLOURS[i % 4]))));
      }
      Json.writeAtomic(prep.resolve("LLaVA-Instruct/Image_data/" + ds + "/" + ds + "_dataset.json"), records);
      lines(prep.resolve("tasks/modelavg/" + ds + "/epoch-0.jsonl"), List.of(Map.of("dataset", ds, "index", 0), Map.of("dataset", ds, "index", 5),
          Map.of("dataset", ds, "index", 2), Map.of("dataset", ds, "index", 7), Map.of("dataset", ds, "index", 1)));
    }
    List<Map<String, Object>> tasks = List.of(
        Map.of("dataset", "gqa", "support", List.of(0, 1), "query", List.of(2, 3)),
        Map.of("dataset", "basic_qa_geo170k", "support", List.of(4, 5), "query", List.of(6, 7)),
        Map.of("dataset", "gqa", "support", List.of(4, 5), "query", List.of(6, 7)),
        Map.of("dataset", "basic_qa_geo170k", "support", List.of(0, 1), "query", List.of(2, 3)));
    lines(prep.resolve("tasks/mapd/epoch-0.jsonl"), tasks);
    lines(prep.resolve("tasks/multitask/epoch-0.jsonl"), tasks);
    lines(prep.resolve("tasks/nometatask/epoch-0.jsonl"), List.of(Map.of("dataset", "gqa", "index", 3),
        Map.of("dataset", "basic_qa_geo170k", "index", 1), Map.of("dataset", "gqa", "index", 0), Map.of("dataset", "gqa", "index", 6)));
    lines(prep.resolve("tasks/ict/epoch-0.jsonl"), List.of(Map.of("dataset", "gqa", "context", List.of(0, 1), "query", 2),
        Map.of("dataset", "basic_qa_geo170k", "context", List.of(3, 4), "query", 5)));
    Path vlIcl = prep.resolve("VL-ICL/colours");
    Files.createDirectories(vlIcl);
    Files.writeString(vlIcl.resolve("query.json"), "[{\"id\":\"q\",\"image\":[\"colours/q.png\"],\"question\":\"Which tint\",\"answer\":[\"ochre\", 3]}]");

    List<Double> losses = new ArrayList<>();
    backbones = Warmup.run(plan, base, prep, base.resolve("warmup"), (st, t, l, c) -> losses.add(l));
    assertEquals(5, losses.size()); // 8 captions + 16 records + 4 to 8 in-context sequences + 8 corpus images, batches of 8
    pretrained = Pretrain.run(plan, base, prep, backbones, base.resolve("pretrain"), Progress.NONE);
  }

  @Test
  void warmupWritesHfFoldersAndVocabulary() throws IOException {
    Path llm = Path.of(backbones.llm());
    assertTrue(Files.exists(Path.of(backbones.vision()).resolve("model.safetensors")));
    String tok = Files.readString(llm.resolve("tokenizer.json"));
    for (String w : List.of("\"ochre\"", "\"3\"", "\"tint?\"", "\"board\"", "\"helpful\"", "\"Answer:\"")) assertTrue(tok.contains(w), w);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> w = Safetensors.load(m, llm);
      assertTrue(w.keySet().stream().noneMatch(k -> k.contains("mm_projector")));
      long vocab = w.get("model.embed_tokens.weight").getShape().get(0);
      assertTrue(vocab > 16, "vocab_size raised to the tokenizer's size: " + vocab);
    }
  }

  @Test
  void pretrainWritesTheAuthorsKeys() {
    assertEquals(2, pretrained.steps()); // 8 captions / batch 4
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> w = Safetensors.load(m, Path.of(pretrained.dir()).resolve(MapperOutput.WEIGHTS));
      assertEquals(13, w.size());
      assertTrue(w.containsKey("model.mm_projector.vars.12"));
    }
    assertEquals(pretrained, Pretrain.run(plan, base, prep, backbones, Path.of(pretrained.dir()), Progress.NONE)); // done: no work
  }

  @Test
  void mapdResumeEqualsUninterruptedAndSavesRates() {
    Path init = Path.of(pretrained.dir());
    MapperCheckpoint full = Finetune.run(plan, base, Strategy.MAPD, null, prep, backbones, init, base.resolve("mapd-full"), Progress.NONE);
    assertEquals(2, full.steps()); // 4 tasks, gradAccum 2
    Path cut = base.resolve("mapd-cut");
    assertThrows(IllegalStateException.class, () -> Finetune.run(plan, base, Strategy.MAPD, null, prep, backbones, init, cut,
        (s, t, l, c) -> {
          if (s == 1) throw new IllegalStateException("killed");
        }));
    MapperCheckpoint resumed = Finetune.run(plan, base, Strategy.MAPD, null, prep, backbones, init, cut, Progress.NONE);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> a = Safetensors.load(m, Path.of(full.dir()).resolve(MapperOutput.WEIGHTS));
      Map<String, NDArray> b = Safetensors.load(m, Path.of(resumed.dir()).resolve(MapperOutput.WEIGHTS));
      assertEquals(26, a.size()); // 13 tensors + 13 rate vectors
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), 1e-6f, k);
      float[] rates = a.get(MetaLearner.rateKey("model.mm_projector.vars.0")).toFloatArray();
      assertEquals(3, rates.length);
      assertNotEquals(0.1f, rates[0], "inner rates are learned");
      assertEquals(0.1f, rates[2], 0f); // only used at evaluation
    }
  }

  @Test
  void otherStrategiesAndModelAverageRun() {
    Path init = Path.of(pretrained.dir());
    assertEquals(1, Finetune.run(plan, base, Strategy.NOMETATASK, null, prep, backbones, init, base.resolve("nmt"), Progress.NONE).steps());
    assertEquals(4, Finetune.run(plan, base, Strategy.MULTITASK, null, prep, backbones, init, base.resolve("mt"), Progress.NONE).steps());
    assertEquals(1, Finetune.run(plan, base, Strategy.ICT, null, prep, backbones, init, base.resolve("ict"), Progress.NONE).steps());
    List<Path> members = new ArrayList<>();
    for (String ds : List.of("gqa", "basic_qa_geo170k")) {
      MapperCheckpoint c = Finetune.run(plan, base, Strategy.MODELAVG, ds, prep, backbones, init, base.resolve("avg-" + ds), Progress.NONE);
      assertEquals(2, c.steps());
      members.add(Path.of(c.dir()));
    }
    MapperCheckpoint avg = ModelAverage.run(members, List.of(8.0, 8.0), base.resolve("avg"));
    assertTrue(Files.exists(Path.of(avg.dir()).resolve(MapperOutput.WEIGHTS)));
  }

  @Test
  void innerLoopTakesPlainSgdStepsAndKeepsTheta() {
    try (NDManager m = NDManager.newBaseManager();
        StageModel stage = new StageModel(plan, base, backbones, false, 0)) {
      Map<String, NDArray> theta = MapperOutput.mapperTensors(Path.of(pretrained.dir()), m);
      Map<String, float[]> before = new HashMap<>();
      theta.forEach((k, a) -> before.put(k, a.toFloatArray()));
      List<Sequence> support = support(stage, 2);
      LoadedModel model = stage.model;
      int pad = model.tokenizer().id("<|endoftext|>");
      Map<String, float[]> expected = new HashMap<>();
      plainGradient(stage, theta, support, pad).forEach((k, g) -> expected.put(k, theta.get(k).sub(g.mul(0.5)).toFloatArray()));
      Map<String, double[]> lrs = new HashMap<>();
      theta.keySet().forEach(k -> lrs.put(k, new double[] {0.5, 0.25}));
      List<Integer> seen = new ArrayList<>();
      MapperGradient gradient = new MapperGradient(model, stage.cache, pad, plan.training(base).memory(), 0);
      InnerLoop.adapt(gradient, theta, support, lrs, 2, (k, w) -> {
        seen.add(k);
        if (k == 1) w.forEach((name, a) -> assertArrayEquals(expected.get(name), a.toFloatArray(), 1e-6f, name));
      });
      assertEquals(List.of(0, 1, 2), seen);
      theta.forEach((k, a) -> assertArrayEquals(before.get(k), a.toFloatArray(), 0f, k));
      lrs.put("model.mm_projector.vars.0", new double[] {0.5});
      assertThrows(IllegalArgumentException.class, () -> InnerLoop.adapt(gradient, theta, support, lrs, 2, (k, w) -> {}));
    }
  }

  /**
   * Every strategy's batch shape cut into micro-batches of one sequence, with and without decoder
   * recompute: the token-weighted pieces add up to the whole batch's loss and gradient (the reference is
   * one graph from mapper to loss). A 10-example batch like Multi-Task's, with an ICT sequence of 3 images
   * and 2 text turns among them.
   */
  @Test
  void microBatchesAddUpToTheWholeBatch() {
    try (NDManager m = NDManager.newBaseManager();
        StageModel stage = new StageModel(plan, base, backbones, true, 0)) {
      Map<String, NDArray> theta = MapperOutput.mapperTensors(Path.of(pretrained.dir()), m);
      List<Sequence> batch = new ArrayList<>(support(stage, 8));
      batch.add(ictSequence(stage));
      batch.add(support(stage, 1).get(0));
      Map<String, NDArray> expected = plainGradient(stage, theta, batch, stage.padId);
      for (boolean recompute : new boolean[] {false, true}) {
        MapperGradient single = new MapperGradient(stage.model, stage.cache, stage.padId,
            new MemoryModel(stage.model.vision(), stage.model.decoder(), stage.mapperConfig, recompute), 1);
        try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          Gradient g = single.at(theta, batch, gc);
          Map<String, float[]> got = new LinkedHashMap<>();
          Map<String, float[]> want = new LinkedHashMap<>();
          g.grads().forEach((k, a) -> got.put(k, a.toFloatArray()));
          expected.forEach((k, a) -> want.put(k, a.toFloatArray()));
          double err = Ref.relativeError(flat(want), flat(got));
          assertTrue(err <= 1e-6, "recompute=" + recompute + ": relative error " + err);
        }
        assertEquals(10, single.stats().summary().microBatches());
        assertEquals(1, single.stats().summary().maxMicroBatch());
      }
      MapperGradient whole = new MapperGradient(stage.model, stage.cache, stage.padId, plan.training(base).memory(), 0);
      try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        whole.at(theta, batch, gc);
      }
      assertEquals(1, whole.stats().summary().microBatches(), "a tiny batch fits the device in one piece");
    }
  }

  /**
   * MAPD's query set in micro-batches of one: the gradients of theta and of every learned rate equal those
   * of the query loss taken as one graph through the fast weights.
   */
  @Test
  void mapdQuerySetInMicroBatchesGivesTheSameMetaGradient() {
    try (NDManager m = NDManager.newBaseManager();
        StageModel stage = new StageModel(plan, base, backbones, true, 2)) {
      Map<String, NDArray> w = new LinkedHashMap<>(MapperOutput.mapperTensors(Path.of(pretrained.dir()), m));
      w.putAll(MetaLearner.initRates(List.copyOf(w.keySet()), 2, 0.3, m));
      List<Sequence> all = support(stage, 8);
      List<Sequence> support = all.subList(0, 4);
      List<Sequence> query = all.subList(4, 8);
      MapperGradient single = new MapperGradient(stage.model, stage.cache, stage.padId,
          new MemoryModel(stage.model.vision(), stage.model.decoder(), stage.mapperConfig, true), 1);
      Map<String, float[]> chunked = new LinkedHashMap<>();
      Map<String, float[]> reference = new LinkedHashMap<>();
      try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> leaves = Ops.leaves(w);
        gc.backward(MetaLearner.queryLoss(leaves, support, query, 2, 2, false, gc, single::at).objective());
        leaves.forEach((k, a) -> chunked.put(k, a.getGradient().toFloatArray()));
      }
      try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Map<String, NDArray> leaves = Ops.leaves(w);
        Map<String, NDArray> fast = new LinkedHashMap<>();
        leaves.forEach((k, a) -> {
          if (!MetaLearner.isRate(k)) fast.put(k, a);
        });
        for (int step = 0; step < 2; step++) {
          Map<String, NDArray> g = MetaLearner.supportGradient(fast, MetaLearner.split(support, 2), false, gc, single::at);
          for (String k : g.keySet()) fast.put(k, fast.get(k).sub(leaves.get(MetaLearner.rateKey(k)).get(step).mul(g.get(k))));
        }
        List<TokenizedExample> examples = query.stream().map(Sequence::example).toList();
        List<Path> images = query.stream().flatMap(s -> s.images().stream()).toList();
        gc.backward(stage.model.llava().loss(stage.model.decoderWeights(), fast, examples, stage.cache.features(images), stage.padId));
        leaves.forEach((k, a) -> reference.put(k, a.getGradient().toFloatArray()));
      }
      double err = Ref.relativeError(flat(reference), flat(chunked));
      assertTrue(err <= 1e-6, "relative error " + err);
      double rates = Ref.relativeError(flat(rates(reference)), flat(rates(chunked)));
      assertTrue(rates <= 1e-6, "learned rates: relative error " + rates);
    }
  }

  /**
   * Every gradient as one vector: the error is measured over the whole gradient, as an optimizer sees it. Per
   * tensor it would be noise for the mapper's key bias, whose true gradient is 0 (softmax ignores a shift
   * shared by all keys).
   */
  private static float[] flat(Map<String, float[]> grads) {
    int n = grads.values().stream().mapToInt(a -> a.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] a : grads.values()) {
      System.arraycopy(a, 0, out, at, a.length);
      at += a.length;
    }
    return out;
  }

  private static Map<String, float[]> rates(Map<String, float[]> grads) {
    Map<String, float[]> r = new LinkedHashMap<>(grads);
    r.keySet().removeIf(k -> !MetaLearner.isRate(k));
    return r;
  }

  /** An ICT sequence: two in-context examples and a query, three images. */
  private Sequence ictSequence(StageModel stage) {
    Prepared data = new Prepared(prep, base.resolve("test-index"));
    List<LlavaRecord> records = new ArrayList<>();
    for (int i = 0; i < 3; i++) records.add(data.record("basic_qa_geo170k", i));
    Sequence s = InContext.sample(stage.template.inContext(), "basic_qa_geo170k", records, DatasetFile.imageRoot(prep), 2,
        stage.mapperConfig.prefixLength(), 256);
    assertEquals(3, s.images().size());
    return s;
  }

  /** The first {@code n} gqa records as finetuning sequences. */
  private List<Sequence> support(StageModel stage, int n) {
    Prepared data = new Prepared(prep, base.resolve("test-index"));
    List<Sequence> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      LlavaRecord r = data.record("gqa", i);
      out.add(new Sequence(stage.template.conversation(Conversations.finetuneTurns("gqa", r), 64),
          List.of(DatasetFile.imageRoot(prep).resolve(r.image()))));
    }
    return out;
  }

  /** The reference: one graph from mapper to loss over the whole batch, one backward. */
  private static Map<String, NDArray> plainGradient(StageModel stage, Map<String, NDArray> theta, List<Sequence> batch, int pad) {
    List<TokenizedExample> examples = batch.stream().map(Sequence::example).toList();
    List<Path> images = batch.stream().flatMap(s -> s.images().stream()).toList();
    Map<String, NDArray> grads = new LinkedHashMap<>();
    try (NDScope scope = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      Map<String, NDArray> leaves = Ops.leaves(theta);
      gc.backward(stage.model.llava().loss(stage.model.decoderWeights(), leaves, examples, stage.cache.features(images), pad));
      leaves.forEach((k, l) -> {
        NDArray g = l.getGradient().duplicate();
        NDScope.unregister(g);
        grads.put(k, g);
      });
    }
    return grads;
  }

}
