package org.mapd.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.mapd.Json;
import org.mapd.Progress;
import org.mapd.conf.Plan;
import org.mapd.conf.TrainConfig;
import org.mapd.data.LlavaRecord;
import org.mapd.data.SynthData;
import org.mapd.data.Turn;
import org.mapd.model.Backbones;
import org.mapd.model.ChatTemplate;
import org.mapd.model.DecoderConfig;
import org.mapd.model.ImageProcessor;
import org.mapd.model.Llava;
import org.mapd.model.MapperConfig;
import org.mapd.model.Qwen2Decoder;
import org.mapd.model.Safetensors;
import org.mapd.model.TextTokenizer;
import org.mapd.model.TokenizedExample;
import org.mapd.model.VisionConfig;
import org.mapd.model.VisionTower;
import org.mapd.pipelines.DatasetFile;

/**
 * Mini plan only: tiny stand-ins for CLIP and Qwen cannot be downloaded, so a word-level tokenizer is
 * built from the data and the vision tower, decoder and a throw-away per-patch projector (LLaVA-1.5's
 * connector: one soft token per patch, the shortest path from the image to the decoder) are trained jointly on
 * the captions, the finetuning mixture, in-context sequences of it (so the decoder learns to copy answers
 * from context) and a corpus of fresh skill images (SynthData.warmupCorpus: new images to learn reading
 * and counting from, rather than more epochs over the same few hundred). Writes OUT/vision and OUT/llm in HF
 * layout. The backbones learn to use the image only after thousands of steps (README, issue 14), so
 * tools/mini_backbones.sh runs this once (about 25 minutes on 2 cores) and commits the result to conf/mini,
 * which the mini plan loads like downloaded checkpoints; a plan with models.warmup runs it as a stage.
 */
public final class Warmup {
  private static final String VISION = "vision_model.";
  private static final String PROJECTOR = "warmup_projector.";
  /** Largest number of examples before the query in an in-context warm-up sequence. */
  private static final int MAX_CONTEXT = 3;

  private Warmup() {}

  public static Backbones run(Plan plan, Path base, Path prepared, Path out, Progress progress) {
    Path visionDir = out.resolve("vision");
    Path llmDir = out.resolve("llm");
    Backbones result = new Backbones(visionDir.toString(), llmDir.toString());
    if (Files.exists(llmDir.resolve("model.safetensors")) && Files.exists(visionDir.resolve("model.safetensors"))) return result;
    TrainConfig cfg = plan.training(base).warmup();
    if (cfg == null) throw new IllegalArgumentException("training.json has no warmup settings");
    try (Prepared data = new Prepared(prepared, out.resolve("index"))) {
      Path corpusDir = out.resolve("corpus");
      List<LlavaRecord> corpus = SynthData.warmupCorpus(corpusDir, plan.seed() + 3, cfg.corpus());
      TreeSet<String> words = vocabulary(data, prepared.resolve("VL-ICL"));
      for (LlavaRecord r : corpus) for (Turn t : r.conversations()) addWords(words, t.value());
      TextTokenizer.writeWordLevel(llmDir.resolve("tokenizer.json"), words);
      MapperConfig mapperConfig = Json.read(plan.mapperConfig(base), MapperConfig.class);
      try (NDManager manager = NDManager.newBaseManager();
          TextTokenizer tokenizer = TextTokenizer.load(llmDir.resolve("tokenizer.json"))) {
        writeConfigs(base.resolve(plan.models().vision()), base.resolve(plan.models().llm()), visionDir, llmDir, tokenizer.vocabSize());
        VisionConfig vision = VisionConfig.load(visionDir);
        DecoderConfig decoder = DecoderConfig.load(llmDir);
        // The intended masking and padding whatever the plan's fidelity: the fidelity switch reproduces the
        // authors' finetuning code, and Qwen's own training had none of its quirks. Under the authors' un-masking
        // the tiny decoder learned that "\n" is followed by "<|im_start|>" and answered with a new turn header.
        // Images count as one token where sequences are cut (imageTokens 1).
        ChatTemplate template = new ChatTemplate(tokenizer, false, 1);
        int padId = template.padId(false);
        List<Sequence> samples = samples(data, template, cfg.maxLen(), plan.seed());
        for (LlavaRecord r : corpus) samples.add(Sequence.finetune(template, "warmup", r, corpusDir, cfg.maxLen()));
        Map<String, NDArray> params = new LinkedHashMap<>(VisionTower.init(vision, manager, plan.seed()));
        params.putAll(Qwen2Decoder.init(decoder, manager, plan.seed() + 1));
        params.putAll(projector(vision.hiddenSize(), decoder.hiddenSize(), manager, plan.seed() + 2));
        Joint joint = new Joint(samples, cfg.batchSize(), cfg.epochs(), plan.seed(), new Llava(vision, decoder, mapperConfig),
            new VisionTower(vision), vision, padId, pixels(samples, vision), manager);
        TrainLoop.Result r = TrainLoop.run(cfg, params, false, joint, out, plan.seed(), progress, manager);
        Map<String, NDArray> visionW = new LinkedHashMap<>();
        Map<String, NDArray> decoderW = new LinkedHashMap<>();
        r.params().forEach((k, a) -> {
          if (k.startsWith(VISION)) visionW.put(k, a);
          else if (!k.startsWith(PROJECTOR)) decoderW.put(k, a);
        });
        Safetensors.save(visionDir.resolve("model.safetensors"), visionW, Map.of("format", "pt"));
        Safetensors.save(llmDir.resolve("model.safetensors"), decoderW, Map.of("format", "pt"));
        return result;
      }
    }
  }

  /** Every word the tiny decoder may meet: captions, the mixture, the template and the VL-ICL texts. */
  static TreeSet<String> vocabulary(Prepared data, Path vlIcl) {
    TreeSet<String> words = new TreeSet<>();
    for (LlavaRecord r : data.captions().all()) for (Turn t : r.conversations()) addWords(words, t.value());
    for (String ds : data.datasetNames()) {
      for (LlavaRecord r : data.dataset(ds).all()) for (Turn t : r.conversations()) addWords(words, t.value());
    }
    addWords(words, ChatTemplate.SYSTEM + " system user assistant Answer: Answer");
    if (Files.isDirectory(vlIcl)) {
      try (Stream<Path> tasks = Files.list(vlIcl)) {
        for (Path task : tasks.filter(Files::isDirectory).toList()) {
          for (String f : List.of("support.json", "query.json")) {
            Path file = task.resolve(f);
            if (Files.exists(file)) collectVlIcl(Json.MAPPER.readTree(file.toFile()), words);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + vlIcl, e);
      }
    }
    return words;
  }

  /** question and answer fields (strings, numbers, lists) of VL-ICL records; the prompt adds "?" to open_mi questions. */
  private static void collectVlIcl(JsonNode node, TreeSet<String> words) {
    if (node.isArray()) {
      for (JsonNode n : node) collectVlIcl(n, words);
    } else if (node.isObject()) {
      for (String field : List.of("question", "answer", "classes")) {
        JsonNode v = node.get(field);
        if (v == null) continue;
        for (JsonNode x : v.isArray() ? v : List.of(v)) {
          addWords(words, x.asText());
          if (field.equals("question")) addWords(words, x.asText() + "?");
        }
      }
    }
  }

  static void addWords(TreeSet<String> words, String text) {
    for (String w : text.replace("<image>", " ").split("[ \n]+")) if (!w.isEmpty()) words.add(w);
  }

  /** The plan's config.json files, with the decoder's vocab_size raised to the tokenizer's size if needed. */
  private static void writeConfigs(Path visionSrc, Path llmSrc, Path visionDir, Path llmDir, int vocab) {
    try {
      Json.writeAtomic(visionDir.resolve("config.json"), Files.readAllBytes(visionSrc.resolve("config.json")));
      ObjectNode llm = (ObjectNode) Json.MAPPER.readTree(llmSrc.resolve("config.json").toFile());
      if (llm.path("vocab_size").asInt(0) < vocab) llm.put("vocab_size", vocab);
      Json.writeAtomic(llmDir.resolve("config.json"), llm);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy backbone configs", e);
    }
  }

  /** Captions (plain), mixture conversations (qwen_2), and in-context sequences of 1..3 examples + a query. */
  static List<Sequence> samples(Prepared data, ChatTemplate template, int maxLen, long seed) {
    List<Sequence> out = new ArrayList<>();
    for (LlavaRecord r : data.captions().all()) out.add(Sequence.caption(template, r, data.pretrainImages(), maxLen));
    Path imageRoot = DatasetFile.imageRoot(data.root());
    Random random = new Random(seed);
    for (String ds : data.datasetNames()) {
      List<LlavaRecord> records = data.dataset(ds).all();
      for (LlavaRecord r : records) out.add(Sequence.finetune(template, ds, r, imageRoot, maxLen));
      int[] order = StageModel.order(seed, ds.hashCode(), records.size());
      for (int start = 0; start + 1 < order.length; ) {
        int k = 1 + random.nextInt(MAX_CONTEXT);
        if (start + k >= order.length) break;
        List<List<Turn>> context = new ArrayList<>();
        List<Path> images = new ArrayList<>();
        for (int i = 0; i <= k; i++) {
          LlavaRecord r = records.get(order[start + i]);
          if (i < k) context.add(Conversations.firstQa(ds, r));
          images.add(imageRoot.resolve(r.image()));
        }
        TokenizedExample ex = template.conversation(Conversations.ictTurns(context, Conversations.firstQa(ds, records.get(order[start + k]))), maxLen);
        out.add(new Sequence(ex, images.subList(0, ex.images())));
        start += k + 1;
      }
    }
    return out;
  }

  /** Two-layer GELU MLP applied to each patch feature (LLaVA-1.5's projector), Glorot-uniform from a seeded Random. */
  private static Map<String, NDArray> projector(int dClip, int dLlm, NDManager manager, long seed) {
    Random random = new Random(seed);
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put(PROJECTOR + "w1", glorot(random, dLlm, dClip, manager)); // [dLlm, dClip]
    p.put(PROJECTOR + "b1", manager.zeros(new Shape(dLlm)));
    p.put(PROJECTOR + "w2", glorot(random, dLlm, dLlm, manager)); // [dLlm, dLlm]
    p.put(PROJECTOR + "b2", manager.zeros(new Shape(dLlm)));
    return p;
  }

  private static NDArray glorot(Random random, int rows, int cols, NDManager manager) {
    double bound = Math.sqrt(6.0 / (rows + cols));
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    return manager.create(v, new Shape(rows, cols));
  }

  private static Map<Path, float[]> pixels(List<Sequence> samples, VisionConfig vision) {
    Map<Path, float[]> pixels = new HashMap<>();
    for (Sequence s : samples) for (Path p : s.images()) pixels.computeIfAbsent(p, q -> ImageProcessor.load(q, vision, false));
    return pixels;
  }

  /** Everything trainable: the vision tower runs inside the graph on each batch's images. */
  private record Joint(List<Sequence> samples, int batchSize, int epochs, long seed, Llava llava, VisionTower tower,
      VisionConfig vision, int padId, Map<Path, float[]> pixels, NDManager manager) implements TrainLoop.Data {
    @Override
    public int micros(int epoch) {
      return (samples.size() + batchSize - 1) / batchSize;
    }

    @Override
    public TrainLoop.Loss loss(Map<String, NDArray> w, GradientCollector gc, int epoch, int micro) {
      List<TokenizedExample> examples = new ArrayList<>();
      List<Path> images = new ArrayList<>();
      for (Sequence s : Sequence.batch(samples, seed, epoch, micro, batchSize)) {
        examples.add(s.example());
        images.addAll(s.images());
      }
      int size = 3 * vision.imageSize() * vision.imageSize();
      float[] buf = new float[images.size() * size];
      for (int i = 0; i < images.size(); i++) System.arraycopy(pixels.get(images.get(i)), 0, buf, i * size, size);
      NDArray x = manager.create(buf, new Shape(images.size(), 3, vision.imageSize(), vision.imageSize())); // [I, 3, S, S]
      Map<String, NDArray> visionW = new HashMap<>();
      Map<String, NDArray> decoderW = new HashMap<>();
      w.forEach((k, a) -> {
        if (k.startsWith(VISION)) visionW.put(k, a);
        else if (!k.startsWith(PROJECTOR)) decoderW.put(k, a);
      });
      if (images.isEmpty()) return TrainLoop.Loss.of(llava.lossOnSoftTokens(decoderW, examples, null, padId));
      NDArray features = tower.features(visionW, x); // [I, patches, dClip]
      NDArray hidden = Activation.gelu(features.matMul(w.get(PROJECTOR + "w1").transpose()).add(w.get(PROJECTOR + "b1"))); // [I, patches, dLlm]
      NDArray soft = hidden.matMul(w.get(PROJECTOR + "w2").transpose()).add(w.get(PROJECTOR + "b2")); // [I, patches, dLlm]
      return TrainLoop.Loss.of(llava.lossOnSoftTokens(decoderW, examples, soft, padId));
    }
  }
}
