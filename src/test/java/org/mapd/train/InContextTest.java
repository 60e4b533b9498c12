package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;
import org.mapd.model.Llava;
import org.mapd.model.TextTokenizer;
import org.mapd.model.TokenizedExample;

/**
 * The authors' ICT sample on a word-level tokenizer, where every word is one token, so the budget
 * arithmetic of training_datasets.py ICTDataset.__getitem__ can be followed by hand. Two context records
 * and a query, 2 soft tokens per image: 13 tokens come before the first image (system message and
 * "<|im_start|> user \n"), the query after the last image is 22 tokens, so the budget is maxLen - 3*2 - 13 - 22 - 5.
 */
class InContextTest {
  static final int PREFIX = 2;
  @TempDir static Path dir;
  static TextTokenizer tok;

  @BeforeAll
  static void start() {
    Path file = dir.resolve("tokenizer.json");
    TextTokenizer.writeWordLevel(file, List.of("You", "are", "a", "helpful", "assistant.", "system", "user", "assistant",
        "Answer:", "x", "q", "y", "a1", "a2", "b2", "what", "red", "more", "blue"));
    tok = TextTokenizer.load(file);
  }

  @AfterAll
  static void stop() { tok.close(); }

  /** Context 1: 120 x's (its text after the image is 124 tokens); context 2: two turns (11 tokens); the query: two turns. */
  static List<LlavaRecord> records() {
    String xs = String.join(" ", Collections.nCopies(120, "x"));
    return List.of(
        new LlavaRecord("c1", "c1.png", List.of(new Turn("human", "<image>\n" + xs), new Turn("gpt", "a1"))),
        new LlavaRecord("c2", "c2.png", List.of(new Turn("human", "<image>\nq"), new Turn("gpt", "a2"),
            new Turn("human", "y y y"), new Turn("gpt", "b2"))),
        new LlavaRecord("q", "q.png", List.of(new Turn("human", "what <image>"), new Turn("gpt", "red"),
            new Turn("human", "more"), new Turn("gpt", "blue"))));
  }

  static Sequence sample(boolean authors, int maxLen) {
    return InContext.sample(new ChatTemplate(tok, authors, PREFIX).inContext(), "vg", records(), dir, 2, PREFIX, maxLen);
  }

  @Test
  void allocationFollowsWeightedReduceInt() {
    // w = len^-0.5: ideal shares 25.24 and 11 (whole); floors 25 + 11, the 74 left go to the only cut text
    assertArrayEquals(new int[] {99, 11}, InContext.allocate(new int[] {124, 11}, 110));
    // ideal 7.5, 15, 4 (whole): the 34 left go round the cut texts, the least cut first, until each is whole or the cap is met
    assertArrayEquals(new int[] {31, 25, 4}, InContext.allocate(new int[] {100, 25, 4}, 60));
    // the minimum of 1 would overshoot (the authors' code raises): the excess comes back from the largest share
    int[] s = InContext.allocate(new int[] {1_000_000, 1_000_000, 1_000_000, 30, 30}, 20);
    assertEquals(20, java.util.Arrays.stream(s).sum());
    assertArrayEquals(new int[] {1, 1, 1, 8, 9}, s);
  }

  @Test
  void wholeSampleWhenTheTextFitsAndEveryQueryAnswerIsSupervised() {
    Sequence s = sample(true, 1000);
    TokenizedExample ex = s.example();
    assertEquals(13 + 1 + 124 + 1 + 11 + 1 + 22, ex.ids().length);
    assertEquals(List.of(dir.resolve("c1.png"), dir.resolve("c2.png"), dir.resolve("q.png")), s.images());
    List<Integer> supervisedWords = new ArrayList<>();
    for (int i = 0; i < ex.ids().length; i++) {
      int id = ex.ids()[i];
      if (ex.labels()[i] != Llava.IGNORE && id > 4) supervisedWords.add(id);
      if (id == tok.id("<|im_start|>") && i < 13) assertEquals(Llava.IGNORE, ex.labels()[i], "im_start masked in ICT");
      if (id == tok.id("\n")) assertEquals(id, ex.labels()[i], "\\n un-masked everywhere (authors)");
    }
    // both answers of the query and the assistant headers, nothing of the context
    assertEquals(List.of(tok.id("assistant"), tok.id("red"), tok.id("assistant"), tok.id("blue")), supervisedWords);
    TokenizedExample intended = sample(false, 1000).example();
    assertArrayEquals(ex.ids(), intended.ids());
    assertEquals(Llava.IGNORE, intended.labels()[2], "no un-masking under intended");
  }

  @Test
  void overBudgetContextTextsKeepTheirFirstTokens() {
    Sequence s = sample(true, 156); // budget 110 < 135 text tokens: shares 99 and 11
    TokenizedExample ex = s.example();
    assertEquals(13 + 1 + 99 + 1 + 11 + 1 + 22, ex.ids().length);
    assertEquals(3, ex.images());
    assertTrue(ex.splicedLength(PREFIX) <= 156);
    int[] at = java.util.stream.IntStream.range(0, ex.ids().length).filter(i -> ex.ids()[i] == Llava.IMAGE_TOKEN).toArray();
    assertArrayEquals(new int[] {13, 113, 125}, at);
    assertEquals(tok.id("x"), ex.ids()[112], "context 1 lost its tail (its last x's and its answer)");
    assertEquals(tok.id("q"), ex.ids()[115], "context 2 is whole");
  }

  @Test
  void aBudgetOfAHundredOrLessFallsBackToTheQueryAlone() {
    Sequence s = sample(true, 146); // budget 100
    assertEquals(List.of(dir.resolve("q.png")), s.images());
    TokenizedExample ex = s.example();
    assertEquals(13 + 1 + 22, ex.ids().length);
    assertEquals(Llava.IMAGE_TOKEN, ex.ids()[13]);
    assertEquals(tok.id("what"), ex.ids()[15]);
    assertEquals(3, sample(true, 147).images().size(), "a budget of 101 trims instead");
  }
}
