package org.mapd.eval;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The authors' exact_match scoring of VL-ICL answers (method.md §5). */
public final class Scoring {
  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern SIGNED_DIGITS = Pattern.compile("-?\\d+");

  private Scoring() {}

  /**
   * The decoded generation as the script scores it: it drops trailing periods before exact_match.
   */
  public static String cleanGeneration(String decoded) {
    int end = decoded.length();
    while (end > 0 && decoded.charAt(end - 1) == '.') end--;
    return decoded.substring(0, end);
  }

  /**
   * @param digitsDropSign keep the first \d+ for counting tasks (authors: a minus sign is lost, so a
   *     negative answer can never match), else the first -?\d+
   */
  public static boolean exactMatch(String prediction, String answer, String task, boolean digitsDropSign) {
    String p = prediction.replace("Answer", "").replace("answer", "");
    p = strip(p, ':');
    p = p.strip();
    p = strip(p, '\n');
    int cut = p.indexOf('\n');
    if (cut <= 0) cut = p.indexOf('.');
    if (cut > 0) p = p.substring(0, cut);
    if (countsDigits(task)) {
      Matcher m = (digitsDropSign ? DIGITS : SIGNED_DIGITS).matcher(p);
      p = m.find() ? m.group() : "";
    }
    return p.toLowerCase(Locale.ROOT).equals(answer.toLowerCase(Locale.ROOT));
  }

  /** Tasks whose answer is a number read out of the generation (the script matches by substring). */
  static boolean countsDigits(String task) {
    return task.contains("operator_induction") || task.contains("clevr");
  }

  /** Python's str.strip(c) for one character: removes it from both ends. */
  private static String strip(String s, char c) {
    int begin = 0;
    int end = s.length();
    while (begin < end && s.charAt(begin) == c) begin++;
    while (end > begin && s.charAt(end - 1) == c) end--;
    return s.substring(begin, end);
  }
}
