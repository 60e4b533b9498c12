package org.mapd.pipelines;

import org.mapd.conf.Strategy;
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
import org.mapd.conf.Fidelity;
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
    return new Training(null, cfg(1, 0, 0, 0), s, new EvalConfig(2, 1.0, 4, 0, 2), new org.mapd.conf.MemoryBudget(4, 1, 1, false, null), null);
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
    Manifests.write(a, SIZES, training(true), 11, Fidelity.AUTHORS);
    Manifests.write(b, SIZES, training(true), 11, Fidelity.AUTHORS);
    Manifests.write(c, SIZES, training(true), 12, Fidelity.AUTHORS);
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
    List<String> notes = Manifests.write(out, SIZES, training(true), 5, Fidelity.AUTHORS);
    assertTrue(notes.stream().anyMatch(n -> n.startsWith("tiny:")), notes.toString());
    for (int e = 0; e < 2; e++) {
      List<Manifests.MetaTask> tasks = Manifests.readTasks(Manifests.tasksFile(out, Strategy.MAPD, e));
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
    assertEquals(12 + 6, Manifests.readTasks(Manifests.tasksFile(out, Strategy.MULTITASK, 0)).size());
  }

  @Test
  void ictNoMetaTaskAndModelAvg(@TempDir Path out) {
    Manifests.write(out, SIZES, training(true), 5, Fidelity.INTENDED);
    List<Manifests.IctSample> ict = Manifests.readIct(Manifests.tasksFile(out, Strategy.ICT, 0));
    assertEquals(9 + 5, ict.size(), "disjoint groups of 5: gqa 45 = 9 groups, vg 21 = 4 + one topped up; tiny (3 < 5) none");
    Map<String, List<Integer>> used = new HashMap<>();
    for (Manifests.IctSample s : ict) {
      assertEquals(4, s.context().size());
      Set<Integer> group = new HashSet<>(s.context());
      assertTrue(group.add(s.query()), "the query is not in its context");
      assertEquals(5, group.size());
      used.computeIfAbsent(s.dataset(), k -> new ArrayList<>()).addAll(group);
    }
    assertEquals(45, new HashSet<>(used.get("gqa")).size());
    assertEquals(45, used.get("gqa").size(), "every gqa example exactly once");
    assertEquals(21, new HashSet<>(used.get("vg")).size());
    for (int e = 0; e < 2; e++) {
      List<Manifests.Example> mix = Manifests.readExamples(Manifests.tasksFile(out, Strategy.NOMETATASK, e));
      assertEquals(69, mix.size());
      assertEquals(69, new HashSet<>(mix).size());
    }
    List<Manifests.Example> tiny = Manifests.readExamples(Manifests.modelAvgFile(out, "tiny", 0));
    assertEquals(Set.of(0, 1, 2), new HashSet<>(tiny.stream().map(Manifests.Example::index).toList()));
    assertEquals(45, Manifests.readExamples(Manifests.modelAvgFile(out, "gqa", 0)).size());
  }

  /** How often each example of the samples' dataset was used. */
  private static Map<Integer, Integer> uses(List<Manifests.IctSample> samples) {
    Map<Integer, Integer> n = new HashMap<>();
    for (Manifests.IctSample s : samples) {
      for (int i : s.context()) n.merge(i, 1, Integer::sum);
      n.merge(s.query(), 1, Integer::sum);
    }
    return n;
  }

  @Test
  void ictGroupsAsTheAuthorsDrawThemAndAsIntended() {
    List<String> notes = new ArrayList<>();
    // 400 = 2 draws of 30 groups of 5 + 100 left: topped up to a third draw of 150, which the authors' loop
    // draws twice because it counts only the 50 top-ups towards the 400
    List<Manifests.IctSample> authors = Manifests.ict(Map.of("d", 400L), 4, true, new java.util.Random(1), notes);
    assertEquals(120, authors.size());
    Map<Integer, Integer> a = uses(authors);
    assertEquals(400, a.size());
    assertEquals(600, a.values().stream().mapToInt(Integer::intValue).sum(),
        "120 * 5 uses: the 100 left over twice, their 50 top-ups three times, the other 250 once");
    assertEquals(100, a.values().stream().filter(v -> v == 2).count());
    assertEquals(50, a.values().stream().filter(v -> v == 3).count());
    List<Manifests.IctSample> intended = Manifests.ict(Map.of("d", 400L), 4, false, new java.util.Random(1), notes);
    assertEquals(80, intended.size());
    assertTrue(uses(intended).values().stream().allMatch(v -> v == 1), "every example exactly once");
    // 350 = 2 draws + 50 left, not more than half of the third draw: it comes once
    assertEquals(90, Manifests.ict(Map.of("d", 350L), 4, true, new java.util.Random(1), notes).size());
    assertEquals(70, Manifests.ict(Map.of("d", 350L), 4, false, new java.util.Random(1), notes).size());
    // below 30 groups (the authors' code fails there) a group at a time: 103 = 20 groups + 3 topped up to a
    // group, which the authors' loop would draw twice
    assertEquals(22, Manifests.ict(Map.of("d", 103L), 4, true, new java.util.Random(1), notes).size());
    assertEquals(21, Manifests.ict(Map.of("d", 103L), 4, false, new java.util.Random(1), notes).size());
    assertTrue(notes.isEmpty(), notes.toString());
  }

  @Test
  void absentStrategiesAreSkipped(@TempDir Path out) {
    Manifests.write(out, SIZES, training(false), 5, Fidelity.AUTHORS);
    assertFalse(Files.exists(out.resolve("tasks/ict")));
    assertTrue(Files.exists(Manifests.tasksFile(out, Strategy.MAPD, 1)));
    assertFalse(Files.exists(Manifests.tasksFile(out, Strategy.MAPD, 2)));
  }
}
