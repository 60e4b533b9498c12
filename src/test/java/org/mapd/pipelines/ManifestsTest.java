package org.mapd.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.conf.EvalConfig;
import org.mapd.conf.TrainConfig;
import org.mapd.conf.Training;

class ManifestsTest {
  static TrainConfig cfg(int epochs, int kS, int kQ, int ict) {
    return new TrainConfig(epochs, 1e-3, 1, 1, 0.0, 0.0, 64, kS, kQ, 0, 0.0, 1, ict, 0, 10, 0);
  }

  static Training training(boolean withIct) {
    Map<String, TrainConfig> s = new LinkedHashMap<>();
    s.put("mapd", cfg(2, 4, 3, 0));
    s.put("multitask", cfg(1, 2, 2, 0));
    s.put("nometatask", cfg(2, 0, 0, 0));
    if (withIct) s.put("ict", cfg(1, 0, 0, 4));
    s.put("modelavg", cfg(1, 0, 0, 0));
    return new Training(null, cfg(1, 0, 0, 0), s, new EvalConfig(2, 1.0, 4, 0, 2), new org.mapd.conf.MemoryBudget(4, 1, 1, false, null));
  }

  static final Map<String, Long> SIZES = new LinkedHashMap<>(Map.of());

  static {
    SIZES.put("gqa", 45L);
    SIZES.put("vg", 21L);
    SIZES.put("tiny", 3L);
  }

  private static Map<Path, byte[]> files(Path dir) throws Exception {
    Map<Path, byte[]> m = new HashMap<>();
    try (var s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p), Files.readAllBytes(p));
    }
    return m;
  }

  @Test
  void sameSeedSameFilesOtherSeedOtherFiles(@TempDir Path a, @TempDir Path b, @TempDir Path c) throws Exception {
    Manifests.write(a, SIZES, training(true), 11);
    Manifests.write(b, SIZES, training(true), 11);
    Manifests.write(c, SIZES, training(true), 12);
    Map<Path, byte[]> fa = files(a), fb = files(b), fc = files(c);
    assertEquals(fa.keySet(), fb.keySet());
    for (Path p : fa.keySet()) assertTrue(java.util.Arrays.equals(fa.get(p), fb.get(p)), p.toString());
    Path mapd0 = Path.of("tasks", "mapd", "epoch-0.jsonl");
    assertFalse(java.util.Arrays.equals(fa.get(mapd0), fc.get(mapd0)), "another seed must sample other tasks");
    assertFalse(java.util.Arrays.equals(fa.get(mapd0), fa.get(Path.of("tasks", "mapd", "epoch-1.jsonl"))),
        "every epoch samples anew");
  }

  @Test
  void metaTasksAreDisjointGroupsToppedUpOnce(@TempDir Path out) {
    List<String> notes = Manifests.write(out, SIZES, training(true), 5);
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("tiny:")), notes.toString());
    for (int e = 0; e < 2; e++) {
      List<Manifests.MetaTask> tasks = Manifests.readTasks(Manifests.tasksFile(out, "mapd", e));
      Map<String, List<Integer>> seen = new HashMap<>();
      for (Manifests.MetaTask t : tasks) {
        assertEquals(4, t.support().size());
        assertEquals(3, t.query().size());
        Set<Integer> distinct = new HashSet<>(t.support());
        distinct.addAll(t.query());
        assertEquals(7, distinct.size(), "no example twice in one task");
        for (int i : distinct) assertTrue(i >= 0 && i < SIZES.get(t.dataset()));
        seen.computeIfAbsent(t.dataset(), k -> new ArrayList<>()).addAll(distinct);
      }
      assertEquals(Set.of("gqa", "vg"), seen.keySet());
      // gqa: 45 = 6*7 + 3 -> 7 tasks, 4 top-ups; vg: 21 = 3*7 exactly
      assertEquals(49, seen.get("gqa").size());
      assertEquals(45, new HashSet<>(seen.get("gqa")).size());
      assertEquals(21, seen.get("vg").size());
      assertEquals(21, new HashSet<>(seen.get("vg")).size());
      List<String> order = tasks.stream().map(Manifests.MetaTask::dataset).toList();
      assertNotEquals(order.stream().sorted().toList(), order, "tasks are shuffled across datasets");
    }
    assertEquals(12 + 6, Manifests.readTasks(Manifests.tasksFile(out, "multitask", 0)).size());
  }

  @Test
  void ictNoMetaTaskAndModelAvg(@TempDir Path out) {
    Manifests.write(out, SIZES, training(true), 5);
    List<Manifests.IctSample> ict = Manifests.readIct(Manifests.tasksFile(out, "ict", 0));
    assertEquals(45 + 21, ict.size(), "every example is a query once; tiny (3 <= 4) has none");
    Map<String, Set<Integer>> queries = new HashMap<>();
    for (Manifests.IctSample s : ict) {
      assertEquals(4, s.context().size());
      assertEquals(4, new HashSet<>(s.context()).size());
      assertFalse(s.context().contains(s.query()));
      assertTrue(queries.computeIfAbsent(s.dataset(), k -> new HashSet<>()).add(s.query()));
    }
    for (int e = 0; e < 2; e++) {
      List<Manifests.Example> mix = Manifests.readExamples(Manifests.tasksFile(out, "nometatask", e));
      assertEquals(69, mix.size());
      assertEquals(69, new HashSet<>(mix).size());
    }
    List<Manifests.Example> tiny = Manifests.readExamples(Manifests.modelAvgFile(out, "tiny", 0));
    assertEquals(Set.of(0, 1, 2), new HashSet<>(tiny.stream().map(Manifests.Example::index).toList()));
    assertEquals(45, Manifests.readExamples(Manifests.modelAvgFile(out, "gqa", 0)).size());
  }

  @Test
  void absentStrategiesAreSkipped(@TempDir Path out) {
    Manifests.write(out, SIZES, training(false), 5);
    assertFalse(Files.exists(out.resolve("tasks/ict")));
    assertTrue(Files.exists(Manifests.tasksFile(out, "mapd", 1)));
    assertFalse(Files.exists(Manifests.tasksFile(out, "mapd", 2)));
  }
}
