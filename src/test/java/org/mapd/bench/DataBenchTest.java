package org.mapd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.conf.Plan;
import org.mapd.data.Mix665k;
import org.mapd.pipelines.DatasetFile;

class DataBenchTest {
  @Test
  void baselineAndDirectRunnerSplitTheSyntheticMixAlike(@TempDir Path dir) throws Exception {
    int n = 3000;
    StringWriter text = new StringWriter();
    List<DataBench.Result> r = DataBench.run(dir, n, List.of("direct"),
        Plan.load(Path.of("workflows/mini.json")).training(Path.of("")), new PrintWriter(text));
    DataBench.Result baseline = r.get(0), direct = r.get(1);
    Map<Mix665k.Kind, Integer> kinds = Mix665k.counts(n);
    assertEquals(n, kinds.values().stream().mapToInt(Integer::intValue).sum());
    // independent reference: every generated kind lands in its dataset, ShareGPT is removed
    assertEquals((long) kinds.get(Mix665k.Kind.SHAREGPT), baseline.removedTextOnly());
    assertEquals((long) kinds.get(Mix665k.Kind.CONV), baseline.datasets().get("conv"));
    assertEquals((long) kinds.get(Mix665k.Kind.COMPLEX), baseline.datasets().get("complex_res"));
    assertEquals((long) kinds.get(Mix665k.Kind.OKVQA), baseline.datasets().get("okvqa"));
    assertEquals((long) kinds.get(Mix665k.Kind.GQA) , baseline.datasets().get("gqa"));
    assertEquals((long) kinds.get(Mix665k.Kind.OCRVQA), baseline.datasets().get("ocr_vqa"));
    assertEquals((long) kinds.get(Mix665k.Kind.AOKVQA), baseline.datasets().get("aokvqa"));
    assertEquals((long) kinds.get(Mix665k.Kind.TEXTCAPS), baseline.datasets().get("textvqa"));
    assertEquals((long) kinds.get(Mix665k.Kind.REFCOCO), baseline.datasets().get("refcoco"));
    assertEquals((long) kinds.get(Mix665k.Kind.VG), baseline.datasets().get("vg"));
    assertEquals(n - kinds.get(Mix665k.Kind.SHAREGPT),
        baseline.datasets().values().stream().mapToLong(Long::longValue).sum());
    // the pipeline agrees with the baseline
    assertEquals(baseline.datasets(), direct.datasets());
    assertEquals(baseline.removedTextOnly(), direct.removedTextOnly());
    assertTrue(text.toString().contains("counts = baseline"), text.toString());
    // and writes the same dataset files, byte for byte
    for (String ds : baseline.datasets().keySet()) {
      assertEquals(-1L, Files.mismatch(DatasetFile.path(dir.resolve("out-baseline"), ds), DatasetFile.path(dir.resolve("out-direct"), ds)), ds);
    }
  }
}
