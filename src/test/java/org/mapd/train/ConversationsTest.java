package org.mapd.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;

class ConversationsTest {
  @Test
  void removeInstructionRules() {
    String vqa = "<image>\nWhat colour is the square?\nAnswer the question using a single word or phrase.";
    assertEquals("<image>\nWhat colour is the square?", Conversations.removeInstruction("gqa", vqa));
    assertEquals("<image>\nWhat is it?", Conversations.removeInstruction("vg", "<image>\nWhat is it?")); // 2 lines: kept
    assertEquals("Describe it.", Conversations.removeInstruction("conv", "Describe it."));
    String geo = "<image>\nFirst perform reasoning, then finally select ...\nQuestion: x?\nChoices:\nA: 1";
    assertEquals("<image>\nQuestion: x?\nChoices:\nA: 1", Conversations.removeInstruction("reasoning_qa_geo170k", geo));
    assertEquals("<image>\nQ\nC", Conversations.removeInstruction("mavis_math_metagen", "<image>\nI\nQ\nC"));
  }

  @Test
  void onlyTheFirstHumanTurnIsChanged() {
    LlavaRecord r = new LlavaRecord("1", "a.png", List.of(new Turn("human", "<image>\nQ1\nFormat."), new Turn("gpt", "A1"),
        new Turn("human", "Q2\nx\nFormat."), new Turn("gpt", "A2")));
    List<Turn> t = Conversations.finetuneTurns("okvqa", r);
    assertEquals("<image>\nQ1", t.get(0).value());
    assertEquals("Q2\nx\nFormat.", t.get(2).value());
    assertEquals(new Conversations.QA("Q1", "A1"), Conversations.firstQa("okvqa", r));
  }

  @Test
  void ictTurnText() {
    List<Turn> t = Conversations.ictTurns(List.of(new Conversations.QA("Q1", "A1"), new Conversations.QA("Q2", "A2")),
        new Conversations.QA("Q3", "A3"));
    assertEquals("<image>\nQ1 Answer: A1 \n<image>\nQ2 Answer: A2 \n<image>\nQ3", t.get(0).value());
    assertEquals(new Turn("gpt", "A3"), t.get(1));
  }

  @Test
  void trimCutsLongContextsMore() {
    List<Conversations.QA> c = List.of(new Conversations.QA("a b c d e f g h", "x"), new Conversations.QA("q", "y"));
    List<Conversations.QA> t = Conversations.trim(c, 4);
    assertEquals("a b c d", t.get(0).question()); // 4 * 9/11 -> cut 4 words
    assertEquals(new Conversations.QA("q", "y"), t.get(1)); // a single word is kept
  }
}
