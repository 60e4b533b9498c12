package org.mapd.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.mapd.data.Turn;

/** Qwen chat template and label masking of method.md §4. */
public final class ChatTemplate {
  public static final String SYSTEM = "You are a helpful assistant.";
  public static final String IMAGE = "<image>";

  private final TextTokenizer tokenizer;
  /** Ids whose labels are un-masked wherever they occur (the authors' quirk), or none. */
  private final Set<Integer> unmasked;
  private final int imageTokens;
  private final int endOfText;
  private final int imEnd;
  private final int newline;

  /**
   * @param unmaskSpecialTokens the authors' un-masking of "\n", <|im_start|>, <|im_end|> everywhere
   * @param imageTokens soft tokens each image placeholder becomes: sequences are cut to their maxLen after
   *     that expansion (see {@link TokenizedExample#cut})
   */
  public ChatTemplate(TextTokenizer tokenizer, boolean unmaskSpecialTokens, int imageTokens) {
    this.tokenizer = tokenizer;
    this.imageTokens = imageTokens;
    this.endOfText = tokenizer.id("<|endoftext|>");
    this.imEnd = tokenizer.id("<|im_end|>");
    int[] nl = tokenizer.encode("\n");
    if (nl.length != 1) throw new IllegalArgumentException("tokenizer: \"\\n\" is not a single token");
    this.newline = nl[0];
    this.unmasked = unmaskSpecialTokens ? Set.of(newline, tokenizer.id("<|im_start|>"), imEnd) : Set.of();
  }

  private ChatTemplate(ChatTemplate t, Set<Integer> unmasked) {
    this.tokenizer = t.tokenizer;
    this.imageTokens = t.imageTokens;
    this.endOfText = t.endOfText;
    this.imEnd = t.imEnd;
    this.newline = t.newline;
    this.unmasked = unmasked;
  }

  /**
   * The template of ICT samples. The authors' ICTDataset registers {@code <boc>} and {@code <eoc>} through
   * add_special_tokens({"additional_special_tokens": [...]}), which replaces the tokenizer's list of
   * additional special tokens; preprocess_qwen2 un-masks additional_special_tokens_ids[:2], which then are
   * {@code <boc>} and {@code <eoc>} instead of {@code <|im_start|>} and {@code <|im_end|>}. Neither occurs in
   * a sample with images, so of the authors' un-masking only "\n" remains.
   */
  public ChatTemplate inContext() {
    return new ChatTemplate(this, unmasked.contains(newline) ? Set.of(newline) : Set.of());
  }

  /**
   * qwen_2 training template: system + turns, labels on assistant segments (and the authors' un-masking
   * when on). The turns are used as given: {@link #imageFirst} belongs to the record preprocessing.
   */
  public TokenizedExample conversation(List<Turn> turns, int maxLen) {
    List<Integer> ids = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    append(ids, labels, message("system", SYSTEM), false);
    for (Turn turn : turns) {
      boolean assistant = switch (turn.from()) {
        case Turn.HUMAN -> false;
        case Turn.GPT -> true;
        default -> throw new IllegalArgumentException("conversation: unknown speaker '" + turn.from() + "'");
      };
      append(ids, labels, message(assistant ? "assistant" : "user", turn.value()), assistant);
    }
    for (int i = 0; i < ids.size(); i++) if (unmasked.contains(ids.get(i))) labels.set(i, ids.get(i));
    return example(ids, labels, maxLen);
  }

  /** Pretraining 'plain' format: [IMAGE] + caption + "\n", caption supervised. */
  public TokenizedExample plain(String caption, int maxLen) {
    List<Integer> ids = new ArrayList<>(List.of(Llava.IMAGE_TOKEN));
    List<Integer> labels = new ArrayList<>(List.of(Llava.IGNORE));
    append(ids, labels, caption + "\n", true);
    return example(ids, labels, maxLen);
  }

  /** Inference prompt (conv_qwen) ending with "<|im_start|>assistant\n"; images as IMAGE_TOKEN. */
  public int[] prompt(String userMessage) {
    List<Integer> ids = new ArrayList<>();
    String text = message("system", SYSTEM) + message("user", userMessage) + "<|im_start|>assistant\n";
    append(ids, new ArrayList<>(), text, false);
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The ids that end a generation: <|im_end|> (the script's stopping criterion on the conversation's
   * separator) and <|endoftext|> (with <|im_end|>, the eos_token_id list of Qwen2.5-Instruct's
   * generation_config.json, which transformers' generate stops at).
   */
  public int[] endIds() { return new int[] {imEnd, endOfText}; }

  /** Padding id: 0 with the authors' collator, <|endoftext|> otherwise. */
  public int padId(boolean authorsZero) { return authorsZero ? 0 : endOfText; }

  private static String message(String role, String content) {
    return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
  }

  /**
   * LLaVA-1.5's preprocess_multimodal, which the authors' training_datasets.py runs on every turn of a
   * record with an image: a turn holding "<image>" becomes "<image>\n" + the rest with every "<image>"
   * removed and whitespace stripped (so two placeholders in one turn become one).
   */
  public static String imageFirst(String value) {
    if (!value.contains(IMAGE)) return value;
    return (IMAGE + "\n" + value.replace(IMAGE, "").strip()).strip();
  }

  /** Tokenizes text with each "<image>" as one IMAGE_TOKEN (tokenizer_image_token); labels = ids or IGNORE. */
  private void append(List<Integer> ids, List<Integer> labels, String text, boolean supervised) {
    String[] pieces = text.split(IMAGE, -1);
    for (int p = 0; p < pieces.length; p++) {
      if (p > 0) {
        ids.add(Llava.IMAGE_TOKEN);
        labels.add(Llava.IGNORE);
      }
      if (pieces[p].isEmpty()) continue;
      for (int id : tokenizer.encode(pieces[p])) {
        ids.add(id);
        labels.add(supervised ? id : Llava.IGNORE);
      }
    }
  }

  /** The example cut to maxLen after image expansion. */
  private TokenizedExample example(List<Integer> ids, List<Integer> labels, int maxLen) {
    int[] i = ids.stream().mapToInt(Integer::intValue).toArray();
    int[] l = labels.stream().mapToInt(Integer::intValue).toArray();
    return new TokenizedExample(i, l, Llava.countImages(i)).cut(maxLen, imageTokens);
  }
}
