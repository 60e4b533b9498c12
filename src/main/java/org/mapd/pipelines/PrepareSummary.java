package org.mapd.pipelines;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Objects;

/**
 * OUT/summary.json of the preparation. For the mix: read = sum(datasets) + removedTextOnly + sum(rejected).
 *
 * @param read records read from the conversation mix
 * @param datasets accepted records per training dataset
 * @param removedTextOnly text-only (ShareGPT-style) records dropped
 * @param rejected rejected records per reason
 * @param pretrain accepted caption records of LLaVA-Pretrain
 * @param pretrainRejected rejected caption records
 * @param vlIcl VL-ICL tasks found: task -> query count
 * @param notes what was found or combined (e.g. vqav2+okvqa written as one dataset)
 */
public record PrepareSummary(
    long read,
    Map<String, Long> datasets,
    @JsonProperty("removed_text_only") long removedTextOnly,
    Map<String, Long> rejected,
    long pretrain,
    @JsonProperty("pretrain_rejected") long pretrainRejected,
    @JsonProperty("vl_icl") Map<String, Long> vlIcl,
    java.util.List<String> notes) {

  /**
   * How many training datasets a run has, against the paper's 15, and why when they are 14: without the
   * OK-VQA question file, vqav2 and okvqa are one dataset. The prepare summary and the report say it.
   *
   * @param datasets records per training dataset (empty ones are not counted)
   */
  public static String datasetsLine(Map<String, Long> datasets) {
    SplitRules rules = SplitRules.loadDefault();
    SplitRules.OkVqa ok = rules.okvqa();
    long n = datasets.values().stream().filter(Objects::nonNull).filter(c -> c > 0).count();
    String line = n + " finetuning datasets (the paper has " + rules.datasets().size() + ")";
    if (datasets.getOrDefault(ok.combined(), 0L) > 0) {
      line += ": " + ok.combined() + " holds " + ok.unmatched() + " and " + ok.matched() + " as one, because preparation"
          + " found no OK-VQA question file (" + ok.questions() + ")";
    }
    return line;
  }
}
