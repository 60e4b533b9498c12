package org.mapd.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;
import org.mapd.conf.EvalConfig;
import org.mapd.conf.Fidelity;
import org.mapd.conf.Mode;
import org.mapd.conf.Plan;
import org.mapd.model.AttentionMapper;
import org.mapd.model.Decoding;
import org.mapd.model.MapperConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluateTest {
  @TempDir Path dir;

  @Test
  void tinyModelEndToEndThenResume() throws Exception {
    TinyRun run = TinyRun.create(dir, "tiny", 2, 3, 2, 4);
    Plan plan = run.plan(List.of("operator_induction", "clevr", "open_mi", "textocr"), List.of(0, 1, 2), List.of(Mode.values()));
    Path out = dir.resolve("eval/mapd");
    List<long[]> reports = new ArrayList<>();
    double[] lastAccuracy = {-1};
    EvalSummary summary = Evaluate.run(plan, run.base, "mapd", run.mapper, run.backbones, run.vlIcl, out,
        (step, total, acc, ckpt) -> {
          reports.add(new long[] {step, total});
          lastAccuracy[0] = acc;
        });

    assertEquals(48, summary.samples()); // 4 tasks x 3 shots x 2 modes x 2 queries
    assertEquals(48, reports.size());
    assertArrayEquals(new long[] {48, 48}, reports.get(47));
    List<Sample> samples = readSamples(out);
    assertEquals(48, samples.size());
    assertEquals(samples.stream().filter(Sample::correctAtEnd).count() / 48.0, lastAccuracy[0], 1e-12);
    Map<String, String> zeroShot = new HashMap<>();
    for (Sample s : samples) {
      int steps = s.mode() == Mode.FT && s.shots() > 0 ? 3 : 1; // FT: weights after steps 0..2
      assertEquals(steps, s.predictions().size(), s.toString());
      assertEquals(steps, s.correct().size());
      for (int k = 0; k < steps; k++) {
        assertEquals(Scoring.exactMatch(s.predictions().get(k), s.answer(), s.task(), true), s.correct().get(k));
      }
      if (s.shots() == 0 && s.mode() == Mode.ICL) zeroShot.put(s.task() + s.query(), s.predictions().get(0));
    }
    // Step 0 of FT is the unadapted mapper on the bare query: the same generation as 0-shot ICL.
    for (Sample s : samples) {
      if (s.mode() == Mode.FT) assertEquals(zeroShot.get(s.task() + s.query()), s.predictions().get(0), s.toString());
    }
    Results.File results = Json.read(out.resolve("results.json"), Results.File.class);
    assertEquals(24, results.rows().size());
    for (ResultRow r : results.rows()) {
      assertEquals("mapd", r.strategy());
      assertTrue(r.accuracy() >= 0 && r.accuracy() <= r.accuracyMaxOverSteps() + 1e-12 && r.accuracyMaxOverSteps() <= 1);
    }

    // A second run finds every query done: no model work, same file, same results.
    byte[] before = Files.readAllBytes(out.resolve("samples.jsonl"));
    reports.clear();
    Evaluate.run(plan, run.base, "mapd", run.mapper, run.backbones, run.vlIcl, out, (a, b, c, d) -> reports.add(new long[] {a, b}));
    assertEquals(0, reports.size());
    assertArrayEquals(before, Files.readAllBytes(out.resolve("samples.jsonl")));

    // A run killed while writing its last line redoes just that query, with the same answer.
    List<String> lines = Files.readAllLines(out.resolve("samples.jsonl"));
    String last = lines.get(lines.size() - 1);
    lines.set(lines.size() - 1, last.substring(0, last.length() / 2));
    Files.writeString(out.resolve("samples.jsonl"), String.join("\n", lines));
    reports.clear();
    Evaluate.run(plan, run.base, "mapd", run.mapper, run.backbones, run.vlIcl, out, (a, b, c, d) -> reports.add(new long[] {a, b}));
    assertEquals(1, reports.size());
    List<Sample> again = readSamples(out);
    assertEquals(48, again.size());
    Sample redone = again.get(47);
    Sample original = samples.get(47);
    assertEquals(original.predictions(), redone.predictions());
    assertEquals(original.key(), redone.key());
  }

  @Test
  void untrainedReferenceUsesASeededFreshMapper() throws Exception {
    TinyRun run = TinyRun.create(dir, "tiny", 1, 2, 1, 2);
    Plan plan = run.plan(List.of("clevr"), List.of(1), List.of(Mode.FT));
    EvalSummary a = Evaluate.run(plan, run.base, "untrained", null, run.backbones, run.vlIcl, dir.resolve("a"), (w, x, y, z) -> {});
    EvalSummary b = Evaluate.run(plan, run.base, "untrained", null, run.backbones, run.vlIcl, dir.resolve("b"), (w, x, y, z) -> {});
    assertEquals(1, a.samples());
    assertEquals(readSamples(dir.resolve("a")).get(0).predictions(), readSamples(dir.resolve("b")).get(0).predictions());
    Results.File results = Json.read(Path.of(a.resultsFile()), Results.File.class);
    assertEquals("untrained", results.rows().get(0).strategy());
  }

  @Test
  void mapperRatesAreLoadedAndExtrapolated() throws Exception {
    TinyRun run = TinyRun.create(dir, "tiny", 1, 2, 1, 2);
    MapperConfig mc = new MapperConfig(8, 32, 64);
    EvalConfig eval = new EvalConfig(6, 1.0, 5, 0, 2);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> theta = new LinkedHashMap<>();
      Map<String, double[]> lrs = new HashMap<>();
      Evaluate.loadMapper(run.mapper, mc, m, 0, eval, theta, lrs);
      assertEquals(13, theta.size());
      assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1}, lrs.get(AttentionMapper.key(0)));
      // 3 trained steps [.05,.04,.03] + unused .02: .05 .04 .03, .03 x3, then .02 last.
      assertArrayEquals(new double[] {0.05, 0.04, 0.03, 0.03, 0.03, 0.03, 0.02}, lrs.get(AttentionMapper.key(5)), 1e-7);
      assertThrows(IllegalArgumentException.class, () -> Evaluate.loadMapper(dir.resolve("nowhere"), mc, m, 0, eval, theta, lrs));
    }
  }

  @Test
  void decodingAsTheScriptGeneratesUnderEachFidelity() {
    EvalConfig eval = new EvalConfig(6, 1.0, 100, 0, 2);
    int[] ends = {151645, 151643};
    Decoding authors = Evaluate.decoding(eval, Fidelity.AUTHORS, ends);
    Decoding intended = Evaluate.decoding(eval, Fidelity.INTENDED, ends);
    for (Decoding d : List.of(authors, intended)) {
      assertEquals(100, d.maxNewTokens());
      assertEquals(1, d.minNewTokens(), "min_new_tokens=1");
      assertArrayEquals(ends, d.endIds(), "stops at <|im_end|> and <|endoftext|>");
    }
    assertEquals(1.05, authors.repetitionPenalty(), "Qwen2.5-Instruct's generation_config.json");
    assertEquals(1.0, intended.repetitionPenalty());
  }

  static List<Sample> readSamples(Path out) throws Exception {
    List<Sample> samples = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("samples.jsonl"))) samples.add(Json.MAPPER.readValue(line, Sample.class));
    return samples;
  }
}
