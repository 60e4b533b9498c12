package org.mapd.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;

/** Record preprocessing of method.md §2 and §4: remove_ins, preprocess_multimodal and the ICT sample text. */
final class Conversations {
  private static final String IMAGE = "<image>";

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

  /** First question (remove_ins applied, image tag dropped) and its answer. */
  record QA(String question, String answer) {}

  static QA firstQa(String dataset, LlavaRecord record) {
    List<Turn> turns = finetuneTurns(dataset, record);
    String q = null;
    for (Turn t : turns) {
      if (q == null && Turn.HUMAN.equals(t.from())) q = t.value().replace(IMAGE, "").strip();
      else if (q != null && Turn.GPT.equals(t.from())) return new QA(q, t.value());
    }
    throw new IllegalArgumentException("record " + record.id() + " has no human/gpt pair");
  }

  /**
   * One ICT user turn: "<image>\nQ1 Answer: A1 \n<image>\nQ2 Answer: A2 \n ... <image>\nQ_query"; the
   * assistant turn is the query's answer.
   */
  static List<Turn> ictTurns(List<QA> context, QA query) {
    StringBuilder user = new StringBuilder();
    for (QA c : context) user.append(IMAGE).append('\n').append(c.question()).append(" Answer: ").append(c.answer()).append(" \n");
    user.append(IMAGE).append('\n').append(query.question());
    return List.of(new Turn(Turn.HUMAN, user.toString()), new Turn(Turn.GPT, query.answer()));
  }

  /**
   * Shortens the context texts by about {@code excess} words in total, each in proportion to its length
   * (words from the end of the question first, then of the answer); a context text keeps at least a word.
   */
  static List<QA> trim(List<QA> context, int excess) {
    int total = 0;
    for (QA c : context) total += words(c.question()).length + words(c.answer()).length;
    List<QA> out = new ArrayList<>();
    for (QA c : context) {
      String[] q = words(c.question());
      String[] a = words(c.answer());
      int cut = (int) Math.ceil((double) excess * (q.length + a.length) / Math.max(1, total));
      int cutQ = Math.min(cut, Math.max(0, q.length - 1));
      int cutA = Math.min(cut - cutQ, Math.max(0, a.length - 1));
      out.add(new QA(String.join(" ", Arrays.copyOf(q, q.length - cutQ)), String.join(" ", Arrays.copyOf(a, a.length - cutA))));
    }
    return out;
  }

  private static String[] words(String s) {
    String t = s.strip();
    return t.isEmpty() ? new String[0] : t.split("\\s+");
  }
}
