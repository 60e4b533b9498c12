package org.mapd.data;

import java.util.Random;

/**
 * Filler English of a chosen length in words, for synthetic records whose text must be as long as the real
 * data's (token counts drive sequence lengths, padding and the ICT budget) but whose meaning does not matter.
 * A word is about 4.7 characters and 1.3 Qwen tokens on average here, as in ordinary English prose.
 */
final class Prose {
  private Prose() {}

  private static final String[] NOUNS = ("man woman person people child dog cat bus car truck train bicycle street "
      + "road sign building window door table chair plate food pizza sandwich cup bottle kitchen room bed couch "
      + "tree grass field water sky cloud beach boat horse cow sheep bird elephant giraffe zebra bear umbrella "
      + "phone laptop computer book shelf wall floor shirt hat jacket bag ball racket frisbee kite skateboard "
      + "snow mountain river bridge clock tower light lamp fence bench park city market shop fruit banana apple "
      + "orange vegetable bowl knife fork player game team crowd picture image scene area corner side middle").split(" ");
  private static final String[] ADJECTIVES = ("red blue green white black yellow brown gray large small tall short "
      + "old young wooden metal open busy quiet bright dark empty full round square striped colorful several "
      + "many few different other main visible likely clear wet dry sunny cloudy green-and-white parked").split(" ");
  private static final String[] VERBS = ("is are stands sits holds rides walks looks appears shows carries "
      + "wears waits plays eats uses covers faces lies hangs crosses leans").split(" ");
  private static final String[] LINKS = ("the a the of in on with and near next to while behind in front of "
      + "which that for at its their from under over by").split(" ");
  private static final String[] QUESTION_WORDS = {"What", "Where", "Which", "How many", "Is", "Are", "Why", "What color", "Who", "Does"};

  /** One word drawn with roughly the mix of ordinary prose: function words, nouns, adjectives, verbs. */
  static String word(Random r) {
    int k = r.nextInt(10);
    if (k < 4) return LINKS[r.nextInt(LINKS.length)];
    if (k < 7) return NOUNS[r.nextInt(NOUNS.length)];
    if (k < 9) return ADJECTIVES[r.nextInt(ADJECTIVES.length)];
    return VERBS[r.nextInt(VERBS.length)];
  }

  static String noun(Random r) {
    return NOUNS[r.nextInt(NOUNS.length)];
  }

  static String adjective(Random r) {
    return ADJECTIVES[r.nextInt(ADJECTIVES.length)];
  }

  /** n lower-case words separated by spaces, no punctuation (a phrase, a caption). */
  static String words(Random r, int n) {
    StringBuilder b = new StringBuilder(n * 7);
    appendWords(b, r, n);
    return b.toString();
  }

  private static void appendWords(StringBuilder b, Random r, int n) {
    for (int w = 0; w < n; w++) {
      if (w > 0) b.append(' ');
      b.append(word(r));
    }
  }

  /** One sentence of n words: capitalised, ending with a full stop. */
  static String sentence(Random r, int n) {
    StringBuilder b = new StringBuilder(n * 7);
    appendSentence(b, r, n);
    return b.toString();
  }

  private static void appendSentence(StringBuilder b, Random r, int n) {
    int start = b.length();
    appendWords(b, r, Math.max(1, n));
    b.setCharAt(start, Character.toUpperCase(b.charAt(start)));
    b.append('.');
  }

  /** n words of prose in sentences of 6 to 24 words (a GPT-written answer, a description). */
  static String text(Random r, int n) {
    StringBuilder b = new StringBuilder(n * 7);
    int left = n;
    while (left > 0) {
      int len = Math.min(left, 6 + r.nextInt(19));
      if (b.length() > 0) b.append(' ');
      appendSentence(b, r, len);
      left -= len;
    }
    return b.toString();
  }

  /** A question of about n words (at least 3), ending with a question mark. */
  static String question(Random r, int n) {
    String head = QUESTION_WORDS[r.nextInt(QUESTION_WORDS.length)];
    StringBuilder b = new StringBuilder(n * 7).append(head).append(' ');
    appendWords(b, r, Math.max(2, n - head.split(" ").length));
    return b.append('?').toString();
  }

  /** A short answer of a VQA dataset: mostly one word (yes, no, a number, a noun), sometimes two. */
  static String shortAnswer(Random r, int maxWords) {
    int k = r.nextInt(10);
    String first = k < 3 ? (r.nextBoolean() ? "yes" : "no") : k < 5 ? Integer.toString(r.nextInt(11))
        : k < 8 ? noun(r) : adjective(r);
    return maxWords > 1 && r.nextInt(7) == 0 ? first + " " + noun(r) : first;
  }

  /** Capitalised words (a book title, a person's name). */
  static String titleCase(Random r, int n) {
    StringBuilder b = new StringBuilder(n * 8);
    for (int w = 0; w < n; w++) {
      String s = w % 2 == 0 ? noun(r) : word(r);
      if (w > 0) b.append(' ');
      b.append(Character.toUpperCase(s.charAt(0))).append(s, 1, s.length());
    }
    return b.toString();
  }

  /** A uniform integer in [min, max]. */
  static int between(Random r, int min, int max) {
    return min + r.nextInt(max - min + 1);
  }
}
