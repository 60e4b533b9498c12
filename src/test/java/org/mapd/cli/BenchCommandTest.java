package org.mapd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.mapd.model.DecoderConfig;
import org.mapd.model.MapperConfig;
import org.mapd.model.VisionConfig;

/** Smoke run of `mapd bench model` at tiny sizes (no timing is asserted) and its FLOP count on a hand-sized case. */
class BenchCommandTest {
  @Test
  void tinyBenchPrintsEveryMeasurement() {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), "bench", "model", "--conf", "conf/mini",
        "--matmul-size", "32", "--repeats", "1", "--seq", "16", "--new-tokens", "3", "--prompt", "4", "--vocab", "64", "--layers", "2");
    String out = o.toString();
    assertEquals(0, code, e.toString());
    assertTrue(out.contains("matmul 32^3 F32"), out);
    assertTrue(out.contains("qwen2.5-0.5b-shape (2 layers) decode 3 tokens after a 260-token prompt (256 soft + 4 text)"), out);
    for (String config : new String[] {"mini (conf/mini)", "qwen2.5-0.5b-shape (2 layers)"}) {
      assertTrue(out.contains(config + " train step (seq 16"), out);
      assertTrue(out.contains(config + " decode 3 tokens after a "), out);
      assertTrue(out.contains(" soft + 4 text): KV cache"), out);
    }
    MainTest.assertDocumented(new picocli.CommandLine(new BenchCommand()));
    assertEquals(2, Main.run(new PrintWriter(o, true), new PrintWriter(e, true), "bench", "model", "--seq", "0"));
  }

  @Test
  void flopCountAddsForwardAndInputOnlyBackward() {
    // hidden 8, 2 heads of 4, 1 kv head, inter 16, vocab 10, 1 layer; mapper prefix 1, dClip = dLlm = 8; 1 patch.
    DecoderConfig c = new DecoderConfig(8, 16, 1, 2, 1, 10, 64, 1e-6, 1e4, true);
    MapperConfig m = new MapperConfig(1, 8, 8);
    double linear = 2 * 2 * (8 * 8 + 2 * 8 * 4 + 8 * 8 + 3 * 8 * 16); // T=2 rows through q,k,v,o,gate,up,down
    double attention = 2 * 2 * (2 * 2 * 2 * 4); // QK^T and PV, each 2 heads x T x T x d multiply-adds
    double head = 2 * 1 * 8 * 10; // one supervised row through lm_head
    double mapper = 3 * (2 * 2 * 8 * 8) + 2 * 2 * (2 * 2 * 8) + 2 * 2 * 8 * 8; // z = 2 rows: q,k,v; attention; Wo
    VisionConfig onePatch = new VisionConfig(8, 16, 2, 2, 3, 14, 14, "quick_gelu", 1e-5);
    assertEquals(2 * linear + 3 * attention + 2 * head + 3 * mapper, new org.mapd.model.FlopModel(onePatch, c, m).trainSequence(2, 1, 1, false));
    double withRecompute = new org.mapd.model.FlopModel(onePatch, c, m).trainSequence(2, 1, 1, true);
    assertEquals(3 * linear + 4 * attention + 2 * head + 3 * mapper, withRecompute, 1e-9, "recompute adds one forward");
  }
}
