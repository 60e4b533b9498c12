package org.mapd.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.mapd.data.LlavaRecord;
import org.mapd.data.Turn;
import org.mapd.model.ChatTemplate;
import org.mapd.model.Llava;
import org.mapd.model.TokenizedExample;

/**
 * One ICT sample as the authors' ICTDataset builds it (training_datasets.py: ict_concat, __getitem__,
 * weighted_reduce_int): the context conversations and the query conversation of one dataset in one
 * sequence ({@link Conversations#ictTurns}), then fitted to the token budget. The budget is maxLen less
 * (context + 1) images of prefix soft tokens, less the tokens before the first image, less everything
 * after the last image (the query), less 5. If the context text between the images is over the budget,
 * each context text keeps its first tokens, shared out with weights length^-0.5 (long texts give up more);
 * a budget of 100 tokens or less drops the context instead (the query alone, the authors' mix_no_shot).
 */
final class InContext {
  /** Tokens the authors leave free below the budget (their some_pad). */
  static final int SPARE = 5;
  /** At or below this budget the sample falls back to zero shots. */
  static final int ZERO_SHOT_BUDGET = 100;

  private InContext() {}

  /**
   * @param template the ICT template ({@link ChatTemplate#inContext()})
   * @param records the context records, then the query record; each has one image
   * @param context the configured number of context examples (the authors' k_spt)
   * @param prefix soft tokens per image
   */
  static Sequence sample(ChatTemplate template, String dataset, List<LlavaRecord> records, Path imageRoot, int context,
      int prefix, int maxLen) {
    List<List<Turn>> turns = new ArrayList<>();
    List<Path> images = new ArrayList<>();
    for (LlavaRecord r : records) {
      if (r.image() == null) {
        throw new IllegalArgumentException("ICT: record " + r.id() + " of " + dataset + " has no image (the authors'"
            + " text-only <boc>/<eoc> path is not implemented; preparation removes text-only records)");
      }
      turns.add(Conversations.finetuneTurns(dataset, r));
      images.add(imageRoot.resolve(r.image()));
    }
    int last = turns.size() - 1;
    TokenizedExample ex = template.conversation(Conversations.ictTurns(turns.subList(0, last), turns.get(last)),
        Integer.MAX_VALUE);
    int[] at = imagePositions(ex.ids());
    if (at.length != images.size()) {
      throw new IllegalArgumentException("ICT sample of " + dataset + ": " + at.length + " image placeholders for "
          + images.size() + " images");
    }
    int[] text = new int[at.length - 1]; // context text after each image, up to the next one
    for (int i = 0; i + 1 < at.length; i++) text[i] = at[i + 1] - at[i] - 1;
    int query = ex.ids().length - at[last] - 1;
    int budget = maxLen - (context + 1) * prefix - at[0] - query - SPARE;
    if (Arrays.stream(text).sum() > budget) {
      if (budget <= ZERO_SHOT_BUDGET) {
        ex = keep(ex, new int[][] {{0, at[0]}, {at[last], ex.ids().length}});
        images = images.subList(last, last + 1);
      } else {
        int[] kept = allocate(text, budget);
        int[][] ranges = new int[at.length + 1][];
        ranges[0] = new int[] {0, at[0]};
        for (int i = 0; i < kept.length; i++) ranges[i + 1] = new int[] {at[i], at[i] + 1 + kept[i]};
        ranges[at.length] = new int[] {at[last], ex.ids().length};
        ex = keep(ex, ranges);
      }
    }
    ex = ex.cut(maxLen, prefix);
    return new Sequence(ex, images.subList(0, ex.images()));
  }

  /**
   * weighted_reduce_int: shares {@code cap} tokens among texts of the given lengths. Each gets
   * min(length, cap·w/Σw) with w = length^-0.5, floored, at least 1; the tokens left over go one at a time,
   * round after round, to the texts that were cut, the least cut first. Where the minimum of 1 would
   * overshoot the cap, the authors' code raises; here the excess comes back from the largest shares.
   */
  static int[] allocate(int[] lengths, int cap) {
    int n = lengths.length;
    double[] w = new double[n];
    double total = 0;
    for (int i = 0; i < n; i++) {
      if (lengths[i] <= 0) throw new IllegalArgumentException("ICT budget: text lengths must be > 0, got " + lengths[i]);
      w[i] = Math.pow(lengths[i], -0.5);
      total += w[i];
    }
    double[] ideal = new double[n];
    int[] share = new int[n];
    List<Integer> cut = new ArrayList<>();
    int left = cap;
    for (int i = 0; i < n; i++) {
      ideal[i] = Math.min(lengths[i], cap * w[i] / total);
      share[i] = Math.max(1, (int) Math.floor(ideal[i]));
      left -= share[i];
      if (ideal[i] != lengths[i]) cut.add(i);
    }
    cut.sort(Comparator.comparingDouble((Integer i) -> lengths[i] - ideal[i]).thenComparingInt(i -> i));
    for (boolean grew = true; left > 0 && grew; ) {
      grew = false;
      for (int i : cut) {
        if (left == 0) break;
        if (share[i] < lengths[i]) {
          share[i]++;
          left--;
          grew = true;
        }
      }
    }
    while (left < 0) {
      int largest = 0;
      for (int i = 1; i < n; i++) if (share[i] > share[largest]) largest = i;
      if (share[largest] <= 1) break;
      share[largest]--;
      left++;
    }
    return share;
  }

  private static int[] imagePositions(int[] ids) {
    return java.util.stream.IntStream.range(0, ids.length).filter(i -> ids[i] == Llava.IMAGE_TOKEN).toArray();
  }

  /** The tokens of the given [from, to) ranges, in order. */
  private static TokenizedExample keep(TokenizedExample ex, int[][] ranges) {
    int n = 0;
    for (int[] r : ranges) n += r[1] - r[0];
    int[] ids = new int[n];
    int[] labels = new int[n];
    int k = 0;
    for (int[] r : ranges) {
      System.arraycopy(ex.ids(), r[0], ids, k, r[1] - r[0]);
      System.arraycopy(ex.labels(), r[0], labels, k, r[1] - r[0]);
      k += r[1] - r[0];
    }
    return new TokenizedExample(ids, labels, imagePositions(ids).length);
  }
}
