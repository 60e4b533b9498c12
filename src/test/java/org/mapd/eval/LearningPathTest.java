package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.conf.MemoryBudget;
import org.mapd.model.AttentionMapper;
import org.mapd.model.ChatTemplate;
import org.mapd.model.Llava;
import org.mapd.model.LoadedModel;
import org.mapd.model.MapperConfig;
import org.mapd.model.ModelPool;
import org.mapd.model.Safetensors;
import org.mapd.model.TokenizedExample;
import org.mapd.train.FeatureCache;
import org.mapd.train.InnerLoop;
import org.mapd.train.MapperGradient;
import org.mapd.train.Sequence;

/**
 * The learning path at unit scale, through the classes FT-mode evaluation uses (MapperGradient, InnerLoop, the
 * chat template, the decoder's loss): two query images, and a support set naming both "dax" (or both "wug").
 * Before adaptation each image prefers one of the two names, so the queries score 50 % over the two support
 * sets; after a few FT steps both images answer the support's name under either set (100 %), and the support
 * loss has fallen by half. The same steps with the update cut (every rate 0: nothing reaches the mapper) leave
 * loss and answers exactly where they were. A break that stops gradients reaching the mapper, or makes the
 * adaptation a no-op, fails here and not only as a flat mini report. An answer is the name with the lower
 * -log p given the query prompt and image, i.e. 2-way accuracy as open_mi scores it.
 */
class LearningPathTest {
  private static final String QUESTION = "This is a?";
  private static final int STEPS = 10;
  private static final double RATE = 1.0;
  private static final String LM_HEAD = "lm_head.weight";
  private static final float GAIN = 50f;

  @TempDir Path dir;

  @Test
  void ftStepsLearnTheSupportBindingAndACutUpdateLearnsNothing() throws Exception {
    TinyRun run = TinyRun.create(dir, "tiny", STEPS, 3, 0, 4);
    unitGain(Path.of(run.backbones.llm()).resolve("model.safetensors"));
    MapperConfig mapperConfig = new MapperConfig(8, 32, 64);
    List<Path> images = List.of(solid(dir.resolve("black.png"), 0x000000), solid(dir.resolve("white.png"), 0xffffff));
    try (NDManager manager = NDManager.newBaseManager();
        ModelPool.Lease lease = ModelPool.acquire(run.backbones, mapperConfig);
        FeatureCache cache = new FeatureCache(lease.model(), false, 64L << 20)) {
      Probe probe = new Probe(lease.model(), cache, manager, mapperConfig, images);

      Outcome before = probe.adapt("dax", 0.0, 0);
      Outcome dax = probe.adapt("dax", RATE, STEPS);
      Outcome wug = probe.adapt("wug", RATE, STEPS);
      Outcome cut = probe.adapt("dax", 0.0, STEPS);

      // Adaptation fits the support: its loss falls well below the start, and every query now gets the support's
      // name, whichever of the two names that is: the answer comes from the support set.
      assertTrue(dax.loss() < 0.5 * before.loss(), "support loss " + before.loss() + " -> " + dax.loss());
      assertEquals(List.of("dax", "dax"), dax.answers(), "after " + STEPS + " FT steps on 'dax'");
      assertEquals(List.of("wug", "wug"), wug.answers(), "after " + STEPS + " FT steps on 'wug'");
      // The same steps with no update reaching the mapper leave loss and answers where they were.
      assertEquals(before.loss(), cut.loss(), 1e-6);
      assertEquals(before.answers(), cut.answers());
    }
  }

  /** A 32x32 image of one colour. */
  private static Path solid(Path file, int rgb) throws java.io.IOException {
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, rgb);
    ImageIO.write(img, "png", file.toFile());
    return file;
  }

  /**
   * A decoder fresh from its N(0, 0.02) init gives almost uniform logits, and its attention adds almost nothing
   * to the residual stream, so nothing upstream could change its answer; a trained one does not. Scaled by 50,
   * the output head and each attention block's value and output projections have unit gain.
   */
  private static void unitGain(Path weights) {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> w = new LinkedHashMap<>(Safetensors.load(m, weights));
      for (String k : List.copyOf(w.keySet())) {
        if (k.equals(LM_HEAD) || k.endsWith("v_proj.weight") || k.endsWith("o_proj.weight")) w.put(k, w.get(k).mul(GAIN));
      }
      Safetensors.save(weights, w, Map.of());
    }
  }

  /** Support loss and greedy answers of both images after adaptation. */
  private record Outcome(double loss, List<String> answers) {}

  /** One mapper init, two images, and the support set binding {@code names.get(i)} to image i. */
  private static final class Probe {
    private final LoadedModel model;
    private final FeatureCache cache;
    private final Map<String, NDArray> theta;
    private final List<Path> images;
    private final ChatTemplate template;
    private final MapperGradient gradient;
    private final int padId;

    Probe(LoadedModel model, FeatureCache cache, NDManager manager, MapperConfig config, List<Path> images) {
      this.model = model;
      this.cache = cache;
      this.theta = new LinkedHashMap<>(AttentionMapper.init(config, manager, 11));
      this.images = images;
      this.template = new ChatTemplate(model.tokenizer(), false, config.prefixLength());
      this.padId = model.tokenizer().id("<|endoftext|>");
      this.gradient = new MapperGradient(model, cache, padId, new MemoryBudget(4, 1, 0.25, false, null), 0);
    }

    /** {@code steps} FT steps at {@code rate} on a support set that names both images {@code name}. */
    Outcome adapt(String name, double rate, int steps) {
      List<Sequence> support = new ArrayList<>();
      for (Path image : images) support.add(sequence(image, name));
      Map<String, double[]> lrs = new HashMap<>();
      for (String k : theta.keySet()) {
        double[] r = new double[steps + 1];
        Arrays.fill(r, rate);
        lrs.put(k, r);
      }
      Outcome[] last = new Outcome[1];
      InnerLoop.adapt(gradient, theta, support, lrs, steps, (k, weights) -> {
        if (k == steps) last[0] = measure(weights, support, List.of("dax", "wug"));
      });
      return last[0];
    }

    private Sequence sequence(Path image, String name) {
      Shot shot = new Shot(image.toString(), QUESTION, name);
      return new Sequence(template.conversation(Prompts.supportConversation(shot), Evaluate.SUPPORT_MAX_LEN), List.of(image));
    }

    /** The support loss, and per image the name of the two that the adapted mapper makes more likely. */
    private Outcome measure(Map<String, NDArray> weights, List<Sequence> support, List<String> names) {
      try (NDScope scope = new NDScope()) {
        NDArray features = cache.features(images); // [2, patches, dClip]
        double loss = model.llava().loss(model.decoderWeights(), weights,
            support.stream().map(Sequence::example).toList(), features, padId).getFloat();
        int[] prompt = template.prompt(Prompts.query(QUESTION));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
          NDArray one = features.get(i + ":" + (i + 1)); // [1, patches, dClip]
          String best = null;
          double bestNll = Double.MAX_VALUE;
          for (String name : names) {
            double nll = answerNll(weights, prompt, name, one);
            if (nll < bestNll) {
              bestNll = nll;
              best = name;
            }
          }
          answers.add(best);
        }
        return new Outcome(loss, answers);
      }
    }

    /** -log p(name | query prompt, image): the prompt followed by the name, only the name supervised. */
    private double answerNll(Map<String, NDArray> weights, int[] prompt, String name, NDArray features) {
      int[] ids = Arrays.copyOf(prompt, prompt.length + 1);
      ids[prompt.length] = model.tokenizer().id(name);
      int[] labels = new int[ids.length];
      Arrays.fill(labels, Llava.IGNORE);
      labels[prompt.length] = ids[prompt.length];
      return model.llava().loss(model.decoderWeights(), weights, List.of(new TokenizedExample(ids, labels, 1)), features, padId)
          .getFloat();
    }
  }
}
