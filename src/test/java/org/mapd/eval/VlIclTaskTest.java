package org.mapd.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.Json;

class VlIclTaskTest {
  @TempDir Path root;

  private VlIclTask.Episode episode(VlIclTask task, int query, int shots) {
    return task.episode(query, shots, 2, VlIclTask.episodeRandom(222, task.name(), shots, query));
  }

  @Test
  void episodesAreReproducibleAndDifferAcrossQueries() throws Exception {
    VlIclFixture.write(root, 9, false);
    VlIclTask clevr = VlIclTask.load(root, "clevr");
    assertEquals(episode(clevr, 3, 4), episode(VlIclTask.load(root, "clevr"), 3, 4));
    Set<List<Shot>> distinct = new HashSet<>();
    for (int q = 0; q < 9; q++) distinct.add(episode(clevr, q, 4).shots());
    assertTrue(distinct.size() > 5, "episodes of different queries should mostly differ");
    // Distinct support records, and answers printed as Python's str(int).
    List<Shot> shots = episode(clevr, 0, 4).shots();
    assertEquals(4, shots.stream().map(Shot::image).distinct().count());
    for (Shot s : shots) assertTrue(s.answer().matches("[0-4]"), s.answer());
    assertEquals(List.of(), episode(clevr, 0, 0).shots());
  }

  @Test
  void operatorInductionAnswersFollowTheQueryOperator() throws Exception {
    VlIclFixture.write(root, 6, false);
    VlIclTask task = VlIclTask.load(root, "operator_induction");
    JsonNode support = Json.MAPPER.readTree(root.resolve("operator_induction/support.json").toFile());
    String[] ops = {"+", "-", "x"};
    for (int q = 0; q < 6; q++) {
      VlIclTask.Episode e = episode(task, q, 3);
      assertEquals(3, e.shots().size());
      for (Shot s : e.shots()) {
        // Image name a_b_i.png carries the digits: the answer must be a op b for this query's operator.
        String[] ab = Path.of(s.image()).getFileName().toString().replace(".png", "").split("_");
        int a = Integer.parseInt(ab[0]);
        int b = Integer.parseInt(ab[1]);
        int want = switch (ops[q % 3]) {
          case "+" -> a + b;
          case "-" -> a - b;
          default -> a * b;
        };
        assertEquals(String.valueOf(want), s.answer());
        assertEquals(support.get(Integer.parseInt(ab[2])).get("question").asText(), s.question());
      }
    }
    assertEquals("-5", task.query(1).answer()); // 1 - 6: negative answers are kept as text
  }

  @Test
  void openMiUsesTheQuerysOwnSupportPerClass() throws Exception {
    VlIclFixture.write(root, 4, false);
    VlIclTask task = VlIclTask.load(root, "open_mi");
    VlIclTask.Query q = task.query(1);
    assertEquals("This is a?", q.question());
    assertEquals("blicket", q.answer());
    VlIclTask.Episode e = episode(task, 1, 3);
    assertEquals(6, e.shots().size()); // 2-way x 3 shots
    List<String> order = e.shots().subList(0, 2).stream().map(Shot::answer).toList();
    assertTrue(order.contains("blicket"));
    assertNotEquals(order.get(0), order.get(1));
    for (int i = 0; i < 6; i++) {
      Shot s = e.shots().get(i);
      assertEquals(order.get(i % 2), s.answer(), "classes repeat in the same order for every shot");
      assertEquals("open_mi/support/1_" + s.answer() + "_" + (i / 2) + ".png", s.image());
      assertEquals("This is a?", s.question());
    }
    assertThrows(IllegalArgumentException.class, () -> episode(task, 1, 6)); // only 5 images per class
    assertThrows(IllegalArgumentException.class, () -> task.episode(1, 1, 4, new Random(1))); // 3 classes < 4-way
  }

  @Test
  void selectedQueriesAreASeededSubsetInFileOrder() throws Exception {
    VlIclFixture.write(root, 30, false);
    VlIclTask task = VlIclTask.load(root, "operator_induction");
    List<Integer> picked = task.selectedQueries(9, 222);
    assertEquals(9, new HashSet<>(picked).size());
    assertEquals(picked.stream().sorted().toList(), picked);
    assertEquals(picked, VlIclTask.load(root, "operator_induction").selectedQueries(9, 222));
    assertNotEquals(picked, task.selectedQueries(9, 223));
    assertEquals(30, task.selectedQueries(0, 222).size());
    assertEquals(30, task.selectedQueries(50, 222).size());
  }

  @Test
  void sampleDrawsDistinctElements() {
    List<Integer> from = List.of(1, 2, 3, 4, 5, 6, 7);
    for (int seed = 0; seed < 20; seed++) {
      List<Integer> s = VlIclTask.sample(from, 5, new Random(seed));
      assertEquals(5, new HashSet<>(s).size());
      assertTrue(from.containsAll(s));
    }
    assertEquals(VlIclTask.sample(from, 3, new Random(1)), VlIclTask.sample(from, 3, new Random(1)));
  }

  @Test
  void badDataFailsWithTheTaskName() throws Exception {
    VlIclFixture.write(root, 3, false);
    VlIclTask clevr = VlIclTask.load(root, "clevr");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> episode(clevr, 0, 11));
    assertTrue(e.getMessage().contains("clevr"), e.getMessage());
    Files.writeString(root.resolve("operator_induction/query.json"),
        "[{\"id\":\"q\",\"image\":[\"a.png\"],\"question\":\"?\",\"operator\":\"/\",\"answer\":1}]");
    VlIclTask op = VlIclTask.load(root, "operator_induction");
    assertThrows(IllegalArgumentException.class, () -> episode(op, 0, 1));
    Files.writeString(root.resolve("clevr/query.json"), "{}");
    assertThrows(IllegalArgumentException.class, () -> VlIclTask.load(root, "clevr"));
  }
}
