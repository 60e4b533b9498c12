package org.mapd.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;

/** Record preprocessing of method.md §2 and §4: remove_ins, preprocess_multimodal and the ICT sample text. */
final class Conversations {
  private Conversations() {}

  /**
   * remove_ins on one prompt: geo170k and mavis datasets drop line 1 (the instruction after the image
   * line); other prompts with more than two lines drop the last line (the response-format prompt).
   */
  static String removeInstruction(String dataset, String prompt) {
    List<String> lines = new ArrayList<>(Arrays.asList(prompt.split("\n", -1)));
    if (dataset.contains("geo170k") || dataset.contains("mavis")) {
      if (lines.size() > 1) lines.remove(1);
    } else if (lines.size() > 2) {
      lines.remove(lines.size() - 1);
    }
    return String.join("\n", lines);
  }

  /**
   * The record's turns as the authors' datasets hand them to the template: remove_ins on the first human
   * turn, then LLaVA-1.5's preprocess_multimodal ({@link ChatTemplate#imageFirst}) on every turn.
   */
  static List<Turn> finetuneTurns(String dataset, LlavaRecord record) {
    List<Turn> turns = new ArrayList<>();
    boolean first = true;
    for (Turn t : record.conversations()) {
      String value = first && Turn.HUMAN.equals(t.from()) ? removeInstruction(dataset, t.value()) : t.value();
      if (Turn.HUMAN.equals(t.from())) first = false;
      turns.add(new Turn(t.from(), ChatTemplate.imageFirst(value)));
    }
    return turns;
  }

  /** The first human turn of {@link #finetuneTurns} and the answer after it (the mini warm-up's examples). */
  static List<Turn> firstQa(String dataset, LlavaRecord record) {
    List<Turn> turns = finetuneTurns(dataset, record);
    for (int i = 0; i + 1 < turns.size(); i++) {
      if (Turn.HUMAN.equals(turns.get(i).from()) && Turn.GPT.equals(turns.get(i + 1).from())) {
        return List.of(turns.get(i), turns.get(i + 1));
      }
    }
    throw new IllegalArgumentException("record " + record.id() + " has no human/gpt pair");
  }

  /**
   * The authors' ict_concat: one user turn holding every turn of every context conversation, a question
   * as "\n" + its text and an answer as "Answer: " + its text, joined with " " (the leading "\n" dropped),
   * then "\n" and the query's first turn; then the query's remaining turns, so every answer of the query
   * conversation is supervised. E.g. "<image>\nQ1 Answer: A1 \nQ1b Answer: A1b \n<image>\nQ2 Answer: A2\n<image>\nQ".
   */
  static List<Turn> ictTurns(List<List<Turn>> context, List<Turn> query) {
    List<String> pieces = new ArrayList<>();
    for (List<Turn> c : context) {
      for (Turn t : c) pieces.add(Turn.GPT.equals(t.from()) ? "Answer: " + t.value() : "\n" + t.value());
    }
    String joined = String.join(" ", pieces);
    String user = (joined.isEmpty() ? "" : joined.substring(1)) + "\n" + query.get(0).value();
    List<Turn> turns = new ArrayList<>();
    turns.add(new Turn(Turn.HUMAN, user));
    turns.addAll(query.subList(1, query.size()));
    return turns;
  }
}
