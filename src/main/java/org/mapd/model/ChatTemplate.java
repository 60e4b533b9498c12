package org.mapd.model;

import java.util.List;
import org.mapd.data.Turn;

/** Qwen chat template and label masking of method.md §4. */
public final class ChatTemplate {
  public ChatTemplate(TextTokenizer tokenizer, boolean unmaskSpecialTokens) { throw new UnsupportedOperationException("helper A"); }

  /** qwen_2 training template: system + turns; labels on assistant segments (and the authors' un-masking when on). */
  public TokenizedExample conversation(List<Turn> turns, int maxLen) { throw new UnsupportedOperationException("helper A"); }

  /** Pretraining 'plain' format: [IMAGE] + caption + "\n", caption supervised. */
  public TokenizedExample plain(String caption, int maxLen) { throw new UnsupportedOperationException("helper A"); }

  /** Inference prompt (conv_qwen) ending with "<|im_start|>assistant\n"; images as IMAGE_TOKEN. */
  public int[] prompt(String userMessage) { throw new UnsupportedOperationException("helper A"); }

  /** <|im_end|>. */
  public int stopId() { throw new UnsupportedOperationException("helper A"); }

  /** Padding id: 0 with the authors' collator, <|endoftext|> otherwise. */
  public int padId(boolean authorsZero) { throw new UnsupportedOperationException("helper A"); }
}
