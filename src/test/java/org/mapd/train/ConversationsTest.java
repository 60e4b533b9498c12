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
  void onlyTheFirstHumanTurnLosesItsInstructionAndEveryTurnGetsItsImageFirst() {
    LlavaRecord r = new LlavaRecord("1", "a.png", List.of(new Turn("human", "Q1 <image>\nx\nFormat."), new Turn("gpt", "A1"),
        new Turn("human", "Q2\nx\nFormat."), new Turn("gpt", "A2")));
    List<Turn> t = Conversations.finetuneTurns("okvqa", r);
    assertEquals("<image>\nQ1 \nx", t.get(0).value()); // remove_ins, then preprocess_multimodal
    assertEquals("Q2\nx\nFormat.", t.get(2).value());
    assertEquals(List.of(new Turn("human", "<image>\nQ1 \nx"), new Turn("gpt", "A1")), Conversations.firstQa("okvqa", r));
  }

  @Test
  void ictTurnsJoinEveryTurnOfTheContextsAndKeepTheQueryTurns() {
    List<Turn> c1 = List.of(new Turn("human", "<image>\nQ1"), new Turn("gpt", "A1"));
    List<Turn> c2 = List.of(new Turn("human", "<image>\nQ2"), new Turn("gpt", "A2"), new Turn("human", "Q2b"),
        new Turn("gpt", "A2b"));
    List<Turn> query = List.of(new Turn("human", "<image>\nQ3"), new Turn("gpt", "A3"), new Turn("human", "Q3b"),
        new Turn("gpt", "A3b"));
    List<Turn> t = Conversations.ictTurns(List.of(c1, c2), query);
    assertEquals("<image>\nQ1 Answer: A1 \n<image>\nQ2 Answer: A2 \nQ2b Answer: A2b\n<image>\nQ3", t.get(0).value());
    assertEquals(query.subList(1, 4), t.subList(1, 4), "every answer of the query conversation stays a turn of its own");
    assertEquals(4, t.size());
  }
}
