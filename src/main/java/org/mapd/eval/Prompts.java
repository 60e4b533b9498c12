package org.mapd.eval;

import java.util.List;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;

/** User messages of the evaluation script (method.md §5); {@code <image>} marks where soft prompts go. */
public final class Prompts {
  private static final String IMAGE_LINE = ChatTemplate.IMAGE + "\n";

  private Prompts() {}

  /**
   * The support example's user turn: the script appends {@code " " + instruction} and the instruction is
   * empty ("nothing"), which leaves one trailing space.
   */
  public static String supportUser(Shot shot) {
    return IMAGE_LINE + shot.question() + " ";
  }

  /**
   * FT mode: each support example is its own conversation, answer as the assistant turn. The script's
   * preprocess_multimodal ({@link ChatTemplate#imageFirst}) rebuilds the user turn, so the trailing space
   * of {@link #supportUser} does not reach the tokenizer here (it does in ICL text).
   */
  public static List<Turn> supportConversation(Shot shot) {
    return List.of(new Turn(Turn.HUMAN, ChatTemplate.imageFirst(supportUser(shot))), new Turn(Turn.GPT, shot.answer()));
  }

  /**
   * One user turn: every support example as "{q}  Answer: {a}" after its image, then the query.
   *
   * @param charsetLstrip strip the support text with Python's character-set lstrip("<image>\n") as the
   *     authors do (it also eats leading letters of the question in {<,i,m,a,g,e,>,\n}, e.g. "material"
   *     -> "terial"), instead of removing the exact "<image>\n" prefix
   */
  public static String icl(List<Shot> shots, String query, boolean charsetLstrip) {
    StringBuilder s = new StringBuilder();
    for (Shot shot : shots) {
      String text = stripImageLine(supportUser(shot), charsetLstrip) + " Answer: " + shot.answer();
      s.append(IMAGE_LINE).append(' ').append(text).append('\n');
    }
    s.append(IMAGE_LINE).append(' ').append(query);
    return stripTrailingNewlines(s.toString());
  }

  /** FT mode and zero shots: the query alone. */
  public static String query(String query) {
    return icl(List.of(), query, false);
  }

  static String stripImageLine(String text, boolean charsetLstrip) {
    if (!charsetLstrip) return text.startsWith(IMAGE_LINE) ? text.substring(IMAGE_LINE.length()) : text;
    int i = 0;
    while (i < text.length() && IMAGE_LINE.indexOf(text.charAt(i)) >= 0) i++;
    return text.substring(i);
  }

  /** The script joins pieces with "\n" and rstrips the result. */
  private static String stripTrailingNewlines(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '\n') end--;
    return s.substring(0, end);
  }
}
